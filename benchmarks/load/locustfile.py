"""Locust scenario: pupils open the survey and press Send once (a tenth of them twice at
the same moment, like an impatient double tap). Run by run_load.py, which checks the
database afterwards."""

from __future__ import annotations

import json
import os
import random
import re

import gevent
from locust import HttpUser, constant, events, task

TOKEN = os.environ["LOAD_TOKEN"]
COLUMNS = os.environ["LOAD_COLUMNS"].split(",")
DOUBLE_TAP_SHARE = 0.1
RESULTS: dict[str, list] = {"submitted": [], "double_taps": [], "errors": [], "uploads": []}
#: "email:password:path-to-pdf" per teacher, ";"-separated (empty: no uploads).
TEACHERS = [t.split(":", 2) for t in os.environ.get("LOAD_TEACHERS", "").split(";") if t]


def _hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    return m.group(1) if m else ""


class Pupil(HttpUser):
    weight = 1
    wait_time = constant(0)
    started = 0

    @task
    def answer_once(self) -> None:
        page = self.client.get(f"/s/{TOKEN}", name="GET survey")
        if page.status_code != 200:
            RESULTS["errors"].append(f"GET {page.status_code}")
            gevent.sleep(3600)
            return
        sid = _hidden(page.text, "submission_id")
        data = {c: str(random.randint(1, 3)) for c in COLUMNS}
        data.update(csrf_token=_hidden(page.text, "csrf_token"), submission_id=sid)

        def send():
            with self.client.post(f"/s/{TOKEN}", data=data, name="POST answers",
                                  allow_redirects=False, catch_response=True) as resp:
                if resp.status_code not in (302, 303):
                    RESULTS["errors"].append(f"POST {resp.status_code} {resp.text[:120]}")
                    resp.failure(f"status {resp.status_code}")
                elif "locked" in resp.text:
                    RESULTS["errors"].append("database is locked")

        Pupil.started += 1
        if Pupil.started % round(1 / DOUBLE_TAP_SHARE) == 0:  # exactly one pupil in ten
            gevent.joinall([gevent.spawn(send), gevent.spawn(send)])
            RESULTS["double_taps"].append(sid)
        else:
            send()
        RESULTS["submitted"].append(sid)
        # One pupil, one submission: idle until the run ends (Locust would otherwise
        # start a fresh user in this one's place).
        gevent.sleep(3600)


class Teacher(HttpUser):
    """Signs in and uploads one 60-page scan while the pupils are answering."""

    fixed_count = len(TEACHERS)
    wait_time = constant(0)
    _next = 0

    @task
    def upload_once(self) -> None:
        email, password, pdf = TEACHERS[Teacher._next % len(TEACHERS)]
        Teacher._next += 1
        page = self.client.get("/login", name="GET login")
        self.client.post("/login", data={"email": email, "password": password,
                                         "csrf_token": _hidden(page.text, "csrf_token")},
                         name="POST login")
        page = self.client.get("/admin/scans/", name="GET scans")
        with open(pdf, "rb") as f:
            resp = self.client.post("/admin/scans/", name="POST scan upload",
                                    data={"csrf_token": _hidden(page.text, "csrf_token")},
                                    files={"file": ("pile.pdf", f, "application/pdf")},
                                    allow_redirects=False)
        if resp.status_code != 303:
            RESULTS["errors"].append(f"upload {resp.status_code} {resp.text[:200]}")
        RESULTS["uploads"].append(email)
        gevent.sleep(3600)


@events.test_stop.add_listener
def _write_results(environment, **_kwargs) -> None:
    with open(os.environ["LOAD_RESULTS"], "w") as f:
        json.dump(RESULTS, f)
