#!/usr/bin/env bash
# The first README command: a virtual environment in .venv with Bindery in it.
#
#   bash scripts/setup.sh          # Bindery and its dependencies
#   bash scripts/setup.sh --test   # the same plus the test tools (scripts/test.sh calls this)
#
# Works with a distribution's python3 (Debian 12, Ubuntu 24.04: "externally
# managed", so nothing is installed outside .venv) and with Homebrew's on
# macOS. Installs the system packages it needs when it can (apt-get as root,
# Homebrew) and otherwise says exactly which to install: python3.X-venv for
# `python3 -m venv`, and Pango (with HarfBuzz) for WeasyPrint's PDF layout.
# Set PYTHON=/path/to/python3.11+ to choose the interpreter; VENV=DIR the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

say() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
  say "installing system packages: $*"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. A Python 3.11 or newer.
python=""
if [ -n "${PYTHON:-}" ]; then candidates=("$PYTHON"); else candidates=(python3 python3.13 python3.12 python3.11); fi
for candidate in "${candidates[@]}"; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$(command -v "$candidate")
    break
  fi
done
[ -n "$python" ] || die "Bindery needs Python 3.11 or newer; install it (Debian/Ubuntu: apt-get install python3; macOS: brew install python) or set PYTHON=/path/to/python3.11"
version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')

# 2. What the system lacks, named in one message: Pango for WeasyPrint (Linux: checked with
# ldconfig; macOS: Homebrew) and, for a new environment, python3.X-venv (Debian and Ubuntu ship
# `venv` without `ensurepip`, and `python3 -m venv` fails without it).
venv_works() { "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' && "$venv/bin/python" -m pip --version; } >/dev/null 2>&1
if [ -e "$venv" ] && ! venv_works; then
  say "$venv has no working Python 3.11+ with pip (an interrupted creation, or an older Python): making it again"
  rm -rf "$venv"
fi
venv_package=()
[ -x "$venv/bin/python" ] || "$python" -c 'import ensurepip, venv' >/dev/null 2>&1 || venv_package=("python$version-venv")
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)   # /sbin is not on a normal user's PATH on Debian
if [ "$(uname -s)" = Linux ] && [ -x "$ldconfig" ]; then
  missing=()
  # Read once, then matched in the shell: `ldconfig -p | grep -q` under pipefail fails when grep
  # exits at its match before ldconfig has written the rest (SIGPIPE), now and then on a busy
  # machine, and an installed library was taken for a missing one.
  cache=$("$ldconfig" -p 2>/dev/null || true)
  for lib in libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 libharfbuzz-subset.so.0:libharfbuzz-subset0; do
    [[ $cache == *"${lib%%:*}"* ]] || missing+=("${lib##*:}")
  done
  if command -v apt-get >/dev/null 2>&1; then
    missing+=(${venv_package[@]+"${venv_package[@]}"})  # installed in the same apt-get run
    venv_package=()
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && is_root; then
      apt_install "${missing[@]}"
    elif command -v apt-get >/dev/null 2>&1; then
      die "Bindery needs system packages: run  sudo apt-get install ${missing[*]}  and then this command again"
    else
      die "WeasyPrint needs Pango 1.44 or newer (with HarfBuzz): install it with your package manager (Fedora: sudo dnf install pango), then run this command again"
    fi
  fi
elif [ "$(uname -s)" = Darwin ] && command -v brew >/dev/null 2>&1 && ! brew list pango >/dev/null 2>&1; then
  say "installing Pango with Homebrew (WeasyPrint's text layout)"
  brew install pango
fi

# 3. The virtual environment (python3 -m venv needs python3.X-venv on Debian and Ubuntu).
if [ ! -x "$venv/bin/python" ]; then
  rm -rf "$venv"
  if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    if command -v apt-get >/dev/null 2>&1 && is_root; then
      apt_install "python$version-venv"
      "$python" -m venv "$venv" || die "could not create $venv with $python"
    elif command -v apt-get >/dev/null 2>&1; then
      die "$python cannot create a virtual environment: run  sudo apt-get install python$version-venv  and then this command again"
    else
      die "$python cannot create a virtual environment (python3 -m venv $venv failed); install your Python's venv module and run this command again"
    fi
  fi
  say "created $venv with Python $version ($python)"
fi

# 4. Bindery, editable, into the environment (minutes the first time: everything comes from PyPI).
# Installed again only when pyproject.toml changed (or the environment lost Bindery): the code
# itself is read from src/, and a reinstall needs the network (pip fetches the build backend).
stamp="$venv/.bindery-installed"
want="$(cksum < pyproject.toml)"
installed=$(cat "$stamp" 2>/dev/null || true)
if { [ "$installed" = "$want [test]" ] || [ "$installed" = "$want $extras" ]; } && "$venv/bin/python" -c 'import bindery' >/dev/null 2>&1; then
  say "Bindery${extras:+ with the test tools} is installed in $venv already (pyproject.toml unchanged)"
else
  say "installing Bindery${extras:+ with the test tools} into $venv"
  rm -f "$stamp"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e ".$extras"
  printf '%s %s\n' "$want" "$extras" > "$stamp"
fi
say "ready: run $venv/bin/bindery, or '. $venv/bin/activate' once and then bindery"
