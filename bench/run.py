"""Every benchmark of the portal in one run: ``python -m bench.run`` (``make bench``).

Builds a dedicated database (``qmi_bench`` by default) from scratch, seeds it
with ``seed_demo --scale N``, measures the staff pages in-process, then starts
gunicorn (2 workers, the portal's settings) on 127.0.0.1 and measures web
throughput against two reference views served the same way in the same run,
the CSV export and a deadline rush. Prints one table and writes it as JSON
under ``bench/results/``. A missed goal is a figure, not a failure: the exit
status is non-zero only when the benchmarks could not run at all.

A benchmark whose URL still answers 404 (its part of the portal is not built
yet) is reported as "not available yet" and skipped.
"""

import argparse
import contextlib
import csv
import dataclasses
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid as uuid_module
from html.parser import HTMLParser
from pathlib import Path

from .load import run_load

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
DEFAULT_DATABASE = "postgres://postgres:postgres@127.0.0.1:5432/qmi_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
BIG_CALL = "demo-qmi2-experimenters-phase-3"
OPEN_CALL = "demo-qmi2-experimenters-phase-4"
# What ``--only`` can select; the reference views are measured whenever "public" or "form" is.
GROUPS = (
    "staff",
    "dashboard",
    "public",
    "form",
    "export",
    "rush",
    "reminders",
    "reports",
)
# The background benchmarks run in their own processes, on their own database
# (--database-url's name + "_background") and Redis database (--redis-url's - 1).


class CannotRun(Exception):
    """The benchmarks cannot run here (no database, no gunicorn…): exit non-zero."""


@dataclasses.dataclass
class Result:
    key: str
    measure: str
    figure: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""
    values: dict = dataclasses.field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "skipped" if not self.figure else "-"
        return "ok" if self.met else "MISSED"


# Output.


def format_table(results: list[Result]) -> str:
    rows = [("Measure", "Figure", "Goal", "Verdict")]
    rows += [(r.measure, r.figure or r.note, r.goal, r.verdict) for r in results]
    widths = [min(max(len(row[i]) for row in rows), 60) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell if len(cell) <= 60 else cell[:57] + "..." for cell in row]
        lines.append(
            " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        )
        if index == 0:
            lines.append("-+-".join("-" * width for width in widths))
    notes = [f"- {r.measure}: {r.note}" for r in results if r.note and r.figure]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)


def write_json(results: list[Result], meta: dict, directory: Path = RESULTS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"bench-{stamp}.json"
    payload = {
        "meta": meta,
        "results": [{**dataclasses.asdict(r), "verdict": r.verdict} for r in results],
    }
    path.write_text(json.dumps(payload, indent=2, default=str))
    (directory / "latest.json").write_text(path.read_text())
    return path


# Environment, database, Redis.


def bench_environment(database_url: str, redis_url: str) -> dict:
    private = ROOT / "var" / "bench" / "private"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qmi_portal.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "SECRET_KEY": "bench-only-secret-key-not-for-production",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "BENCH_REFERENCE_VIEWS": "1",
        "MAP_TILES_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_MEDIA_ROOT": str(private),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
        "PYTHONPATH": str(ROOT),
        "STATIC_ROOT": str(ROOT / "var" / "bench" / "static"),
    }


def recreate_database(database_url: str):
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name) or name in ("postgres", "qmi_portal"):
        raise CannotRun(f"Refusing to recreate the database {name!r}: use a dedicated one.")
    try:
        with psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=urllib.parse.unquote(parts.username or ""),
            password=urllib.parse.unquote(parts.password or ""),
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        ) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        raise CannotRun(f"PostgreSQL does not answer at {parts.hostname}: {error}") from error


def flush_redis(redis_url: str):
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_timeout=5).flushdb()
    except redis.RedisError as error:
        raise CannotRun(f"Redis does not answer at {redis_url}: {error}") from error


def manage(env, *arguments, timeout=3600) -> tuple[float, str]:
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, str(ROOT / "manage.py"), *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode:
        raise CannotRun(
            f"manage.py {' '.join(arguments)} failed:\n{completed.stdout}\n{completed.stderr}"
        )
    return time.perf_counter() - started, completed.stdout


# In-process measures (Django test client).


def median_ms(samples):
    return statistics.median(samples) * 1000


def measure_page(client, url, runs):
    """(status, median ms, queries) of a page, after one warm-up request."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, None, None
    # Each request starts by clearing the query log: start from an empty one.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries)  # Read now: the next request clears the log it reads from.
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        samples.append(time.perf_counter() - started)
    return 200, median_ms(samples), count


def staff_pages(client) -> dict:
    """The URLs of the staff pages measured at scale, or None where they do not exist."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    pages = {}
    with translation.override("fr"):
        try:
            pages["admin"] = reverse("admin:calls_application_changelist")
        except NoReverseMatch:
            pages["admin"] = None
        pages["statistics"] = reverse("calls:call_statistics", kwargs={"slug": BIG_CALL})
        # The page keeps its figures a minute; ?fresh=1 computes them at every request.
        pages["statistics_fresh"] = pages["statistics"] + "?fresh=1"
    return pages


# gunicorn.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, env, log_path: Path, workers=2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = Path(PYTHON).with_name("gunicorn")
        if not gunicorn.exists():
            gunicorn = shutil.which("gunicorn")
        if not gunicorn:
            raise CannotRun("gunicorn is not installed (pip install -r requirements.txt).")
        self.log = log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own server, on loopback
            [
                str(gunicorn),
                "qmi_portal.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CannotRun(f"gunicorn stopped at start: see {self.log.name}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _headers, _body = request(self.base + "/fr/")
                if status:
                    return
            time.sleep(0.3)
        raise CannotRun("gunicorn did not answer within a minute.")

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# A tiny HTTP client that keeps cookies and reads forms (for the signed-in flows).


def request(url, *, method="GET", headers=None, body=None, timeout=60):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Browser:
    def __init__(self, base, cookies=None):
        self.base = base
        self.cookies = dict(cookies or {})

    def _headers(self, extra=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _remember(self, headers):
        for name, value in headers.items():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()

    def get(self, path):
        status, headers, body = request(self.base + path, headers=self._headers())
        self._remember(headers)
        return status, headers, body.decode("utf-8", "replace")

    def post(self, path, fields, files=None, referer=None):
        extra = {"Referer": referer or self.base + path, "Origin": self.base}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        extra["Content-Type"] = content_type
        status, headers, content = request(
            self.base + path, method="POST", headers=self._headers(extra), body=body, timeout=180
        )
        self._remember(headers)
        return status, headers, content


def multipart(fields, files):
    boundary = uuid_module.uuid4().hex
    chunks = []
    for name, value in fields:
        chunks.append(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, content, content_type in files:
        chunks.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


class FormReader(HTMLParser):
    """The forms of a page: action, fields (name, type, value, checked), file inputs, buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": [], "files": [], "buttons": []})
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                form["files"].append(name)
            elif kind == "submit":
                form["buttons"].append((name, attrs.get("value", "")))
            elif kind in ("checkbox", "radio"):
                form["fields"].append((name, kind, attrs.get("value", "on"), "checked" in attrs))
            else:
                form["fields"].append((name, kind, attrs.get("value", ""), True))
        elif tag == "button" and name and attrs.get("type", "submit") == "submit":
            form["buttons"].append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "selected": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None and value:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["selected"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1]["fields"].append(
                (self._textarea[0], "textarea", self._textarea[1], True)
            )
            self._textarea = None
        elif tag == "select" and self._select is not None and self.forms:
            values = self._select["selected"] or [self._select["first"] or ""]
            for value in values:
                self.forms[-1]["fields"].append((self._select["name"], "select", value, True))
            self._select = None


def read_forms(html: str) -> list[dict]:
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def form_data(form, *, check_all=False) -> list[tuple[str, str]]:
    data = []
    for name, kind, value, checked in form["fields"]:
        if kind in ("checkbox", "radio") and not (checked or (check_all and kind == "checkbox")):
            continue
        data.append((name, value))
    return data


# The benchmarks.


class Bench:
    def __init__(self, args):
        self.args = args
        self.results: list[Result] = []
        self.env = bench_environment(args.database_url, args.redis_url)
        self.small_queries = {}
        self.server = None

    def add(self, result: Result) -> Result:
        self.results.append(result)
        print(f"  {result.measure}: {result.figure or result.note}", flush=True)
        return result

    def run(self):
        name = urllib.parse.urlsplit(self.args.database_url).path[1:]
        if self.args.reuse:
            print(f"Reusing the database {name} (pending migrations applied)…")
            (ROOT / "var" / "bench" / "static").mkdir(parents=True, exist_ok=True)
            manage(self.env, "migrate", "--noinput", "-v", "0")
        else:
            print(f"Preparing the database {name}…")
            recreate_database(self.args.database_url)
            flush_redis(self.args.redis_url)
            shutil.rmtree(ROOT / "var" / "bench", ignore_errors=True)
            (ROOT / "var" / "bench" / "static").mkdir(parents=True)
            manage(self.env, "migrate", "--noinput", "-v", "0")
            manage(self.env, "seed_demo", "--force")
        os.environ.update(self.env)
        import django

        django.setup()
        from django.test import Client

        self.client = Client()
        self._staff_client()
        if not self.args.reuse:
            self.small_queries = self.measure_staff_pages(record=False)
            self.guard("seed", "seed_demo --scale", self.measure_seed)
        if self.selected("staff"):
            self.guard("staff", "Staff pages", lambda: self.measure_staff_pages(record=True))
        if self.selected("dashboard"):
            self.guard("dashboard", "Municipality dashboard", self.measure_dashboard)
        if self.selected("public", "form", "export", "rush"):
            self.server = Gunicorn(self.gunicorn_env(), ROOT / "var" / "bench" / "gunicorn.log")
            try:
                self.server.wait_ready()
                if self.selected("public", "form"):
                    self.guard("throughput", "Throughput", self.measure_throughput)
                if self.selected("export"):
                    self.guard("export", "CSV export", self.measure_export)
                if self.selected("rush"):
                    self.guard("rush", "Deadline rush", self.measure_rush)
            finally:
                self.server.stop()
        # Last: they drop and create their own database, and start their own Celery worker.
        if self.selected("reminders"):
            self.guard("reminders", "Reminder sweep", self.measure_reminders)
        if self.selected("reports"):
            self.guard("reports", "PDF reports", self.measure_reports)

    def selected(self, *groups) -> bool:
        """Whether ``--only`` (every group when not given) includes one of ``groups``."""
        only = getattr(self.args, "only", None)
        return not only or any(group in only for group in groups)

    def guard(self, key, measure, function):
        """Run one benchmark; an error in it is reported in the table, the others still run."""
        try:
            function()
        except CannotRun:
            raise
        except Exception as error:  # A benchmark that breaks is a figure too.
            message = str(error).strip().splitlines()[0][:150] if str(error).strip() else ""
            self.add(
                Result(key=key, measure=measure, note=f"failed: {type(error).__name__} {message}")
            )

    # Dashboard and background work (their own modules, also runnable alone).

    def measure_dashboard(self):
        from .dashboard import measure_dashboard

        runs = 3 if self.args.quick else 15
        scale = {"experiments": 3, "indicators": 2, "months": 3} if self.args.quick else {}
        for result in measure_dashboard(runs=runs, **scale):
            self.add(result)

    def background(self, module, *arguments) -> list | dict:
        """``python -m bench.<module> --json`` on its own database; its JSON output."""
        database = urllib.parse.urlsplit(self.args.database_url)
        database_url = database._replace(path=f"{database.path}_background").geturl()
        redis = urllib.parse.urlsplit(self.args.redis_url)
        redis_db = max(int(redis.path.strip("/") or 0) - 1, 0)
        redis_url = redis._replace(path=f"/{redis_db}").geturl()
        child = subprocess.run(  # noqa: S603 — our own benchmark
            [
                PYTHON,
                "-m",
                f"bench.{module}",
                "--json",
                "--database-url",
                database_url,
                "--redis-url",
                redis_url,
                *arguments,
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        try:
            return json.loads(child.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            error = (child.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"bench.{module} exited {child.returncode}: {error}") from None

    def measure_reminders(self):
        arguments = ("--drafts", "2000", "--tasks", "200") if self.args.quick else ()
        for row in self.background("reminders", *arguments):
            self.add(Result(**row))

    def measure_reports(self):
        from .edition_report import MEMORY_GOAL_MB, REPORT_GOAL

        arguments = ("--applications", "60") if self.args.quick else ()
        for row in self.background("reports", *arguments):
            self.add(Result(**row))
        arguments = ("--districts", "2", "--experiments", "2") if self.args.quick else ()
        result = self.background("edition_report", *arguments)
        measure = "Edition impact report"
        if result.get("status") != "done":
            self.add(
                Result(
                    key="report_edition",
                    measure=measure,
                    note=f"{result.get('status')}: {str(result.get('error'))[:120]}",
                )
            )
            return
        pages = result["pages"]
        self.add(
            Result(
                key="report_edition",
                measure=f"{measure} ({pages} pages)",
                figure=f"{result['seconds']:.1f} s, {result['peak_mb']:.0f} MB peak",
                goal=f"<= {REPORT_GOAL:.0f} s, <= {MEMORY_GOAL_MB} MB (100 pages)",
                met=result["seconds"] <= REPORT_GOAL * max(pages, 100) / 100
                and result["peak_mb"] <= MEMORY_GOAL_MB,
                note="goal per 100 pages (scaled above 100); RSS of the rendering process",
                values=result,
            )
        )

    def _staff_client(self):
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.get(username="demo-staff")
        self.client.force_login(staff)
        self.staff_cookie = self.client.cookies["sessionid"].value

    def gunicorn_env(self):
        """The portal's settings; the reference URLs from the bench's URL map if not mounted."""
        from django.urls import NoReverseMatch, reverse

        env = dict(self.env)
        try:
            reverse("bench_hello")
        except NoReverseMatch:
            env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
            self.reference_note = (
                "reference views mounted by bench/settings.py (qmi_portal/urls.py does not "
                "include bench.urls yet)"
            )
        else:
            self.reference_note = ""
        return env

    # (a) Seeding.

    def measure_seed(self):
        scale = self.args.scale
        print(f"Seeding {scale} applications…", flush=True)
        seconds, output = manage(self.env, "seed_demo", "--force", "--scale", str(scale))
        found = re.search(r"Scale: (\d+) applications created .* in ([\d.]+) s", output)
        bulk = float(found.group(2)) if found else seconds
        # What autovacuum would do a little later: the planner needs the new rows' statistics.
        manage(
            self.env,
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
        )
        per_100k = bulk * 100_000 / max(scale, 1)
        self.add(
            Result(
                key="seed",
                measure=f"seed_demo --scale {scale}",
                figure=f"{seconds:.1f} s in all, {bulk:.1f} s for the bulk part "
                f"({per_100k:.0f} s per 100k)",
                goal="a couple of minutes per 100k (< 120 s)",
                met=per_100k < 120 if scale >= 10_000 else None,
                values={"seconds": seconds, "bulk_seconds": bulk, "scale": scale},
            )
        )

    # (b) Staff pages at scale.

    def measure_staff_pages(self, *, record):
        pages = staff_pages(self.client)
        counts = {}
        labels = {
            "admin": "Admin list of applications",
            "statistics": "Call statistics page",
            "statistics_fresh": "Call statistics page computed afresh (?fresh=1)",
        }
        for key, url in pages.items():
            measure = f"{labels[key]} ({self.args.scale} applications)"
            if url is None:
                if record:
                    self.add(Result(key=key, measure=measure, note="not available yet"))
                continue
            status, ms, queries = measure_page(self.client, url, self.args.runs)
            if status != 200:
                if record:
                    note = "not available yet (404)" if status == 404 else f"answered {status}"
                    self.add(Result(key=key, measure=measure, note=note))
                continue
            counts[key] = queries
            if record:
                small = self.small_queries.get(key)
                constant = small is None or small == queries
                self.add(
                    Result(
                        key=key,
                        measure=measure,
                        figure=f"{ms:.0f} ms median, {queries} queries"
                        + (f" ({small} with the small demo)" if small is not None else ""),
                        goal="< 300 ms, query count constant",
                        met=ms < 300 and constant,
                        values={"median_ms": ms, "queries": queries, "queries_small": small},
                    )
                )
        return counts

    # (c) Throughput.

    def load(self, url, **kwargs):
        run_load(url, seconds=1, connections=self.args.connections, **kwargs)  # Warm-up.
        return run_load(
            url, seconds=self.args.duration, connections=self.args.connections, **kwargs
        )

    def measure_throughput(self):
        base = self.server.base
        print("Measuring throughput…", flush=True)
        references = {}
        for key, path, label in [
            ("hello", "/bench/hello/", "Reference: hello world"),
            ("one_query", "/bench/one-query/", "Reference: one query, 50-line template"),
        ]:
            status, _, _ = request(base + path)
            if status != 200:
                self.add(Result(key=key, measure=label, note=f"answered {status}: not mounted"))
                continue
            result = self.load(base + path)
            references[key] = result.rps
            self.add(
                Result(
                    key=key,
                    measure=label,
                    figure=f"{result.rps:.0f} req/s",
                    note=self.reference_note,
                    values=self._load_values(result),
                )
            )
        self.references = references
        from django.urls import reverse
        from django.utils import translation

        with translation.override("fr"):
            public = [
                ("home", reverse("municipalities:home"), "Anonymous home"),
                ("calls", reverse("calls:call_list"), "Anonymous list of calls"),
                (
                    "call",
                    reverse("calls:call_detail", kwargs={"slug": OPEN_CALL}),
                    "Anonymous call page",
                ),
            ]
        if self.selected("public"):
            for key, path, label in public:
                self._throughput_vs(key, label, path, "hello", 0.5)
        if self.selected("form"):
            self._signed_in_form()

    def _throughput_vs(self, key, label, path, reference, goal, **kwargs):
        base = self.server.base
        headers = kwargs.get("headers", {})
        method = kwargs.get("method", "GET")
        body = kwargs.get("body", b"")
        status, response_headers, _ = request(
            base + path, method=method, headers=headers, body=body or None
        )
        status, response_headers, _ = request(
            base + path, method=method, headers=headers, body=body or None
        )
        if status == 404:
            self.add(Result(key=key, measure=label, note="not available yet (404)"))
            return
        if status >= 400:
            self.add(Result(key=key, measure=label, note=f"answered {status}"))
            return
        result = self.load(
            base + path,
            method=method,
            headers=headers,
            body=body,
            variants=kwargs.get("variants"),
        )
        cache_state = response_headers.get("X-Public-Cache", "")
        note = ""
        if method == "GET" and not headers:
            note = {
                "hit": "served from the page cache",
                "bypass": "not cacheable (the page uses the CSRF token or sets a cookie)",
                "": "not cached: public_page is not applied to this view",
            }.get(cache_state, cache_state)
        reference_rps = self.references.get(reference)
        ratio = result.rps / reference_rps if reference_rps else None
        figure = f"{result.rps:.0f} req/s"
        if ratio is not None:
            figure += f", {ratio:.0%} of {reference.replace('_', '-')}"
        if result.errors:
            figure += f", {result.errors} errors"
        self.add(
            Result(
                key=key,
                measure=label,
                figure=figure,
                goal=f">= {goal:.0%} of {reference.replace('_', '-')}",
                met=None if ratio is None else ratio >= goal and not result.errors,
                note=note,
                values={**self._load_values(result), "ratio": ratio, "cache": cache_state},
            )
        )

    @staticmethod
    def _load_values(result):
        return {
            "rps": result.rps,
            "requests": result.requests,
            "seconds": result.seconds,
            "errors": result.errors,
            "p50_ms": result.latency_p50_ms,
            "p99_ms": result.latency_p99_ms,
            "tool": result.tool,
        }

    def _applicant_session(self, email, **fields):
        """An applicant signed in, with a draft on the open call: (cookies, application)."""
        from importlib import import_module

        from django.conf import settings
        from django.contrib.auth import (
            BACKEND_SESSION_KEY,
            HASH_SESSION_KEY,
            SESSION_KEY,
            get_user_model,
        )
        from django.contrib.auth.hashers import make_password
        from django.middleware.csrf import _get_new_csrf_string

        from calls.models import Application, Call
        from qmi_portal import signed_in

        user, _ = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email, "password": make_password(None)}
        )
        call = Call.objects.get(slug=OPEN_CALL)
        application = Application.objects.create(
            call=call, applicant=user, contact_email=email, **fields
        )
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = signed_in.BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies = {settings.SESSION_COOKIE_NAME: session.session_key}
        cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
        return cookies, application

    def _signed_in_form(self):
        """As many applicants as connections, each on their own draft (one person's
        autosaves follow each other; they never wait for their own row's lock)."""
        from django.conf import settings

        people = []  # (cookies, step path, cookie header) of each applicant
        for _ in range(self.args.connections):
            cookies, application = self._applicant_session(
                f"bench-form-{uuid_module.uuid4().hex[:8]}@example.org",
                organisation_name="Atelier de mesure",
                solution_name="Banc de mesure",
            )
            step = f"/fr/applications/{application.uuid}/step/solution/"
            people.append((cookies, step, "; ".join(f"{k}={v}" for k, v in cookies.items())))
        cookies, step, cookie_header = people[0]
        headers = {"Cookie": cookie_header}
        self._throughput_vs(
            "form_get",
            "Signed-in form step (GET)",
            step,
            "one_query",
            0.7,
            headers=headers,
            variants=[(path, {"Cookie": header}, b"") for _cookies, path, header in people],
        )
        status, _, html = Browser(self.server.base, cookies).get(step)
        if status != 200:
            self.add(
                Result(
                    key="form_autosave",
                    measure="Signed-in autosave (POST)",
                    note="not available yet (404)" if status == 404 else f"answered {status}",
                )
            )
            return
        forms = [form for form in read_forms(html) if form["attrs"].get("id") == "step-form"]
        fields = form_data(forms[0]) if forms else []
        fields = [(name, value) for name, value in fields if name != "csrfmiddlewaretoken"]
        body = urllib.parse.urlencode(fields).encode()

        def post_headers(cookies, header):
            return {
                "Cookie": header,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": cookies[settings.CSRF_COOKIE_NAME],
                "X-Requested-With": "XMLHttpRequest",
            }

        self._throughput_vs(
            "form_autosave",
            "Signed-in autosave (POST)",
            step + "autosave/",
            "one_query",
            0.7,
            method="POST",
            headers=post_headers(cookies, cookie_header),
            body=body,
            variants=[
                (path + "autosave/", post_headers(cookies, header), body)
                for cookies, path, header in people
            ],
        )
        from django.db import connection, reset_queries
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client()
        client.cookies.load(cookies)
        counts = []
        for _ in range(2):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                client.get(step)
            counts.append(len(queries))
        for result in self.results:
            if result.key == "form_get" and result.figure:
                result.note = f"{counts[-1]} queries per GET"
                result.values["queries"] = counts[-1]

    # (d) CSV export.

    def measure_export(self):
        from django.conf import settings
        from django.urls import reverse
        from django.utils import translation

        from calls.models import Application

        with translation.override("fr"):
            path = reverse("calls:call_export_csv", kwargs={"slug": BIG_CALL})
        rows_in_call = Application.objects.filter(call__slug=BIG_CALL).count()
        measure = f"CSV export ({rows_in_call} applications of one call)"
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.staff_cookie}"}
        pids = self.server.worker_pids()
        baseline = {pid: rss_mb(pid) for pid in pids}
        peak = dict(baseline)
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                for pid in pids:
                    peak[pid] = max(peak[pid], rss_mb(pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        parts = urllib.parse.urlsplit(self.server.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            status = response.status
            size, first_byte = 0, None
            broken = ""
            with tempfile.TemporaryFile() as sink:
                try:
                    while chunk := response.read(256 * 1024):
                        if first_byte is None:
                            first_byte = time.perf_counter() - started
                        size += len(chunk)
                        sink.write(chunk)
                except (OSError, http.client.HTTPException) as error:
                    broken = f"{type(error).__name__}"
                seconds = time.perf_counter() - started
                sink.seek(0)
                rows = sum(1 for _ in csv.reader(line.decode("utf-8", "replace") for line in sink))
        finally:
            connection.close()
            stop.set()
            sampler.join()
        if status != 200:
            note = "not available yet (404)" if status == 404 else f"answered {status}"
            self.add(Result(key="export", measure=measure, note=note))
            return
        growth = max((peak[pid] - baseline[pid] for pid in pids), default=0.0)
        if broken:
            self.add(
                Result(
                    key="export",
                    measure=measure,
                    figure=f"stream broken after {seconds:.1f} s and {size / 1e6:.1f} MB",
                    goal="< 3 s per 100k rows, memory flat (< +50 MB)",
                    met=False,
                    note=f"{broken}: the worker died or timed out, see var/bench/gunicorn.log",
                    values={"seconds": seconds, "bytes": size, "rss_growth_mb": growth},
                )
            )
            return
        per_100k = seconds * 100_000 / max(rows - 1, 1)
        self.add(
            Result(
                key="export",
                measure=measure,
                figure=(
                    f"{seconds:.2f} s for {rows - 1} rows ({per_100k:.2f} s per 100k), "
                    f"{size / 1e6:.0f} MB, worker memory +{growth:.0f} MB"
                ),
                goal="< 3 s per 100k rows, memory flat (< +50 MB)",
                met=per_100k < 3 and growth < 50,
                note=f"first byte after {first_byte or 0:.2f} s",
                values={
                    "seconds": seconds,
                    "rows": rows - 1,
                    "bytes": size,
                    "seconds_per_100k": per_100k,
                    "rss_growth_mb": growth,
                    "rss_baseline_mb": baseline,
                },
            )
        )

    # (e) Deadline rush.

    def measure_rush(self):
        from calls.demo import _siret
        from calls.models import Application, Call, ReferenceCounter

        count = self.args.rush
        measure = f"Deadline rush: {count} applicants submit at once with a 1 MB file"
        cookies, probe = self._applicant_session(
            f"bench-rush-probe-{uuid_module.uuid4().hex[:8]}@example.org"
        )
        status, _, _ = Browser(self.server.base, cookies).get(
            f"/fr/applications/{probe.uuid}/step/attachments/"
        )
        if status != 200:
            note = "not available yet (404)" if status == 404 else f"answered {status}"
            self.add(Result(key="rush", measure=measure, note=note))
            return
        call = Call.objects.get(slug=OPEN_CALL)
        district = call.districts.first()
        themes = list(call.edition.challenges.all()[:1])
        impacts = {criterion.code: "Un impact mesuré." for criterion in call.criteria.all()}
        applicants = []
        for index in range(count):
            cookies, application = self._applicant_session(
                f"bench-rush-{index}-{uuid_module.uuid4().hex[:6]}@example.org",
                organisation_name=f"Organisation de mesure {index}",
                legal_form="association",
                country="FR",
                siret=_siret(random.Random(index)),  # noqa: S311 - test data
                contact_first_name="Camille",
                contact_last_name=f"Mesure {index}",
                solution_name=f"Solution de mesure {index}",
                solution_summary="Un prototype testé avec les habitants.",
                solution_description="Un prototype testé avec les habitants du quartier.",
                maturity="prototype",
                expected_impacts=impacts,
            )
            application.themes.set(themes)
            application.target_districts.set([district])
            applicants.append((cookies, application))
        counter_before = (
            ReferenceCounter.objects.filter(edition=call.edition, kind=call.kind)
            .values_list("last_number", flat=True)
            .first()
            or 0
        )
        pdf = rush_pdf()
        statuses, latencies, failures = [], [], []
        lock = threading.Lock()
        barrier = threading.Barrier(count)

        def applicant(cookies, application):
            browser = Browser(self.server.base, cookies)
            attachments = f"/fr/applications/{application.uuid}/step/attachments/"
            review = f"/fr/applications/{application.uuid}/review/"
            try:
                barrier.wait(60)
                started = time.perf_counter()
                status, _, html = browser.get(attachments)
                mine = [status]
                form = next((f for f in read_forms(html) if f["files"]), None)
                if form is None:
                    raise RuntimeError("no upload form on the attachments step")
                fields = form_data(form)
                buttons = form["buttons"]
                if buttons:
                    fields.append(next((b for b in buttons if b[1] == "next"), buttons[0]))
                status, _, _ = browser.post(
                    attachments,
                    fields,
                    files=[(form["files"][0], "presentation.pdf", pdf, "application/pdf")],
                )
                mine.append(status)
                status, _, html = browser.get(review)
                mine.append(status)
                form = next(
                    (f for f in read_forms(html) if f["attrs"].get("id") == "declarations"), None
                )
                if form is None:
                    raise RuntimeError("no declarations form on the review page")
                status, _, _ = browser.post(review, form_data(form, check_all=True))
                mine.append(status)
                elapsed = time.perf_counter() - started
                with lock:
                    statuses.extend(mine)
                    latencies.append(elapsed)
            except Exception as error:  # Every failure is a figure.
                with lock:
                    failures.append(f"{type(error).__name__}: {error}")

        threads = [
            threading.Thread(target=applicant, args=pair, daemon=True) for pair in applicants
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        seconds = time.perf_counter() - started
        ids = [application.pk for _, application in applicants]
        submitted = Application.objects.filter(pk__in=ids, status="submitted")
        references = list(submitted.values_list("reference", flat=True))
        with_file = (
            submitted.filter(attachments__kind="presentation", attachments__size=len(pdf))
            .distinct()
            .count()
        )
        counter_after = ReferenceCounter.objects.get(edition=call.edition, kind=call.kind)
        server_errors = sum(1 for status in statuses if status >= 500)
        lost = count - len(references)
        duplicates = len(references) - len(set(references))
        counter_ok = counter_after.last_number - counter_before == len(references)
        met = lost == 0 and server_errors == 0 and duplicates == 0 and counter_ok and not failures
        latencies.sort()
        self.add(
            Result(
                key="rush",
                measure=measure,
                figure=(
                    f"{len(references)}/{count} submitted in {seconds:.1f} s, {server_errors} "
                    f"5xx, {duplicates} duplicate references, {with_file} with their file"
                ),
                goal="nothing lost, no 5xx, one reference each",
                met=met,
                note="; ".join(sorted(set(failures))[:3])
                or (
                    f"per applicant p50 {statistics.median(latencies):.1f} s, "
                    f"max {latencies[-1]:.1f} s"
                    if latencies
                    else ""
                ),
                values={
                    "submitted": len(references),
                    "lost": lost,
                    "server_errors": server_errors,
                    "duplicates": duplicates,
                    "counter_consistent": counter_ok,
                    "with_file": with_file,
                    "seconds": seconds,
                    "failures": failures[:20],
                },
            )
        )


def rush_pdf(size=1024 * 1024) -> bytes:
    """A valid PDF of about ``size`` bytes (comment lines after the header)."""
    from calls.demo import demo_pdf

    return demo_pdf("Dossier de candidature", padding=size - 800)


def parse_groups(value: str) -> tuple[str, ...]:
    groups = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [group for group in groups if group not in GROUPS]
    if unknown or not groups:
        raise argparse.ArgumentTypeError(
            f"unknown group(s) {', '.join(unknown) or '(none)'}: choose among {', '.join(GROUPS)}"
        )
    return groups


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="applications to seed")
    parser.add_argument("--duration", type=float, default=10, help="seconds per throughput run")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--runs", type=int, default=7, help="runs per staff page (median)")
    parser.add_argument("--rush", type=int, default=300, help="applicants in the deadline rush")
    parser.add_argument("--quick", action="store_true", help="tiny run: a check, not figures")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the seeded database of the last run (no seed; new migrations applied)",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument(
        "--only",
        type=parse_groups,
        default=None,
        metavar="GROUPS",
        help=f"comma-separated rows to measure among {', '.join(GROUPS)} (default: all); "
        "the seed runs unless --reuse",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.duration, args.runs, args.rush = min(args.scale, 300), 2, 2, 10
    bench = Bench(args)
    started = time.perf_counter()
    try:
        bench.run()
    except CannotRun as error:
        print(f"The benchmarks could not run: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    meta = {
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "machine": f"{platform.node()} {os.cpu_count()} cores, {platform.python_version()}",
        "load_average": os.getloadavg(),
        "args": vars(args),
        "seconds": time.perf_counter() - started,
        "load_tool": "wrk" if shutil.which("wrk") else "python threads",
    }
    print()
    print(format_table(bench.results))
    path = write_json(bench.results, meta)
    print(f"\nWritten to {path.relative_to(ROOT)} in {meta['seconds']:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
