#!/usr/bin/env bash
# Create the virtual environment with a Python >= 3.12 (Django 6.1 needs it).
set -euo pipefail
venv=${1:-.venv}
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  exit 0
fi
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.14 python3.13 python3.12 python3)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for v in $(ls -1 "$root/versions" 2>/dev/null | sort -rV); do candidates+=("$root/versions/$v/bin/python3"); done
fi
for c in "${candidates[@]}"; do
  if p=$(command -v "$c" 2>/dev/null) && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    echo "Using $p ($("$p" --version))"
    rm -rf "$venv"
    "$p" -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip
    exit 0
  fi
done
echo "Sifu needs Python 3.12 or newer (Django 6.1). None was found on PATH or in pyenv." >&2
echo "Install one (e.g. apt-get install python3.12, or pyenv install 3.12) or run: make demo PYTHON=/path/to/python3.12" >&2
exit 1
