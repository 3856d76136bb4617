#!/usr/bin/env bash
# Install the Debian packages the project needs (PostgreSQL for tests, Chromium for
# browser tests, a CJK font for screenshots and PDFs, gettext for compilemessages,
# poppler-utils to read exported PDFs back), only those not installed yet.
set -euo pipefail

packages=(postgresql chromium fonts-wqy-zenhei gettext poppler-utils)

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "system-deps: all present (${packages[*]})"
    exit 0
fi

echo "system-deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "error: need root (or sudo) to apt-get install: ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y "${missing[@]}" </dev/null
