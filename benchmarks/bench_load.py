"""A load test on loopback: gunicorn + PostgreSQL, simulated account managers list → customer → edit → save.

gunicorn (2 workers) is started on a free 127.0.0.1 port with the harness's environment
(DATABASE_URL included) and always stopped at the end. Each simulated user logs in as
an account manager with its own cookie jar, then loops: the customer list, a customer's
page, its edit page, and a POST of the edit form with the same data back. Each
concurrency runs for LOAD_SECONDS or LOAD_ITERATIONS loops, whichever ends first.
Latency is per request; errors are non-2xx/3xx answers, a save that does not redirect,
and exceptions.
"""

import contextlib
import http.cookiejar
import os
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
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo12345")  # seed_demo's default
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
LOAD_ITERATIONS = int(os.environ.get("BENCH_LOAD_ITERATIONS", "400"))
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


def _wait_up(base, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(base + "/login/", timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def _user_loop(client, stop, counter, lock, latencies, errors):
    while not stop.is_set():
        with lock:
            if counter[0] >= LOAD_ITERATIONS:
                return
            counter[0] += 1
        try:
            timed = []
            start = time.perf_counter()
            status, html = client.request("/customers/")
            timed.append((status == 200, start))
            ids = CUSTOMER_LINK.findall(html)
            if not ids:
                raise RuntimeError("no customer on the list")
            pk = ids[counter[0] % len(ids)]
            start = time.perf_counter()
            status, _ = client.request(f"/customers/{pk}/")
            timed.append((status == 200, start))
            start = time.perf_counter()
            status, html = client.request(f"/customers/{pk}/edit/")
            timed.append((status == 200, start))
            form = edit_form(html) if status == 200 else None
            if form is None:
                raise RuntimeError("no edit form")
            start = time.perf_counter()
            status, _ = client.request(f"/customers/{pk}/edit/", form["fields"])
            timed.append((status == 302, start))  # a valid save redirects
            now = time.perf_counter()
            ends = [t[1] for t in timed[1:]] + [now]
            with lock:
                for step, ((ok, began), end) in enumerate(zip(timed, ends, strict=True)):
                    latencies.append((step, (end - began) * 1000))
                    errors[0] += 0 if ok else 1
        except Exception as error:  # a failed loop is an error, not a crash
            with lock:
                errors[0] += 1
                errors[1] = errors[1] or repr(error)[:120]


def _load(base, usernames, users):
    clients = []
    for n in range(users):
        client = Client(base)
        client.login(usernames[n % len(usernames)])
        clients.append(client)
    stop, lock = threading.Event(), threading.Lock()
    counter, latencies, errors = [0], [], [0, ""]
    threads = [
        threading.Thread(target=_user_loop, args=(c, stop, counter, lock, latencies, errors))
        for c in clients
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, LOAD_SECONDS - (time.perf_counter() - start)))
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
        "2",
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
        for users in (8, 32):
            r = _load(base, usernames, users)
            note = (
                f"{r['rps']:.1f} req/s, p50 {r['p50']:.0f} ms, {r['requests']} requests "
                f"in {r['loops']} loops / {r['seconds']:.0f} s, {r['errors']} errors; p50 "
                + " ".join(f"{k} {v:.0f}" for k, v in r["steps"].items())
                + (f" ({r['first_error']})" if r["first_error"] else "")
            )
            name = f"load {users} users p95" + ("/errors" if users == 32 else "")
            rows.append(Row(name, r["p95"], None, note=note))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # workers still draining a queue
        process.wait()
    return rows
