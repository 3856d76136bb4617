"""A load test on loopback with locust: a manager's day and a branch head's, at 8, 32, 64 users.

The server is started as docs/deployment.md runs it: gunicorn (3 sync workers) on a
free 127.0.0.1 port and one job_worker (django-tasks-db, the production TASKS_BACKEND,
without the schedule), with the harness's environment (DATABASE_URL included); both are
always stopped at the end. The simulated users are benchmarks/locustfile.py (a manager's
day: list, customer, edit, save, revisits due, a field day with three ≈ 300 KB photos;
a branch head's: the weekly queue, the dashboards, the archive export), run headless
by locust as a library in a process of its own (gevent's monkey-patching stays out of
this one), 7 managers to 1 branch head, think time 0.5–1.5 s before every request.

Before each run this process writes the plan the users read: the demo logins (each
simulated user its own while the seed has enough: 18 managers and 3 branch heads at
BENCH_SCALE=20000, 150 and 25 at county), each manager's villages with their place, and
dates on which the manager has logged no field day in an open month. The clock starts
once every user has logged in, and runs BENCH_LOAD_SECONDS (default 30); BENCH_LOAD_USERS
(default 8,32,64) are the runs' users. One row per run
(p95 of every request but the logins) with requests/s and errors, one per page.
"""

import contextlib
import datetime
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = os.environ["BENCH_PASSWORD"]  # set by benchmarks/run.py
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "30"))
WARM_UP_SECONDS = 10
USER_COUNTS = tuple(int(n) for n in os.environ.get("BENCH_LOAD_USERS", "8,32,64").split(","))
WORKERS = "3"  # docs/deployment.md
PHOTOS = 90  # distinct photos in the pool (30 field days before one is used again)
FREE_DATES_KEPT = 40
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def write_photos(folder: Path, count: int = PHOTOS) -> None:
    """Phone-sized visit photos (1600×1200 JPEG at 80 %, ≈ 300 KB), each a different picture."""
    from PIL import Image, ImageFilter

    grain = Image.effect_noise((1600, 1200), 18).convert("RGB")
    for n in range(count):
        channels = [
            Image.effect_noise((200, 150), 80).filter(ImageFilter.GaussianBlur(3)) for _ in "RGB"
        ]
        base = Image.merge("RGB", channels).resize((1600, 1200), Image.Resampling.BICUBIC)
        buffer = io.BytesIO()
        Image.blend(base, grain, 0.36).save(buffer, "JPEG", quality=80)
        (folder / f"photo-{n:03d}.jpg").write_bytes(buffer.getvalue())


def write_plan(path: Path, photos_dir: Path) -> dict:
    """The logins, each manager's villages and free field-day dates, for the locust process."""
    from django.utils import timezone

    from archives.models import Role, User, Village
    from assessment.models import FieldDay, Month
    from assessment.months import month_start

    def usernames(role):
        users = User.objects.filter(role=role, is_active=True).order_by("username")
        return list(users.values_list("username", flat=True))

    managers, heads = usernames(Role.ACCOUNT_MANAGER), usernames(Role.BRANCH_HEAD)
    villages = defaultdict(dict)
    for username, pk, lat, lon in Village.objects.filter(owners__username__in=managers).values_list(
        "owners__username", "pk", "latitude", "longitude"
    ):
        villages[username][str(pk)] = [float(lat), float(lon)] if lat is not None else None
    logged = defaultdict(set)
    for username, day in FieldDay.objects.filter(person__username__in=managers).values_list(
        "person__username", "date"
    ):
        logged[username].add(day)
    closed = set(Month.objects.closed().values_list("month", flat=True))
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=k) for k in range(120)]
    days = [d for d in days if month_start(d) not in closed]
    plan = {
        "password": PASSWORD,
        "photos_dir": str(photos_dir),
        "managers": [
            {
                "username": u,
                "villages": villages[u],
                "dates": [d.isoformat() for d in days if d not in logged[u]][:FREE_DATES_KEPT],
            }
            for u in managers
            if villages[u]  # corporate-only managers own no village
        ],
        "heads": [{"username": u} for u in heads],
    }
    path.write_text(json.dumps(plan))
    return plan


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(base, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(base + "/login/", timeout=10).read()
            return
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def _start(command, env):
    # Its own process group, so a master and its workers are stopped together by its id.
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=sys.stderr, start_new_session=True)


def _stop(process):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers still draining a queue
    process.wait()


def _locust(base, plan_path, users, seconds):
    command = [PYTHON, str(ROOT / "benchmarks" / "locustfile.py"), "--host", base]
    command += ["--users", str(users), "--seconds", str(seconds)]
    env = {**os.environ, "LOAD_PLAN": str(plan_path)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"locust exited with {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _rows(Row, result, plan, load):
    users, pages = result["users"], result["pages"]
    total, seconds = pages.get("all", {}), result["seconds"]
    failures = total.get("failures", 0) + result["login_failures"]
    accounts = len(plan["managers"]) + len(plan["heads"])
    note = (
        f"{total.get('requests', 0) / seconds:.1f} req/s, {total.get('requests', 0)} requests "
        f"in {seconds:.0f} s, {failures} errors, p50 {total.get('p50', 0):.0f} ms; "
        f"{result['distinct_users']} distinct logins of {accounts}; load {load}"
    )
    if result["logged_in"] < users:
        note += f"; only {result['logged_in']} of {users} logged in"
    if result["errors"] or result["login_errors"]:
        first = (result["errors"] or [{"error": result["login_errors"][0]}])[0]["error"]
        note += f" ({first})"
    rows = [
        Row(
            f"load {users} users, think 0.5-1.5 s: p95",
            total.get("p95", float("nan")),
            None,
            note=note,
        )
    ]
    for name, page in sorted(pages.items()):
        if name == "all":
            continue
        rows.append(
            Row(
                f"load {users}: {name} p95",
                page["p95"],
                None,
                note=f"{page['requests']} requests, {page['failures']} errors, p50 {page['p50']:.0f} ms",
            )
        )
    return rows


def run(*, Row, median_of):
    from django.db import connection

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # The production task backend, so a job (an export made one) runs in the worker as deployed.
    env = {**os.environ, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "hongan_visits.wsgi"]
    gunicorn += ["-b", f"127.0.0.1:{port}", "-w", WORKERS, "--timeout", "120"]
    gunicorn += ["--log-level", "warning"]
    worker = [PYTHON, "manage.py", "job_worker", "--no-reload", "--no-schedule"]
    rows = []
    connection.close()  # no connection held idle by this process while the server runs
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        folder = Path(folder)
        (folder / "photos").mkdir()
        write_photos(folder / "photos")
        server, jobs = _start(gunicorn, env), _start(worker, env)
        try:
            _wait_up(base, server)
            # Warm-up, not measured: every worker loads its templates and connects first.
            write_plan(folder / "plan.json", folder / "photos")
            _locust(base, folder / "plan.json", 8, WARM_UP_SECONDS)
            for users in USER_COUNTS:
                plan = write_plan(folder / "plan.json", folder / "photos")
                result = _locust(base, folder / "plan.json", users, LOAD_SECONDS)
                load = " ".join(f"{v:.2f}" for v in os.getloadavg())
                rows += _rows(Row, result, plan, load)
        finally:
            _stop(server)
            _stop(jobs)
    return rows
