"""Print the closing summary of `make test` from the exit codes and pytest's JUnit XML reports.

Usage: test_summary.py CHECKS_RC NAME=RC:JUNIT_XML [NAME=RC:JUNIT_XML ...]
Exits 0 when every step passed, 1 otherwise.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def counts(report: Path) -> tuple[int, int, int] | None:
    """Return (passed, failed, skipped) from a JUnit XML report, or None if there is none."""
    if not report.is_file():
        return None
    try:
        root = ET.parse(report).getroot()
    except ET.ParseError:
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failed - skipped, failed, skipped


def main(argv: list[str]) -> int:
    checks_rc = int(argv[0])
    ok = checks_rc == 0
    lines = [f"{'checks':<11} {'passed' if ok else f'FAILED (exit {checks_rc})'}"]
    total = [0, 0, 0]
    for spec in argv[1:]:
        name, rest = spec.split("=", 1)
        rc_text, report = rest.split(":", 1)
        rc = int(rc_text)
        ok = ok and rc == 0
        found = counts(Path(report))
        if found is None:
            detail = "no test report"
        else:
            total = [t + c for t, c in zip(total, found, strict=True)]
            detail = "{} passed, {} failed, {} skipped".format(*found)
        if rc == 0:
            status = "ok"
        elif rc == 5:
            status = "FAILED (pytest exit 5: no tests collected)"
        else:
            status = f"FAILED (pytest exit {rc})"
        lines.append(f"{name:<11} {detail}  {status}")
    print()
    print("=" * 25 + " make test summary " + "=" * 25)
    print("\n".join(lines))
    print(f"result:     {'PASSED' if ok else 'FAILED'}")
    print("total: {} passed, {} failed, {} skipped".format(*total))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
