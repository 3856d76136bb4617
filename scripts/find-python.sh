#!/usr/bin/env bash
# Print the absolute path of a Python >= 3.12 interpreter (Django 6 needs it), or fail.
#
# Order: $PYTHON if set (then only it), python3.12, python3.13, pyenv's installed 3.12*/3.13*
# (and newer), `pyenv which python`, then plain python3. Each candidate is run,
# not just looked up: a pyenv shim can exist for a version that is not active.
set -uo pipefail

min_major=3
min_minor=12

check='import sys; sys.exit(0 if sys.version_info >= (%d, %d) else 1)'
check=$(printf "$check" "$min_major" "$min_minor")

try() {
    local candidate=$1 path
    [ -n "$candidate" ] || return 1
    path=$(command -v "$candidate" 2>/dev/null) || return 1
    "$path" -c "$check" >/dev/null 2>&1 || return 1
    # Resolve shims and symlinks to the real interpreter.
    "$path" -c 'import sys; print(sys.executable)' 2>/dev/null
}

pyenv_root=${PYENV_ROOT:-${HOME:-/root}/.pyenv}

if [ -n "${PYTHON:-}" ]; then
    # An explicit choice is honoured or refused, never silently replaced.
    try "$PYTHON" && exit 0
    echo "error: PYTHON=$PYTHON does not run as a Python >= ${min_major}.${min_minor} interpreter." >&2
    exit 1
fi

candidates=(python3.12 python3.13)
shopt -s nullglob
for dir in "$pyenv_root"/versions/3.12* "$pyenv_root"/versions/3.13* "$pyenv_root"/versions/3.1[4-9]*; do
    candidates+=("$dir/bin/python")
done
shopt -u nullglob
if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv which python 2>/dev/null || true)")
fi
candidates+=(python3)

for candidate in "${candidates[@]}"; do
    if try "$candidate"; then
        exit 0
    fi
done

{
    echo "error: this project needs Python >= ${min_major}.${min_minor} (Django 6 refuses older versions)."
    echo "Tried: ${candidates[*]}"
    echo "Install one (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12 to make."
} >&2
exit 1
