"""Structured logs and optional error reporting (SENTRY_DSN), in real processes."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .conftest import manage, production_environment

SETTINGS = {"SITE_URL": "https://qmi.example.org", "ALLOWED_HOSTS": "qmi.example.org"}


def test_json_logs_are_one_object_per_line():
    result = manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('calls.services.privacy').warning('Retention run 7')",
        env=production_environment(**SETTINGS, LOG_FORMAT="json"),
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    [record] = [r for r in records if r["logger"] == "calls.services.privacy"]
    assert record["level"] == "WARNING"
    assert record["message"] == "Retention run 7"
    assert record["time"]


def test_plain_logs_by_default():
    result = manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('calls').warning('plain line')",
        env=production_environment(**SETTINGS),
    )
    [line] = [line for line in result.stderr.splitlines() if "plain line" in line]
    assert " WARNING calls plain line" in line
    assert not line.startswith("{")


class _Collector(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        _Collector.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


REPORT_AN_ERROR = (
    "import sentry_sdk\n"
    "print('active', sentry_sdk.get_client().is_active())\n"
    "try:\n"
    "    1 / 0\n"
    "except ZeroDivisionError:\n"
    "    sentry_sdk.capture_exception()\n"
    "sentry_sdk.flush(5)\n"
)


def test_errors_are_reported_only_when_sentry_dsn_is_set():
    _Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        off = manage("shell", "-c", REPORT_AN_ERROR, env=production_environment(**SETTINGS))
        on = manage(
            "shell",
            "-c",
            REPORT_AN_ERROR,
            env=production_environment(
                **SETTINGS, SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/42"
            ),
        )
    finally:
        server.shutdown()
    assert "active False" in off.stdout
    assert "active True" in on.stdout, on.stderr
    [(path, body)] = _Collector.received
    assert path == "/api/42/envelope/"
    assert b"ZeroDivisionError" in body
