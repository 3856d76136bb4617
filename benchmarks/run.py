"""`make bench`: measure the system against floors measured in the same run, print one table.

Run inside scripts/with-postgres.sh (the Makefile does): it migrates the throwaway
PostgreSQL, generates the county (`seed_demo --scale $BENCH_SCALE`, default county),
then runs every benchmark module and prints one row per measurement: ours vs. the
floor, medians over repeated runs. Nothing here is a test; nothing asserts a time.
BENCH_ONLY=classification,lists (module names without the bench_ prefix) runs only those;
BENCH_WEEKS (default 52) is the confirmed weeks of classification history seeded.
"""

import importlib
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hongan_visits.settings")
# The demo logins' password on the throwaway bench database. The bench runs with DEBUG off,
# where seed_demo asks for one that meets the validators.
os.environ.setdefault("BENCH_PASSWORD", "Bench-only-password-2026!")

MODULES = (
    "bench_lists",
    "bench_classification",
    "bench_followup",
    "bench_statements",
    "bench_exports",
    "bench_import",
    "bench_load",
    "bench_photos",
)


@dataclass
class Row:
    name: str
    ours: float
    floor: float | None
    unit: str = "ms"
    note: str = ""

    @property
    def ratio(self):
        return self.ours / self.floor if self.floor else None


def median_of(fn, repeat=5):
    """Median wall time of fn() in milliseconds over `repeat` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def print_table(rows):
    print(f"{'benchmark':<58} {'ours':>10} {'floor':>10} {'ratio':>7}  note")
    for r in rows:
        floor = f"{r.floor:10.1f}" if r.floor is not None else f"{'—':>10}"
        ratio = f"{r.ratio:7.2f}" if r.ratio is not None else f"{'—':>7}"
        print(f"{r.name:<58} {r.ours:10.1f} {floor} {ratio}  {r.unit} {r.note}")


def _vacuum_analyze():
    """Fresh statistics and visibility map after the bulk load, as autovacuum leaves a live database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def main():
    only = os.environ.get("BENCH_ONLY", "")
    selected = [f"bench_{n.strip()}" for n in only.split(",") if n.strip()] or MODULES
    unknown = sorted(set(selected) - set(MODULES))
    if unknown:
        sys.exit(f"BENCH_ONLY: unknown module(s) {', '.join(unknown)}; known: {', '.join(MODULES)}")
    import django

    django.setup()
    from django.core.management import call_command

    scale = os.environ.get("BENCH_SCALE", "county")
    weeks = int(os.environ.get("BENCH_WEEKS", "52"))
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_demo",
        scale=scale,
        weeks=weeks,
        verbosity=0,
        allow_production=True,
        password=os.environ["BENCH_PASSWORD"],
    )
    print(f"seeded {scale} with {weeks} confirmed weeks in {time.perf_counter() - started:.0f} s")
    # The demo logins of a production-mode seed must change their password first; the
    # benchmarks sign in as them on this throwaway database and time pages, not that step.
    from archives.models import User

    User.objects.update(must_change_password=False)
    _vacuum_analyze()
    rows = []
    for name in selected:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"benchmarks.{name}":
                raise  # a real missing dependency, not a module still to write
            rows.append(Row(name, float("nan"), None, "", "not built yet"))
            continue
        rows += module.run(Row=Row, median_of=median_of)
    print_table(rows)


if __name__ == "__main__":
    main()
