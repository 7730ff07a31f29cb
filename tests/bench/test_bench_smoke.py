"""The benchmark harness in a tiny mode: reference views, load generator, parsing, output.

The full run (``make bench``) builds its own database and starts gunicorn: too
slow for the suite. What it is made of is checked here in a few seconds.
"""

import importlib
import json
import shutil

import pytest
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench import load, run
from bench.reference_views import hello, one_query
from calls.demo import demo_pdf
from tests.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db

SEEN = []


def seen(request, person):
    """Records who asked, with what: the load generator's variants."""
    SEEN.append((person, request.method, request.headers.get("X-Person"), request.body))
    return HttpResponse("ok")


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/one-query/", one_query),
    path("bench/seen/<str:person>/", csrf_exempt(seen)),
]

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8000/bench/hello/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.31ms    3.20ms  40.12ms   80.00%
    Req/Sec   650.12     40.00   700.00     70.00%
  Latency Distribution
     50%   11.90ms
     75%   13.10ms
     90%   15.00ms
     99%   30.50ms
  1300 requests in 2.00s, 300.00KB read
  Socket errors: connect 0, read 1300, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    650.00
Transfer/sec:    150.00KB
"""


@pytest.mark.urls("tests.bench.test_bench_smoke")
def test_reference_hello_world(client):
    response = client.get("/bench/hello/")

    assert response.status_code == 200
    assert response.content == b"Hello, world"


@pytest.mark.urls("tests.bench.test_bench_smoke")
def test_reference_one_query_renders_twenty_rows_from_one_query(client, django_assert_num_queries):
    call = CallFactory()
    ApplicationFactory.create_batch(22, call=call, incomplete=True)

    with django_assert_num_queries(1):
        response = client.get("/bench/one-query/")

    html = response.content.decode()
    assert html.count("<tr class=") == 20
    assert len(run.ROOT.joinpath("bench/templates/one_query.html").read_text().splitlines()) >= 45


def test_reference_urls_mounted_only_with_the_variable(monkeypatch):
    import bench.urls

    monkeypatch.delenv("BENCH_REFERENCE_VIEWS", raising=False)
    assert importlib.reload(bench.urls).urlpatterns == []
    monkeypatch.setenv("BENCH_REFERENCE_VIEWS", "1")
    assert len(importlib.reload(bench.urls).urlpatterns) == 2
    monkeypatch.delenv("BENCH_REFERENCE_VIEWS")
    importlib.reload(bench.urls)


@pytest.mark.urls("tests.bench.test_bench_smoke")
@pytest.mark.parametrize("tool", ["python", "wrk"])
def test_load_generator_short_run_on_loopback(live_server, tool):
    if tool == "wrk" and not shutil.which("wrk"):
        pytest.skip("wrk is not installed")
    url = live_server.url.replace("localhost", "127.0.0.1") + "/bench/hello/"

    result = load.run_load(url, seconds=1, connections=2, tool=tool)

    assert result.requests > 0
    assert result.rps > 0
    assert result.tool == tool


@pytest.mark.urls("tests.bench.test_bench_smoke")
@pytest.mark.parametrize("tool", ["python", "wrk"])
def test_load_generator_sends_each_variant_with_its_own_headers_and_body(
    live_server, settings, tool
):
    """Several people, each on their own page: every variant is asked, as it was given."""
    if tool == "wrk" and not shutil.which("wrk"):
        pytest.skip("wrk is not installed")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    SEEN.clear()
    base = live_server.url.replace("localhost", "127.0.0.1")
    variants = [
        (f"/bench/seen/{name}/", {"X-Person": name}, f"name={name}".encode())
        for name in ("anne", "bilal", "chen")
    ]

    result = load.run_load(
        base + "/", seconds=1, connections=3, method="POST", variants=variants, tool=tool
    )

    assert result.requests > 0 and result.errors == 0
    assert set(SEEN) == {
        (name, "POST", name, f"name={name}".encode()) for name in ("anne", "bilal", "chen")
    }


def test_load_generator_refuses_other_hosts():
    with pytest.raises(ValueError, match="only targets this machine"):
        load.run_load("http://example.org/", seconds=1)


def test_parse_wrk_output():
    result = load.parse_wrk(WRK_OUTPUT)

    assert (result.requests, result.seconds) == (1300, 2.0)
    assert result.rps == 650
    assert result.errors == 5  # 3 non-2xx and 2 timeouts; closed connections are not errors.
    assert (result.latency_p50_ms, result.latency_p99_ms) == (11.9, 30.5)


def test_read_forms_and_form_data():
    html = """
    <form id="step-form" method="post" enctype="multipart/form-data">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="solution_name" value="Banc">
      <textarea name="site_needs">Un accès</textarea>
      <select name="maturity">
        <option value="">-</option><option value="pilot" selected>P</option>
      </select>
      <input type="checkbox" name="declares_accuracy">
      <input type="file" name="presentation">
      <button type="submit" name="action" value="next">Next</button>
    </form>"""

    (form,) = run.read_forms(html)

    assert form["files"] == ["presentation"]
    assert form["buttons"] == [("action", "next")]
    assert run.form_data(form) == [
        ("csrfmiddlewaretoken", "t"),
        ("solution_name", "Banc"),
        ("site_needs", "Un accès"),
        ("maturity", "pilot"),
    ]
    assert ("declares_accuracy", "on") in run.form_data(form, check_all=True)


def test_rush_pdf_about_one_megabyte_and_valid():
    pdf = run.rush_pdf()

    assert 1_000_000 < len(pdf) <= 1024 * 1024
    assert pdf.startswith(b"%PDF-1.4")
    offset = int(pdf.split(b"startxref\n")[1].split(b"\n")[0])
    assert pdf[offset:].startswith(b"xref")
    assert len(demo_pdf("x")) < 1000


def test_table_and_json_output(tmp_path):
    results = [
        run.Result(key="hello", measure="Reference: hello world", figure="650 req/s"),
        run.Result(
            key="home",
            measure="Anonymous home",
            figure="400 req/s, 62% of hello",
            goal=">= 50% of hello",
            met=True,
        ),
        run.Result(key="rush", measure="Deadline rush", note="not available yet (404)"),
        run.Result(key="export", measure="CSV export", figure="4 s", goal="< 3 s", met=False),
    ]

    table = run.format_table(results)
    path = run.write_json(results, {"args": {}}, directory=tmp_path)

    lines = table.splitlines()
    assert lines[0].split(" | ")[0].strip() == "Measure"
    assert "not available yet (404)" in table
    assert [line.rsplit("|", 1)[1].strip() for line in lines[2:6]] == [
        "-",
        "ok",
        "skipped",
        "MISSED",
    ]
    payload = json.loads(path.read_text())
    assert [result["verdict"] for result in payload["results"]] == ["-", "ok", "skipped", "MISSED"]
    assert (tmp_path / "latest.json").exists()


def test_runner_refuses_the_main_database():
    with pytest.raises(run.CannotRun, match="dedicated"):
        run.recreate_database("postgres://postgres:postgres@127.0.0.1:5432/qmi_portal")


def test_only_option_selects_rows_and_refuses_unknown_ones():
    assert run.parse_groups("form, export") == ("form", "export")
    with pytest.raises(run.argparse.ArgumentTypeError, match="unknown group"):
        run.parse_groups("form,forms")

    bench = run.Bench(run.argparse.Namespace(only=("form",), database_url="x", redis_url="y"))
    everything = run.Bench(run.argparse.Namespace(only=None, database_url="x", redis_url="y"))

    assert bench.selected("form") and bench.selected("public", "form")
    assert not bench.selected("export") and not bench.selected("staff", "rush")
    assert all(everything.selected(group) for group in run.GROUPS)


def test_every_benchmark_of_bench_is_a_group_of_make_bench():
    """One command runs them all: the dashboard and background benchmarks are rows too."""
    assert {"dashboard", "reminders", "reports"} <= set(run.GROUPS)
    assert run.parse_groups("dashboard,reminders,reports") == ("dashboard", "reminders", "reports")
