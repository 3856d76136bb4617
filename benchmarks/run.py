"""`make bench`: measure the system against floors measured in the same run, print one table.

Run inside scripts/with-postgres.sh (the Makefile does): it migrates the throwaway
PostgreSQL, generates the county (`seed_demo --scale $BENCH_SCALE`, default county),
then runs every benchmark module and prints one row per measurement: ours vs. the
floor, medians over repeated runs. Nothing here is a test; nothing asserts a time.

BENCH_ONLY=import,lists runs only the modules whose names contain one of those words.
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

MODULES = ("bench_lists", "bench_classification", "bench_statements", "bench_import", "bench_load")


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


def main():
    import django

    django.setup()
    from django.core.management import call_command

    scale = os.environ.get("BENCH_SCALE", "county")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale=scale, verbosity=0)
    only = [w.strip() for w in os.environ.get("BENCH_ONLY", "").split(",") if w.strip()]
    modules = [m for m in MODULES if not only or any(w in m for w in only)]
    rows = []
    for name in modules:
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
