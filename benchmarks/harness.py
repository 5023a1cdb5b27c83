"""Benchmark harness: start the real `geoshare serve` process, drive it with a load generator, stop it.

Pieces:

* `ServerProcess` starts `geoshare serve` on a free loopback port with a temporary (or given) data
  directory, optionally pinned to CPUs with `taskset`, waits until it answers, measures its CPU
  time from /proc, and stops it (SIGINT, then SIGKILL after a grace period).  Argon2 runs at the
  default OWASP cost: the GEOSHARE_ARGON2_* variables are removed from the child's environment.
* `run_load` drives one URL with N keep-alive connections for a bounded time, with either
  `wrk` (Debian package, preferred when installed) or the asyncio client of this file
  (`python benchmarks/harness.py load ...`, run as a separate process so it can be pinned and
  its CPU measured).  Each result carries the generator's and the server's CPU use, so a run
  can tell whether the generator or the server was the bottleneck.
* `HttpClient` is a tiny sequential keep-alive client (http.client) for set-up calls and for
  timing single requests such as sign-ins.

Everything is loopback only and every loop is bounded in time and in count.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1
STRIPPED_ENV = ("GEOSHARE_ARGON2_TIME_COST", "GEOSHARE_ARGON2_MEMORY_KIB")
MAX_REQUESTS_PER_CONNECTION = 5_000_000  # the asyncio client's count bound, on top of the time bound


# --------------------------------------------------------------------------------------------- util

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * pct / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads included."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, from /proc/stat."""
    with open("/proc/stat") as fh:
        parts = [int(x) for x in fh.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    total = sum(parts[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


def taskset_prefix(cpus: str | None) -> list[str]:
    if not cpus:
        return []
    if shutil.which("taskset") is None:
        raise RuntimeError("taskset is not installed (util-linux); run with --pin none")
    return ["taskset", "-c", cpus]


def wrk_path() -> str | None:
    return shutil.which("wrk")


# ------------------------------------------------------------------------------------------- server

@dataclass
class ServerProcess:
    """One `geoshare serve` process on a free loopback port."""

    data_dir: Path | None = None
    database_url: str = ""
    admin_username: str = "admin"
    admin_password: str = "Bench-passw0rd"  # noqa: S105 - throwaway server in a temporary data dir
    cpus: str | None = None
    extra_args: list[str] = field(default_factory=list)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    ready_after: float | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None
    _log: Any = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def log_path(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir.parent / f"server-{self.port}.log"

    def command(self) -> list[str]:
        exe = shutil.which("geoshare")
        base = [exe] if exe else [sys.executable, "-m", "geoshare.cli.main"]
        args = [*base, "serve", "--data-dir", str(self.data_dir), "--host", HOST, "--port", str(self.port),
                "--admin-username", self.admin_username, "--admin-password", self.admin_password]
        if self.database_url:
            args += ["--database-url", self.database_url]
        return [*taskset_prefix(self.cpus), *args, *self.extra_args]

    def start(self, ready_path: str = "/-/ping", timeout: float = 60.0) -> float:
        """Start the process and wait until `ready_path` answers 200; returns seconds taken."""
        if self.data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="geoshare-bench-")
            self.data_dir = Path(self._tmp.name) / "data"
        self.port = self.port or free_port()
        env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENV}
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL)
        self.ready_after = wait_until_ok(self.port, ready_path, self.started_at, timeout, self.proc)
        return self.ready_after

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self.pid)

    def stop(self, grace: float = 15.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def wait_until_ok(port: int, path: str, since: float, timeout: float, proc: subprocess.Popen[bytes] | None) -> float:
    """Poll with raw sockets (every 2 ms) until GET `path` answers 200; seconds since `since`."""
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode()
    deadline = since + timeout
    while time.perf_counter() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering")
        try:
            with socket.create_connection((HOST, port), timeout=2) as s:
                s.sendall(request)
                head = s.recv(64)
                if head.startswith(b"HTTP/1.1 200"):
                    return time.perf_counter() - since
        except OSError:
            pass
        time.sleep(0.002)
    raise TimeoutError(f"server did not answer {path} within {timeout} s")


# ------------------------------------------------------------------------------------------- client

class HttpClient:
    """Sequential keep-alive HTTP(S) client for set-up calls and single timed requests."""

    def __init__(self, port: int, tls: bool = False) -> None:
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.conn: http.client.HTTPConnection = http.client.HTTPSConnection(HOST, port, timeout=30, context=ctx)
        else:
            self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, Any, float]:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        for attempt in (1, 2):
            t0 = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest):
                # the server closed an idle keep-alive connection (timeout_keep_alive): reconnect once
                self.conn.close()
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - t0
        try:
            parsed: Any = json.loads(data)
        except ValueError:
            parsed = data.decode("utf-8", "replace")
        return resp.status, parsed, elapsed

    def close(self) -> None:
        self.conn.close()


def sign_in_form(username: str, password: str) -> dict[str, str]:
    return {"username": username, "password": password, "client": "referer", "referer": "http", "f": "json"}


def generate_token(client: HttpClient, username: str, password: str) -> tuple[str, float]:
    status, body, elapsed = client.request("POST", "/portal/sharing/rest/generateToken", sign_in_form(username, password))
    if status != 200 or not isinstance(body, dict) or "token" not in body:
        raise RuntimeError(f"generateToken for {username} failed: {status} {body!r}"[:400])
    return str(body["token"]), elapsed


def ensure_users(client: HttpClient, admin_token: str, count: int, password: str) -> list[str]:
    """`count` extra users (each the administrator of its own organization, made with createOrg)."""
    names = []
    for i in range(1, count + 1):
        name = f"bench{i}"
        status, body, _ = client.request(
            "POST", "/portal/portaladmin/orgs/createOrg",
            {"name": f"Bench org {i}", "adminUsername": name, "adminPassword": password, "f": "json",
             "token": admin_token})
        ok = status == 200 and isinstance(body, dict) and body.get("status") == "success"
        exists = isinstance(body, dict) and "already exists" in json.dumps(body)
        if not (ok or exists):
            raise RuntimeError(f"createOrg for {name} failed: {status} {body!r}"[:400])
        names.append(name)
    return names


# -------------------------------------------------------------------------------------------- load

@dataclass
class LoadResult:
    generator: str
    connections: int
    duration: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    gen_cpu: float  # generator CPU seconds / wall seconds (1.0 = one full core)
    server_cpu: float  # server CPU seconds / wall seconds
    machine_busy: float  # whole machine busy CPU / wall seconds (NCPU = fully busy)
    ok_count: int | None = None  # responses matched by the body check, where one was asked for

    @property
    def rps(self) -> float:
        return self.requests / self.duration if self.duration else 0.0

    @property
    def other_cpu(self) -> float:
        """CPU used by everything but server and generator (other processes on the machine)."""
        return max(0.0, self.machine_busy - self.gen_cpu - self.server_cpu)

    def bound(self, gen_cores: float, server_cores: float) -> str:
        """Which side ran out of CPU first: 'server', 'generator', 'both' or '-'."""
        s = self.server_cpu >= 0.9 * server_cores
        g = self.gen_cpu >= 0.9 * gen_cores
        return "both" if s and g else "server" if s else "generator" if g else "-"


WRK_REPORT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
%(request)s
%(response)s
function done(summary, latency, requests)
  local ok = 0
  for _, t in ipairs(threads) do ok = ok + (t:get("ok_count") or 0) end
  local e = summary.errors
  io.write(string.format(
    "GSJSON {\"requests\":%%d,\"duration_us\":%%d,\"errors\":%%d,\"p50\":%%d,\"p99\":%%d,\"max\":%%d,\"ok\":%%d}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, ok))
end
"""

WRK_POST = r"""
local bodies = {%(bodies)s}
local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/x-www-form-urlencoded"},
                    bodies[(n %% #bodies) + 1])
end
"""

WRK_CHECK = r"""
ok_count = 0
function response(status, headers, body)
  if status == 200 and string.find(body, %(needle)s, 1, true) then ok_count = ok_count + 1 end
end
"""


def _lua_str(s: str) -> str:
    return json.dumps(s)  # a JSON string literal is a valid Lua string literal for ASCII text


def run_load(url: str, connections: int, duration: float, *, server_pid: int | None = None,
             generator: str = "auto", cpus: str | None = None, post_bodies: list[str] | None = None,
             body_check: str | None = None, timeout: float = 10.0) -> LoadResult:
    """Drive `url` with `connections` keep-alive connections for `duration` seconds."""
    use_wrk = generator == "wrk" or (generator == "auto" and wrk_path() is not None)
    duration = max(0.5, min(duration, 600.0))
    with tempfile.TemporaryDirectory(prefix="geoshare-load-") as tmp:
        if use_wrk:
            parsed = urllib.parse.urlsplit(url)
            path = parsed.path + ("?" + parsed.query if parsed.query else "")
            request_lua = WRK_POST % {"bodies": ", ".join(_lua_str(b) for b in post_bodies), "path": path} \
                if post_bodies else ""
            response_lua = WRK_CHECK % {"needle": _lua_str(body_check)} if body_check else ""
            script = Path(tmp) / "report.lua"
            script.write_text(WRK_REPORT % {"request": request_lua, "response": response_lua})
            threads = 1 if connections < 64 or NCPU <= 2 else 2
            cmd = [*taskset_prefix(cpus), wrk_path() or "wrk", "-t", str(threads), "-c", str(connections),
                   "-d", f"{max(1, round(duration))}s", "--timeout", f"{timeout:.0f}s", "-s", str(script), url]
            name = "wrk"
        else:
            cmd = [*taskset_prefix(cpus), sys.executable, str(Path(__file__).resolve()), "load", "--url", url,
                   "--connections", str(connections), "--duration", str(duration), "--timeout", str(timeout)]
            if post_bodies:
                cmd += ["--post-bodies", json.dumps(post_bodies)]
            if body_check:
                cmd += ["--body-check", body_check]
            name = "asyncio"
        server_cpu0 = proc_cpu_seconds(server_pid) if server_pid else 0.0
        busy0, _ = machine_busy_seconds()
        out_path = Path(tmp) / "out.txt"
        t0 = time.perf_counter()
        with open(out_path, "wb") as out_fh:
            proc = subprocess.Popen(cmd, stdout=out_fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            gen_cpu = wait_with_rusage(proc, duration + timeout + 30)
        wall = time.perf_counter() - t0
        busy1, _ = machine_busy_seconds()
        server_cpu = (proc_cpu_seconds(server_pid) - server_cpu0) if server_pid else 0.0
        out = out_path.read_text(errors="replace")
    line = next((ln for ln in out.splitlines() if ln.startswith("GSJSON ")), None)
    if line is None:
        raise RuntimeError(f"load generator failed ({' '.join(cmd)}): {out[-800:]}")
    data = json.loads(line[7:])
    dur = data["duration_us"] / 1e6
    return LoadResult(generator=name, connections=connections, duration=dur, requests=data["requests"],
                      errors=data["errors"], p50_ms=data["p50"] / 1000, p99_ms=data["p99"] / 1000,
                      max_ms=data["max"] / 1000, gen_cpu=gen_cpu / wall, server_cpu=server_cpu / wall,
                      machine_busy=(busy1 - busy0) / wall, ok_count=data.get("ok") if body_check else None)


def wait_with_rusage(proc: subprocess.Popen[bytes], timeout: float) -> float:
    """Reap the child with wait4 (bounded by `timeout`, then killed); its user+system CPU seconds."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return float(usage.ru_utime + usage.ru_stime)
        if time.monotonic() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return float(usage.ru_utime + usage.ru_stime)
        time.sleep(0.02)


# ------------------------------------------------------------------------------ asyncio load client

async def _one_connection(host: str, port: int, tls: ssl.SSLContext | None, requests: list[bytes], deadline: float,
                          latencies: list[float], counters: dict[str, int], body_check: bytes | None,
                          io_timeout: float) -> None:
    loop = asyncio.get_running_loop()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=tls), io_timeout)
    except (OSError, TimeoutError):
        counters["errors"] += 1
        return
    n = 0
    try:
        while n < MAX_REQUESTS_PER_CONNECTION:
            now = loop.time()
            if now >= deadline:
                break
            t0 = time.perf_counter()
            writer.write(requests[n % len(requests)])
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), io_timeout)
            status_ok = head.startswith(b"HTTP/1.1 2")
            length = 0
            lower = head.lower()
            i = lower.find(b"\r\ncontent-length:")
            if i >= 0:
                j = lower.find(b"\r\n", i + 2)
                length = int(lower[i + 17 : j])
            body = await asyncio.wait_for(reader.readexactly(length), io_timeout) if length else b""
            latencies.append(time.perf_counter() - t0)
            n += 1
            if not status_ok:
                counters["errors"] += 1
            elif body_check is not None and body_check in body:
                counters["ok"] += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
        counters["errors"] += 1
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def asyncio_load(url: str, connections: int, duration: float, post_bodies: list[str] | None,
                       body_check: str | None, io_timeout: float) -> dict[str, Any]:
    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname or HOST, parsed.port or (443 if parsed.scheme == "https" else 80)
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load generator only talks to loopback addresses")
    path = parsed.path + ("?" + parsed.query if parsed.query else "")
    tls = None
    if parsed.scheme == "https":
        tls = ssl.create_default_context()
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
    hostport = f"{host}:{port}"
    if post_bodies:
        requests = [(f"POST {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {len(b.encode())}\r\n\r\n{b}").encode() for b in post_bodies]
    else:
        requests = [f"GET {path} HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode()]
    latencies: list[float] = []
    counters = {"errors": 0, "ok": 0}
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    deadline = loop.time() + duration
    await asyncio.gather(*(_one_connection(host, port, tls, requests, deadline, latencies, counters,
                                           body_check.encode() if body_check else None, io_timeout)
                           for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"requests": len(latencies), "duration_us": int(elapsed * 1e6), "errors": counters["errors"],
            "p50": int(percentile(latencies, 50) * 1e6), "p99": int(percentile(latencies, 99) * 1e6),
            "max": int((latencies[-1] if latencies else 0) * 1e6), "ok": counters["ok"]}


def _load_main(args: argparse.Namespace) -> None:
    try:
        import uvloop  # type: ignore[import-not-found]

        runner = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    bodies = json.loads(args.post_bodies) if args.post_bodies else None
    result = runner(asyncio_load(args.url, args.connections, min(args.duration, 600.0), bodies, args.body_check,
                                 args.timeout))
    print("GSJSON " + json.dumps(result), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="geoshare benchmark harness")
    sub = parser.add_subparsers(dest="cmd", required=True)
    load = sub.add_parser("load", help="asyncio keep-alive load generator (prints one GSJSON line)")
    load.add_argument("--url", required=True)
    load.add_argument("--connections", type=int, default=8)
    load.add_argument("--duration", type=float, default=5.0)
    load.add_argument("--timeout", type=float, default=10.0)
    load.add_argument("--post-bodies", default="")
    load.add_argument("--body-check", default=None)
    args = parser.parse_args(argv)
    if args.cmd == "load":
        _load_main(args)


if __name__ == "__main__":
    main()
