#!/usr/bin/env bash
# Installs the system tools Bindery's tests use, when they are missing:
# Java (for EPUBCheck), poppler-utils (pdftotext, pdffonts, pdfinfo) and qpdf.
# WeasyPrint's own libraries (Pango) and python3-venv are scripts/setup.sh's
# job (the first README command, which scripts/test.sh runs first).
set -euo pipefail

is_root() { [ "$(id -u)" = 0 ]; }
updated=""
apt_install() {  # as root with apt-get; the package lists are fetched once
  [ -n "$updated" ] || { apt-get update -qq >/dev/null; updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
if [ "${#need[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && is_root; then
    echo "installing system packages: ${need[*]}" >&2
    apt_install "${need[@]}"
  elif command -v apt-get >/dev/null 2>&1; then
    echo "warning: the tests need ${need[*]}: run  sudo apt-get install ${need[*]}  (or run this script as root)" >&2
  else
    echo "warning: the tests need Java, poppler-utils (pdftotext) and qpdf: install them with your package manager" >&2
  fi
fi
# A browser for the live preview's tests and DAISY Ace, on its own: Ubuntu has no `chromium`
# package (its chromium is a snap), which must not stop the tools above or the test run.
if ! [ -x /usr/bin/chromium ]; then   # where tests/serve_harness.py looks for it
  if command -v apt-get >/dev/null 2>&1 && is_root; then
    echo "installing system packages: chromium" >&2
    apt_install chromium 2>/dev/null || echo "warning: apt-get could not install chromium; the preview's browser tests and DAISY Ace need it" >&2
  else
    echo "warning: the preview's browser tests and DAISY Ace need chromium: install it with your package manager" >&2
  fi
fi

# DAISY Ace (tests/test_accessibility.py) from npm, run through its
# `ace-puppeteer` entry point with Debian's chromium (installed above);
# --ignore-scripts skips the Electron download, which fails offline.
if ! command -v ace-puppeteer >/dev/null 2>&1 && ! [ -x "$(npm prefix -g 2>/dev/null)/bin/ace-puppeteer" ]; then
  if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && is_root; then
    apt_install npm
  fi
  if command -v npm >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -w "$(npm prefix -g 2>/dev/null)" ]; }; then
    echo "installing DAISY Ace (npm @daisy/ace)" >&2
    npm install -g --ignore-scripts --no-audit --no-fund @daisy/ace >/dev/null 2>&1 || echo "warning: could not install @daisy/ace (the Ace test will fail in CI)" >&2
  else
    echo "warning: please install DAISY Ace: npm install -g --ignore-scripts @daisy/ace (needed by the tests)" >&2
  fi
fi
