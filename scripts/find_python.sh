#!/usr/bin/env bash
# Print the path of the newest Python >= 3.12 on this machine: on PATH as python3.13 /
# python3.12 / python3, or installed through pyenv. Exit 1 with advice when there is none.
set -u
works() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
candidates=()
for minor in 14 13 12; do
  command -v "python3.$minor" >/dev/null 2>&1 && candidates+=("$(command -v "python3.$minor")")
  if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for dir in $(ls -d "$root"/versions/3."$minor"* 2>/dev/null | sort -V -r); do
      candidates+=("$dir/bin/python")
    done
  fi
done
command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")
for candidate in "${candidates[@]}"; do
  if [ -x "$candidate" ] && works "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done
echo "Kata needs Python 3.12 or newer and found none." >&2
echo "Install it, e.g. 'pyenv install 3.13' or your system's python3.13 package, then retry." >&2
exit 1
