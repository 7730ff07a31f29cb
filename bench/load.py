"""A small loopback load generator: Debian's ``wrk`` when installed, Python threads otherwise.

Bounded in time and in connections, and only ever pointed at 127.0.0.1.
"""

import dataclasses
import http.client
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclasses.dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int  # Transport errors and responses outside 2xx/3xx.
    status: dict
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_load(
    url: str,
    *,
    seconds: float,
    connections: int = 8,
    method: str = "GET",
    headers: dict | None = None,
    body: bytes = b"",
    tool: str = "auto",
    variants: list[tuple[str, dict, bytes]] | None = None,
) -> LoadResult:
    """Load ``url`` for ``seconds``; with ``variants`` (path, headers, body), the requests
    go to each in turn (several people, each on their own page) instead of ``url``'s path.
    """
    host = urllib.parse.urlsplit(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"The load generator only targets this machine, not {host}.")
    if not variants:
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        variants = [(target, headers or {}, body)]
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    if tool == "wrk":
        return _wrk(url, seconds, connections, method, variants)
    return _python(url, seconds, connections, method, variants)


# wrk.

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _lua_table(values: dict) -> str:
    pairs = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in values.items())
    return "{" + pairs + "}"


def _wrk(url, seconds, connections, method, variants):
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    script = None
    (path, headers, body), *others = variants
    if others:
        # Each request the next variant: a table of ready-made requests, in turn.
        lines = ["local requests = {}"]
        lines += [
            f"requests[{number}] = wrk.format({_lua_string(method)}, {_lua_string(path)},"
            f" {_lua_table(headers)}, {_lua_string(body.decode()) if body else 'nil'})"
            for number, (path, headers, body) in enumerate(variants, start=1)
        ]
        lines += [
            "local turn = 0",
            "request = function()",
            "  turn = turn % #requests + 1",
            "  return requests[turn]",
            "end",
        ]
    elif method != "GET" or body:
        lines = [f"wrk.method = {_lua_string(method)}", f"wrk.body = {_lua_string(body.decode())}"]
        lines += [f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()]
    else:
        lines = []
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
    if lines:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write("\n".join(lines) + "\n")
        script.close()
        command += ["--script", script.name]
    parts = urllib.parse.urlsplit(url)
    command.append(f"{parts.scheme}://{parts.netloc}{path}")
    try:
        output = subprocess.run(  # noqa: S603 - fixed program, loopback URL
            command, capture_output=True, text=True, timeout=seconds + 30, check=True
        ).stdout
    finally:
        if script:
            Path(script.name).unlink(missing_ok=True)
    return parse_wrk(output)


def parse_wrk(output: str) -> LoadResult:
    """Read wrk's summary: requests, duration, errors and the latency percentiles."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    if not done:
        raise RuntimeError(f"Could not read wrk's output:\n{output}")
    requests = int(done.group(1))
    seconds = float(done.group(2)) * _UNITS[done.group(3)] / 1000
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        # A sync worker closes each connection: wrk may count those closes as read errors.
        errors += int(socket.group(1)) + int(socket.group(3)) + int(socket.group(4))

    def percentile(label):
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        return float(found.group(1)) * _UNITS[found.group(2)] if found else None

    return LoadResult(
        requests=requests,
        seconds=seconds,
        errors=errors,
        status={},
        latency_p50_ms=percentile(50),
        latency_p99_ms=percentile(99),
        tool="wrk",
    )


# Python threads, when wrk is not installed.


def _python(url, seconds, connections, method, variants):
    parts = urllib.parse.urlsplit(url)
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    latencies, status, errors = [], {}, [0]

    def worker(target, headers, body):
        connection = None
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                connection.request(method, target, body=body or None, headers=headers)
                response = connection.getresponse()
                response.read()
                code = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                code = None
                if connection is not None:
                    connection.close()
                connection = None
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if code is None or code >= 400:
                    errors[0] += 1
                status[code] = status.get(code, 0) + 1
                latencies.append(elapsed)
        if connection is not None:
            connection.close()

    started = time.perf_counter()
    # Each connection one of the variants, in turn.
    threads = [
        threading.Thread(target=worker, args=variants[number % len(variants)], daemon=True)
        for number in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 15)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        errors=errors[0],
        status=status,
        latency_p50_ms=statistics.median(latencies) if latencies else None,
        latency_p99_ms=latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
        tool="python",
    )
