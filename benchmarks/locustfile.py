"""The load bench's simulated users, for locust (benchmarks/bench_load.py runs this file).

Run in a process of its own, never imported by the Django process: importing locust
monkey-patches the standard library for gevent. bench_load.py writes a plan (JSON, path
in LOAD_PLAN) and runs `python benchmarks/locustfile.py --host … --users N --seconds S`,
which prints one JSON object: the measured seconds and, per page, the requests, the
failures, p50/p95 and requests/s (locust's own statistics). Every simulated user logs
in as its own demo user when the seed has enough (else they are shared round-robin);
the clock starts once every user has logged in, so the logins' password hashing is
not measured. `locust -f benchmarks/locustfile.py --host …` with LOAD_PLAN set runs the
same users in locust's own UI.

- ManagerUser, an account manager's day: three times the customer list (following its
  "next page" link) → a customer → its edit page → the edit form posted back unchanged
  (a save redirects); the revisits due and one customer from them; then a field day:
  the form, posted with one of the manager's own villages and three phone-sized photos
  (≈ 300 KB JPEG, 1600×1200, EXIF time of the day and GPS at the village, as
  field_day.js sends them), on a date the manager has not logged (from the plan).
- BranchHeadUser, a branch head's day: the weekly queue (the list of weeks, then the
  latest week), the dashboard and the branch's, a village and, once a run per user, the
  branch's archive export: the village page's export form posted (the export is a job;
  its redirect to the job page is followed).

Think time: 0.5–1.5 s before every request. A manager only touches customers whose
links their own pages show (a manager sees only the villages they own).
"""

# isort: off
import locust  # noqa: F401  (first: gevent's monkey-patching before anything else)
# isort: on

import argparse
import collections
import html
import itertools
import json
import os
import random
import re
import struct
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import gevent
import gevent.event
from locust import HttpUser, between, task
from locust.env import Environment
from PIL import Image

THINK = between(0.5, 1.5)
CUSTOMER_LINK = re.compile(r'href="/customers/(\d+)/(?:#[\w-]*)?"')
NEXT_PAGE = re.compile(r'href="\?([^"]*)">下一页</a>')
WEEK_LINK = re.compile(r'href="(/classification/weeks/\d+/)"')
BRANCH_DASHBOARD = re.compile(r'href="(/classification/dashboard/branches/\d+/)"')
VILLAGE_LINK = re.compile(r'href="(/villages/\d+/)"')
BRANCH_EXPORT = re.compile(r"/branches/\d+/export[^\"]*")
JOB_PAGE = re.compile(r"/jobs/\d+/")


def load_plan() -> dict:
    return json.loads(Path(os.environ["LOAD_PLAN"]).read_text())


PLAN = load_plan() if os.environ.get("LOAD_PLAN") else {}
# Field-day dates left per username, shared by the sessions of one user in this process.
FREE_DATES = {m["username"]: collections.deque(m["dates"]) for m in PLAN.get("managers", [])}
LOGGED_IN = []  # one entry per simulated user that has logged in
# Users start their day together once every one has logged in (main() sets it); a user
# clicking while others still log in would queue behind their password hashing.
GO = gevent.event.Event()
if __name__ != "__main__":
    GO.set()  # in locust's own UI: no waiting


class FormParser(HTMLParser):
    """The fields of each form with method=post, as a browser would send them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self.current = {"action": a.get("action") or "", "fields": [], "checkboxes": []}
            self.forms.append(self.current)
        if self.current is None:
            return
        fields = self.current["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                self.current["checkboxes"].append((name, a.get("value", "on")))
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


def export_form(html: str):
    """The page's form that exports its branch's archive (None if the page has none)."""
    parser = FormParser()
    parser.feed(html)
    return next((f for f in parser.forms if BRANCH_EXPORT.fullmatch(f["action"])), None)


def main_form(html: str):
    """The page's largest POST form that is not the logout form (None if there is none)."""
    parser = FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if "logout" not in f["action"]]
    return max(forms, key=lambda f: len(f["fields"])) if forms else None


def _dms(value: float):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return degrees, minutes, round(((value - degrees) * 60 - minutes) * 60, 3)


def with_exif(jpeg: bytes, date: str, position) -> bytes:
    """The photo with an EXIF block (time taken on `date`, GPS at `position`) put in after SOI."""
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = f"{date.replace('-', ':')} 10:{random.randrange(60):02d}:00"
    if position:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", _dms(position[0]), "E", _dms(position[1])
    block = exif.tobytes()
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block + jpeg[2:]


class _Photos:
    """The plan's pool of distinct photos, handed out in turn (a reused one is a finding)."""

    def __init__(self):
        folder = PLAN.get("photos_dir")
        self.files = sorted(Path(folder).glob("*.jpg")) if folder else []
        self.next = itertools.count()

    def take(self, count):
        return [self.files[next(self.next) % len(self.files)].read_bytes() for _ in range(count)]


PHOTOS = _Photos()


class _Demo(HttpUser):
    abstract = True
    wait_time = THINK
    role = ""

    def on_start(self):
        users = PLAN[self.role]
        slot = next(type(self).slots)
        self.rng = random.Random(slot)
        self.account = users[slot % len(users)]
        self.send("GET", "/login/", "login", think=False)
        fields = {
            "username": self.account["username"],
            "password": PLAN["password"],
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
        }
        self.send("POST", "/login/", "login", think=False, data=fields, expect=(302,))
        LOGGED_IN.append(self.account["username"])
        GO.wait()

    def send(self, method, path, name, *, think=True, expect=(200,), check=None, **kwargs):
        """One request timed under `name` (a think time first); a failure if not as expected."""
        if think:
            self.wait()
        if method == "POST":
            kwargs.setdefault("headers", {"Referer": self.host + path})
        with self.client.request(
            method, path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            if check is not None:
                problem = check(response)
            elif response.status_code not in expect:
                problem = f"answered {response.status_code}"
            else:
                problem = None
            if problem:
                response.failure(f"{name}: {problem}")
            else:
                response.success()
        # DEBUG=false marks the cookies Secure: send them over plain HTTP on loopback too.
        for cookie in self.client.cookies:
            cookie.secure = False
        return response

    def get(self, path, name):
        return self.send("GET", path, name)

    def post(self, path, name, fields, files=None):
        return self.send("POST", path, name, data=fields, files=files, expect=(302,))


class ManagerUser(_Demo):
    """An account manager's day: three customers edited, the revisits due, a field day."""

    weight = 7
    role = "managers"
    slots = itertools.count()

    def on_start(self):
        super().on_start()
        self.list_page = "/customers/"
        self.villages = self.account["villages"]

    @task
    def day(self):
        for _ in range(3):
            self.edit_a_customer()
        due = self.get("/classification/mine/due/", "revisits due").text
        ids = CUSTOMER_LINK.findall(due)
        if ids:
            self.get(f"/customers/{self.rng.choice(ids)}/", "customer")
        self.field_day()

    def edit_a_customer(self):
        listing = self.get(self.list_page, "list").text
        ids = CUSTOMER_LINK.findall(listing)
        following = NEXT_PAGE.search(listing)  # next time the next page; the first after the last
        self.list_page = (
            "/customers/?" + html.unescape(following[1]) if following else "/customers/"
        )
        if not ids:
            return
        pk = self.rng.choice(ids)
        self.get(f"/customers/{pk}/", "customer")
        page = self.get(f"/customers/{pk}/edit/", "edit")
        form = main_form(page.text) if page.status_code == 200 else None
        if form is not None:
            self.post(f"/customers/{pk}/edit/", "save", form["fields"])

    def field_day(self):
        dates = FREE_DATES.get(self.account["username"])
        page = self.get("/assessment/field-days/new/", "field day form")
        form = main_form(page.text) if page.status_code == 200 else None
        if form is None or not dates:
            return  # no form (counted as a failure above), or every free date logged
        date = dates.popleft()
        offered = [v for name, v in form["checkboxes"] if name == "villages"]
        village = self.rng.choice(offered) if offered else ""
        fields = [(k, v) for k, v in form["fields"] if k not in ("date", "villages")]
        fields = [(k, v) for k, v in fields if k not in ("households_visited", "diary")]
        fields += [
            ("date", date),
            ("villages", village),
            ("households_visited", str(self.rng.randint(3, 12))),
            ("diary", "走访农户，了解生产经营和资金需求，宣传信贷产品。"),
        ]
        position = self.villages.get(village)
        photos = [
            ("photos", (f"IMG_{date}_{n}.jpg", with_exif(data, date, position), "image/jpeg"))
            for n, data in enumerate(PHOTOS.take(3))
        ]
        self.post("/assessment/field-days/new/", "field day save", fields, photos)


class BranchHeadUser(_Demo):
    """A branch head's day: the weekly queue, the dashboards, a village, the export once."""

    weight = 1
    role = "heads"
    slots = itertools.count()

    def on_start(self):
        super().on_start()
        self.exported = False

    @task
    def day(self):
        weeks = self.get("/classification/weeks/", "weeks").text
        latest = WEEK_LINK.findall(weeks)
        if latest:
            self.get(latest[0], "weekly queue")
        overview = self.get("/classification/dashboard/", "dashboard").text
        branches = BRANCH_DASHBOARD.findall(overview)
        if branches:
            self.get(branches[0], "branch dashboard")
        villages = VILLAGE_LINK.findall(self.get("/villages/", "villages").text)
        if not villages:
            return
        village = self.get(self.rng.choice(villages), "village").text
        export = export_form(village)
        if export is not None and not self.exported:
            self.exported = True
            self.export(export)

    def export(self, form):
        """The village page's "export the branch" form posted: a job started, its page read."""
        started = self.send(
            "POST", form["action"], "export", data=form["fields"], check=_export_problem
        )
        target = started.headers.get("Location", "")
        if JOB_PAGE.search(target):
            self.get(target.removeprefix(self.host), "export job page")


def _kind(response):
    return response.headers.get("Content-Type", "") if response.status_code else ""


def _export_problem(response):
    """Starting an export answers a redirect to its job page."""
    if response.status_code in (301, 302, 303):
        target = response.headers.get("Location", "")
        return None if JOB_PAGE.search(target) else f"redirected to {target}"
    return f"answered {response.status_code} {_kind(response)}"


def _page_rows(stats):
    rows = {}
    for entry in [*stats.entries.values(), stats.total]:
        name = "all" if entry is stats.total else entry.name
        if name == "login":
            continue
        rows[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "max": entry.max_response_time,
        }
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    args = parser.parse_args()
    env = Environment(user_classes=[ManagerUser, BranchHeadUser], host=args.host)
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    deadline = time.monotonic() + 60 + 3 * args.users  # logins hash a password each
    while len(LOGGED_IN) < args.users and time.monotonic() < deadline:
        gevent.sleep(0.1)
    logged_in = len(LOGGED_IN)
    login_failures = env.stats.get("login", "POST").num_failures
    errors_before = dict(env.stats.errors)
    env.stats.reset_all()  # the clock starts now: every user is signed in
    GO.set()
    started = time.monotonic()
    gevent.sleep(args.seconds)
    seconds = time.monotonic() - started
    pages = _page_rows(env.stats)
    errors = [
        {"name": e.name, "error": str(e.error)[:160], "count": e.occurrences}
        for e in env.stats.errors.values()
    ]
    runner.quit()
    result = {
        "users": args.users,
        "logged_in": logged_in,
        "distinct_users": len(set(LOGGED_IN)),
        "login_failures": login_failures,
        "login_errors": [str(e.error)[:160] for e in errors_before.values()],
        "seconds": seconds,
        "pages": pages,
        "errors": errors,
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
