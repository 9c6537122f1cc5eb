#!/usr/bin/env bash
# Installs the system tools Bindery's tests use, when they are missing:
# Java (for EPUBCheck), poppler-utils (pdftotext, pdffonts, pdfinfo) and qpdf.
# WeasyPrint's own libraries (Pango) and python3-venv are scripts/setup.sh's
# job (the first README command, which scripts/test.sh runs first).
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
[ -x /usr/bin/chromium ] || need+=(chromium)   # the live-preview browser test (tests/test_serve.py)
if [ "${#need[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing system packages: ${need[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  elif command -v apt-get >/dev/null 2>&1; then
    echo "warning: the tests need ${need[*]}: run  sudo apt-get install ${need[*]}  (or run this script as root)" >&2
  else
    echo "warning: the tests need Java, poppler-utils (pdftotext), qpdf and chromium: install them with your package manager" >&2
  fi
fi

# DAISY Ace (tests/test_accessibility.py) from npm, run through its
# `ace-puppeteer` entry point with Debian's chromium (installed above);
# --ignore-scripts skips the Electron download, which fails offline.
if ! command -v ace-puppeteer >/dev/null 2>&1 && ! [ -x "$(npm prefix -g 2>/dev/null)/bin/ace-puppeteer" ]; then
  if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  if command -v npm >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -w "$(npm prefix -g 2>/dev/null)" ]; }; then
    echo "installing DAISY Ace (npm @daisy/ace)" >&2
    npm install -g --ignore-scripts --no-audit --no-fund @daisy/ace >/dev/null 2>&1 || echo "warning: could not install @daisy/ace (the Ace test will fail in CI)" >&2
  else
    echo "warning: please install DAISY Ace: npm install -g --ignore-scripts @daisy/ace (needed by the tests)" >&2
  fi
fi
