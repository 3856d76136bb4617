"""A load test on loopback: gunicorn + PostgreSQL, simulated account managers list → customer → edit → save.

gunicorn is started as docs/deployment.md runs it (3 sync workers) on a free 127.0.0.1
port with the harness's environment (DATABASE_URL included) and always stopped at the
end. Each simulated user logs in as an account manager with its own cookie jar, then
loops: the customer list, a customer's page, its edit page, and a POST of the edit
form with the same data back. Latency is per request; errors are non-2xx/3xx answers,
a save that does not redirect, and exceptions.

Two ways of simulating, both at 8 and 32 users, each for LOAD_SECONDS:

- **Managers** (the target rows): a user reads each page before the next click, a
  think time drawn uniformly from 0.5–1.5 × BENCH_THINK_SECONDS (default 1 s). A real
  manager spends minutes on a survey form, so this is already a harsh crowd.
- **Closed loop** (capacity): no think time, every user fires its next request as soon
  as the last one answers; the throughput is the server's capacity on this machine, and
  the latency is mostly queueing (users ÷ workers × service time).
"""

import contextlib
import http.cookiejar
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = os.environ["BENCH_PASSWORD"]  # set by benchmarks/run.py
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
WARM_UP_SECONDS = 5
THINK_SECONDS = float(os.environ.get("BENCH_THINK_SECONDS", "1"))
WORKERS = "3"  # docs/deployment.md
CUSTOMER_LINK = re.compile(r'href="/customers/(\d+)/"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to time, not to follow


class _LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """Send the Secure cookies (DEBUG=false sets them) over plain HTTP on loopback too."""

    def return_ok_secure(self, cookie, request):
        return True


class FormParser(HTMLParser):
    """The fields of the page's form with method=post that is not the logout form."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self.current = {"action": a.get("action") or "", "fields": []}
            self.forms.append(self.current)
        if self.current is None:
            return
        fields = self.current["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self.select = {"name": name, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in a:
                self.select["chosen"].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.current is not None:
            s = self.select
            chosen = s["chosen"] or ([] if s["first"] is None else [s["first"]])
            self.current["fields"] += [(s["name"], v) for v in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            value = self.textarea[1]
            self.current["fields"].append((self.textarea[0], value.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.current = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def edit_form(html: str):
    parser = FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if "logout" not in f["action"]]
    return max(forms, key=lambda f: len(f["fields"])) if forms else None


class Client:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar(_LoopbackPolicy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path, data=None, timeout=30):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if body is not None:
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def login(self, username):
        self.request("/login/", timeout=120)
        status, _ = self.request(
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            timeout=120,
        )
        if status != 302:
            raise RuntimeError(f"login of {username} answered {status}")


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


class _Stopped(Exception):
    pass


def _user_loop(client, stop, counter, lock, latencies, errors, think, rng):
    def timed(step, path, data=None, expect=200):
        if think and stop.wait(rng.uniform(0.5 * think, 1.5 * think)):
            raise _Stopped  # the run ended while this user was reading
        start = time.perf_counter()
        status, html = client.request(path, data)
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            latencies.append((step, elapsed))
            errors[0] += 0 if status == expect else 1
        return status, html

    while not stop.is_set():
        with lock:
            counter[0] += 1
            loop = counter[0]
        try:
            _status, html = timed(0, "/customers/")
            ids = CUSTOMER_LINK.findall(html)
            if not ids:
                raise RuntimeError("no customer on the list")
            pk = ids[loop % len(ids)]
            timed(1, f"/customers/{pk}/")
            status, html = timed(2, f"/customers/{pk}/edit/")
            form = edit_form(html) if status == 200 else None
            if form is None:
                raise RuntimeError("no edit form")
            timed(3, f"/customers/{pk}/edit/", form["fields"], expect=302)  # a save redirects
        except _Stopped:
            return
        except Exception as error:  # a failed loop is an error, not a crash
            with lock:
                errors[0] += 1
                errors[1] = errors[1] or repr(error)[:120]


def _load(base, usernames, users, think, seconds=LOAD_SECONDS):
    clients = []
    for n in range(users):
        client = Client(base)
        client.login(usernames[n % len(usernames)])
        clients.append(client)
    stop, lock = threading.Event(), threading.Lock()
    counter, latencies, errors = [0], [], [0, ""]
    threads = [
        threading.Thread(
            target=_user_loop,
            args=(c, stop, counter, lock, latencies, errors, think, random.Random(n)),
        )
        for n, c in enumerate(clients)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    steps = {
        name: statistics.median([ms for n, ms in latencies if n == step] or [float("nan")])
        for step, name in enumerate(("list", "customer", "edit", "save"))
    }
    latencies = [ms for _step, ms in latencies]
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else float("nan")
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p95": p95,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "errors": errors[0],
        "first_error": errors[1],
        "loops": counter[0],
        "steps": steps,
        "seconds": elapsed,
    }


def run(*, Row, median_of):
    from archives.models import Role, User

    usernames = list(
        User.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "hongan_visits.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        WORKERS,
        "--log-level",
        "warning",
    ]
    rows = []
    # Its own process group, so the master and its workers are stopped together by its id.
    process = subprocess.Popen(
        command, cwd=ROOT, env=dict(os.environ), stdout=sys.stderr, start_new_session=True
    )
    try:
        _wait_up(base, process)
        # Warm-up, not measured: every worker loads its templates and connects first,
        # as a server that has been up for a while has.
        _load(base, usernames, 8, 0, seconds=WARM_UP_SECONDS)
        for think, label in ((THINK_SECONDS, "managers"), (0, "closed loop")):
            for users in (8, 32):
                r = _load(base, usernames, users, think)
                note = (
                    f"{r['rps']:.1f} req/s, p50 {r['p50']:.0f} ms, {r['requests']} requests "
                    f"in {r['seconds']:.0f} s, {r['errors']} errors; p50 "
                    + " ".join(f"{k} {v:.0f}" for k, v in r["steps"].items())
                    + (f" ({r['first_error']})" if r["first_error"] else "")
                )
                thinking = f", think {think:g} s" if think else ", no think time"
                rows.append(Row(f"load {users} {label}{thinking}: p95", r["p95"], None, note=note))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # workers still draining a queue
        process.wait()
    return rows
