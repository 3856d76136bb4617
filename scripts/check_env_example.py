"""Fail if hongan_visits/settings.py reads an environment variable that .env.example does not list."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# env("NAME", ...), env.db("NAME", ...), env.bool("NAME") and the environ.Env(NAME=(...)) schema.
READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']|^\s+([A-Z][A-Z0-9_]*)=\(""", re.M)
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.M)


def main() -> int:
    settings = (ROOT / "hongan_visits" / "settings.py").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    read = {a or b for a, b in READ.findall(settings)}
    listed = set(LISTED.findall(example))
    missing = sorted(read - listed)
    if missing:
        print(f".env.example does not list: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f".env.example lists all {len(read)} variables settings.py reads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
