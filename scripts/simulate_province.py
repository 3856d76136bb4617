"""`make province`: four banks as four databases on one PostgreSQL server, their weekly work at once.

Run inside scripts/with-postgres.sh (the Makefile does): DATABASE_URL names the throwaway
server. This script creates the databases bank_1 … bank_4 on it, migrates and seeds each in
its own process (`seed_demo --scale PROVINCE_SCALE --weeks 1`, default 17000: a tenth of a
county), writes each bank an archive file of all its customers (the bench's file:
benchmarks/bench_import.py), then runs each bank's work, first one bank at a time, then all
four at once, each in its own process with DATABASE_URL pointing at its database:

  1. the weekly classification run (services.run_week for every branch, a new week, committed),
  2. the archive import of its own file, dry run,
  3. the same import written, in a transaction rolled back at the end (as the bench does, so
     the next round updates every row again).

It prints the wall times per bank and step (alone vs. four at once), each process's own
CPU time, the server's connections (sampled every 0.2 s), the databases' sizes, the biggest
tables' rows per bank and the load average. Nothing here is a test; nothing asserts a time.
PROVINCE_BANKS (default 4) changes the number of banks.
"""

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "Province-only-password-2026!"


def bank_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def run(args, *, url, **kwargs):
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.Popen(args, cwd=ROOT, env=env, **kwargs)


# --- the child: one bank's work in one process -----------------------------------------


def prepare(path: str):
    """Migrate, seed and analyse this bank's database, then write its archive file."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command(
        "seed_demo",
        scale=os.environ.get("PROVINCE_SCALE", "17000"),
        weeks=1,
        verbosity=0,
        allow_production=True,
        password=PASSWORD,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seeded = time.perf_counter() - started
    sys.path.insert(0, str(ROOT))
    from archives.models import Customer
    from benchmarks.bench_import import build_file

    # The bench's file (the import's columns, the family sheet), all of the bank's customers.
    data, _family_rows = build_file(Customer.objects.count())
    Path(path).write_bytes(data)
    print(json.dumps({"seed_s": seeded, "file_kib": len(data) // 1024}), flush=True)


class _Rollback(Exception):
    pass


def work(path: str, start_at: float):
    """The timed work: classification, dry import, written import (rolled back)."""
    import datetime
    import io

    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from archives.imports.archive import import_archive
    from archives.models import Branch, Customer, Role, User
    from classification import services
    from classification.models import Week

    data = Path(path).read_bytes()
    branches = list(Branch.objects.all())
    user = User.objects.filter(role=Role.HEAD_OFFICE).order_by("pk").first()
    customers = Customer.objects.count()
    monday = Week.objects.aggregate(last=Max("week_start"))["last"] + datetime.timedelta(days=7)
    today, now = timezone.localdate(), timezone.now()
    time.sleep(max(0.0, start_at - time.time()))  # every bank starts together
    times, cpu = {}, {}

    def timed(name, fn):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        result = fn()
        times[name] = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu[name] = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        # Each step as it ends, beside the bank's file: a long run can be read while it goes.
        progress = {"times": times, "cpu": cpu, "load": os.getloadavg(), "start_at": start_at}
        Path(f"{path}.{int(start_at)}.json").write_text(json.dumps(progress))
        return result

    def classify():
        for branch in branches:
            services.run_week(branch=branch, today=monday, now=now)

    def imported(dry_run):
        return import_archive(
            io.BytesIO(data),
            filename="province.xlsx",
            user=user,
            today=today,
            now=now,
            dry_run=dry_run,
        )

    def written():
        try:
            with transaction.atomic():
                raise _Rollback(imported(False))
        except _Rollback as rollback:
            return rollback.args[0]

    timed("classify", classify)
    dry = timed("import_dry", lambda: imported(True))
    real = timed("import_written", written)
    ok = dry.ok and real.ok and real.written and real.updated == customers
    print(
        json.dumps(
            {
                "times": times,
                "cpu": cpu,
                "customers": customers,
                "branches": len(branches),
                "updated": [dry.updated, real.updated],
                "unchanged": [dry.unchanged, real.unchanged],
                "problems": [p.as_dict() for p in (dry.problems or real.problems)[:3]],
                "ok": ok,
            }
        ),
        flush=True,
    )


# --- the parent: databases, processes, the server's figures ---------------------------


def admin_connection(base):
    import psycopg

    return psycopg.connect(bank_url(base, "postgres"), autocommit=True)


class Sampler(threading.Thread):
    """The server's connections to the banks' databases and the load, every 0.2 s."""

    def __init__(self, base, names):
        super().__init__(daemon=True)
        self.base, self.names = base, names
        self.stop = threading.Event()
        self.peak_connections = self.peak_active = 0
        self.peak_load = 0.0

    def run(self):
        with admin_connection(self.base) as conn:
            while not self.stop.is_set():
                row = conn.execute(
                    "SELECT count(*), count(*) FILTER (WHERE state = 'active')"
                    " FROM pg_stat_activity WHERE datname = ANY(%s)",
                    [self.names],
                ).fetchone()
                self.peak_connections = max(self.peak_connections, row[0])
                self.peak_active = max(self.peak_active, row[1])
                self.peak_load = max(self.peak_load, os.getloadavg()[0])
                self.stop.wait(0.2)


def child_result(process):
    out, _ = process.communicate()
    if process.returncode:
        sys.exit(f"a bank's process failed (exit {process.returncode})")
    return json.loads(out.strip().splitlines()[-1])


def round_of(base, names, files, *, together):
    """Every bank's work, one after another or all at once; per bank its result."""
    sampler = Sampler(base, names)
    sampler.start()
    started = time.perf_counter()
    results = {}
    if together:
        start_at = time.time() + 5  # time for every process to start Django and read its file
        procs = {
            name: run(
                [PY, __file__, "work", files[name], str(start_at)],
                url=bank_url(base, name),
                stdout=subprocess.PIPE,
                text=True,
            )
            for name in names
        }
        results = {name: child_result(p) for name, p in procs.items()}
    else:
        for name in names:
            p = run(
                [PY, __file__, "work", files[name], str(time.time() + 1)],
                url=bank_url(base, name),
                stdout=subprocess.PIPE,
                text=True,
            )
            results[name] = child_result(p)
    wall = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    return results, wall, sampler


def server_figures(base, names):
    with admin_connection(base) as conn:
        settings = {
            k: conn.execute(f"SHOW {k}").fetchone()[0]
            for k in ("server_version", "max_connections", "shared_buffers", "work_mem")
        }
        sizes = dict(
            conn.execute(
                "SELECT datname, pg_database_size(datname) FROM pg_database WHERE datname = ANY(%s)",
                [names],
            ).fetchall()
        )
    import psycopg

    with psycopg.connect(bank_url(base, names[0])) as conn:
        tables = conn.execute(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables"
            " ORDER BY pg_total_relation_size(relid) DESC LIMIT 12"
        ).fetchall()
    return settings, sizes, tables


def main():
    base = os.environ["DATABASE_URL"]
    count = int(os.environ.get("PROVINCE_BANKS", "4"))
    names = [f"bank_{i}" for i in range(1, count + 1)]
    workdir = Path(os.environ.get("PROVINCE_DIR", ROOT / "test-artifacts" / "province"))
    workdir.mkdir(parents=True, exist_ok=True)
    files = {name: str(workdir / f"{name}.xlsx") for name in names}
    with admin_connection(base) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8'")
    print(f"load before seeding: {os.getloadavg()}", flush=True)
    started = time.perf_counter()
    procs = {
        name: run(
            [PY, __file__, "prepare", files[name]],
            url=bank_url(base, name),
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in names
    }
    prepared = {name: child_result(p) for name, p in procs.items()}
    print(
        f"seeded {count} banks at once in {time.perf_counter() - started:.0f} s: {prepared}",
        flush=True,
    )

    alone, alone_wall, alone_sampler = round_of(base, names, files, together=False)
    alone_load = os.getloadavg()
    together, together_wall, sampler = round_of(base, names, files, together=True)
    together_load = os.getloadavg()
    settings, sizes, tables = server_figures(base, names)

    steps = ("classify", "import_dry", "import_written")
    print()
    print(
        f"{'bank':<8} {'customers':>9} {'step':<15} {'alone s':>8} {'4 at once s':>11} {'ratio':>6} {'cpu alone':>9} {'cpu 4':>6}"
    )
    for name in names:
        a, t = alone[name], together[name]
        for step in steps:
            ratio = t["times"][step] / a["times"][step]
            print(
                f"{name:<8} {a['customers']:>9} {step:<15} {a['times'][step]:8.1f} {t['times'][step]:11.1f}"
                f" {ratio:6.2f} {a['cpu'][step]:9.1f} {t['cpu'][step]:6.1f}"
            )
    ok = all(r["ok"] for r in (*alone.values(), *together.values()))
    print(f"every import checked and wrote every row: {ok}")
    for name in names:
        for label, r in (("alone", alone[name]), ("4 at once", together[name])):
            print(
                f"  {name} {label}: updated (dry, written) {r['updated']}, unchanged {r['unchanged']}",
                end="",
            )
            print(f", first problems {r['problems']}" if r["problems"] else "")
    print(
        f"one bank after another: {alone_wall:.1f} s wall; peak connections {alone_sampler.peak_connections}"
    )
    print(
        f"four banks at once:     {together_wall:.1f} s wall; peak connections {sampler.peak_connections}"
        f" ({sampler.peak_active} active); peak 1-min load {sampler.peak_load:.2f}"
    )
    print(
        f"load average after alone {alone_load}, after together {together_load}; cpus {os.cpu_count()}"
    )
    print(f"server: {settings}")
    for name in names:
        print(f"  {name}: {sizes[name] / 2**20:.0f} MiB")
    print(f"biggest tables of {names[0]} (rows, MiB):")
    for relname, rows, size in tables:
        print(f"  {relname:<45} {rows:>9} {size / 2**20:8.1f}")
    if not ok:
        sys.exit("an import was refused or wrote fewer rows than the file holds")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hongan_visits.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "work":
        work(sys.argv[2], float(sys.argv[3]))
    else:
        main()
