#!/usr/bin/env bash
# Fails when the zh_Hans catalogue misses a translation, holds a fuzzy one, or when the
# committed django.mo is not the compiled django.po (so `make run` needs no gettext).
set -euo pipefail
cd "$(dirname "$0")/.."
po=locale/zh_Hans/LC_MESSAGES/django.po
mo=locale/zh_Hans/LC_MESSAGES/django.mo
untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
# msgattrib prints the header entry too when anything is printed at all.
if [ "$untranslated" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
  echo "zh_Hans catalogue: untranslated or fuzzy entries:" >&2
  msgattrib --untranslated --no-obsolete "$po" | grep -A1 '^msgid ' | tail -n +3 >&2
  msgattrib --only-fuzzy --no-obsolete "$po" | grep -A1 '^msgid ' | tail -n +3 >&2
  exit 1
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
msgfmt --check -o "$tmp" "$po"
if ! cmp -s "$tmp" "$mo"; then
  echo "$mo is stale: run 'make messages' and commit it." >&2
  exit 1
fi
echo "zh_Hans catalogue complete and compiled"
