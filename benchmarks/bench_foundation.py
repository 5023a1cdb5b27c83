"""Foundation benchmark: token-checked reads, sign-ins, reads during a sign-in storm, start-up time.

    python benchmarks/bench_foundation.py [--duration S] [--database-url URL] [--pin split|none]
                                          [--generator auto|wrk|asyncio] [--compare-generators]

Starts the real `geoshare serve` process (default argon2 OWASP cost) on a free loopback port with
a temporary data directory, and prints:

 1. GET community/self?f=json&token=... and the bare GET /-/ping at 1, 8 and 64 connections:
    requests/s, p50, p99, and the ratio self/ping (target >= 0.6);
 2. generateToken p50/p99 over sequential sign-ins (target p50 <= 30 ms);
 3. community/self throughput during a storm of concurrent generateToken loops, as % of the
    throughput measured just before (target >= 70 %);
 4. time from process start to the first successful API request (target <= 2 s), on a fresh
    data directory and on an existing one;
 5. community/self over HTTPS against HTTP (informational).

On a 2-core machine the load generator competes with the server for CPU.  With --pin split
(the default when there are 2+ CPUs) the server runs on CPU 0 and every load generator on
CPU 1 (taskset); --pin none lets the kernel schedule both over all CPUs.  Each load row shows
the CPU the server, the generator and everything else on the machine used (1.00 = one core),
and which side ran out of CPU first ("bound"), so a run can tell a server limit from a
generator limit.  Successful sign-ins never count toward account lockout; the sign-in
figures still rotate over several users (made with portaladmin createOrg).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HttpClient, LoadResult, ServerProcess, run_load  # noqa: E402

SELF = "/portal/sharing/rest/community/self?f=json&token={token}"
PING = "/-/ping"
ROOT = "/portal/sharing/rest?f=json"
FIRST_REQUEST = "/portal/sharing/rest/portals/self?f=json"  # a DB-backed API read, no token needed
GENERATE = "/portal/sharing/rest/generateToken"
PASSWORD = "Bench-passw0rd"  # noqa: S105 - throwaway server in a temporary data dir
EXTRA_USERS = 4

TARGET_RATIO = 0.6
TARGET_SIGNIN_P50_MS = 30.0
TARGET_STORM_PCT = 70.0
TARGET_STARTUP_S = 2.0


# ------------------------------------------------------------------------------------------ output

def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def load_row(label: str, r: LoadResult, gen_cores: float, server_cores: float) -> list[Any]:
    return [label, r.connections, f"{r.rps:,.0f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", r.errors,
            f"{r.server_cpu:.2f}", f"{r.gen_cpu:.2f}", f"{r.other_cpu:.2f}", r.bound(gen_cores, server_cores)]


LOAD_HEADERS = ["endpoint", "conns", "req/s", "p50 ms", "p99 ms", "errors", "srv cpu", "gen cpu", "other cpu",
                "bound"]


# ----------------------------------------------------------------------------------------- helpers

def print_header(title: str, database: str) -> None:
    """The lines every benchmark report starts with: what ran, where, on which geoshare."""
    print(title)
    print(f"  command  : {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(f"  machine  : {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"  geoshare : {geoshare_revision()}")
    print(f"  database : {database}")


def geoshare_revision() -> str:
    """The commit of the geoshare source being measured (and whether src/ has local changes)."""
    try:
        import geoshare

        src = Path(geoshare.__file__).resolve().parent
        head = subprocess.run(["git", "-C", str(src), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(src), "status", "--porcelain", "--", "."], capture_output=True,
                               text=True, timeout=10).stdout.strip()
        return f"{src} @ {head or '?'}{' + local changes' if dirty else ''}"
    except Exception as exc:  # noqa: BLE001 - informational only
        return f"unknown ({exc})"


def other_load(seconds: float, exclude_pids: list[int]) -> float:
    """CPU (in cores) used by processes other than `exclude_pids` over `seconds`."""
    own0 = sum(harness.proc_cpu_seconds(p) for p in exclude_pids)
    busy0, _ = harness.machine_busy_seconds()
    t0 = time.perf_counter()
    time.sleep(seconds)
    wall = time.perf_counter() - t0
    busy1, _ = harness.machine_busy_seconds()
    own1 = sum(harness.proc_cpu_seconds(p) for p in exclude_pids)
    return max(0.0, (busy1 - busy0) - (own1 - own0)) / wall


def wait_quiet(max_wait: float, exclude_pids: list[int], threshold: float = 0.25) -> float:
    """Wait (at most `max_wait` s) until the rest of the machine uses < `threshold` cores; returns it."""
    deadline = time.monotonic() + max_wait
    load = other_load(0.5, exclude_pids)
    while load >= threshold and time.monotonic() < deadline:
        load = other_load(1.0, exclude_pids)
    return load


def check_self(client: HttpClient, token: str, username: str) -> None:
    status, body, _ = client.request("GET", SELF.format(token=token))
    if status != 200 or not isinstance(body, dict) or body.get("username") != username:
        raise RuntimeError(f"community/self did not answer for {username}: {status} {str(body)[:300]}")


def pct(values: list[float], p: float) -> float:
    return harness.percentile(sorted(values), p)


# ---------------------------------------------------------------------------------------- sections

def bench_reads(srv: ServerProcess, token: str, args: argparse.Namespace, cores: tuple[float, float]) -> dict[str, Any]:
    section("1. token-checked read vs bare JSON endpoints (keep-alive, GET)")
    print("baselines: /-/ping answers at the ASGI entry (server + protocol only); the portal root "
          "GET /portal/sharing/rest?f=json is a constant answer through the whole stack "
          "(server, dispatch, operation table, conventions) without token or database")
    gen_cores, server_cores = cores
    rows, results = [], {}
    for conns in args.connections:
        wait_quiet(args.wait_quiet, [srv.pid])
        ping = run_load(srv.base + PING, conns, args.duration, server_pid=srv.pid, generator=args.generator,
                        cpus=args.gen_cpus)
        bare = run_load(srv.base + ROOT, conns, args.duration, server_pid=srv.pid, generator=args.generator,
                        cpus=args.gen_cpus)
        read = run_load(srv.base + SELF.format(token=token), conns, args.duration, server_pid=srv.pid,
                        generator=args.generator, cpus=args.gen_cpus)
        ratio = read.rps / ping.rps if ping.rps else 0.0
        ratio_bare = read.rps / bare.rps if bare.rps else 0.0
        results[conns] = {"ping": ping.__dict__ | {"rps": ping.rps}, "root": bare.__dict__ | {"rps": bare.rps},
                          "self": read.__dict__ | {"rps": read.rps}, "ratio": ratio, "ratio_root": ratio_bare}
        rows.append(load_row("/-/ping", ping, gen_cores, server_cores))
        rows.append(load_row("sharing/rest root", bare, gen_cores, server_cores))
        rows.append(load_row("community/self", read, gen_cores, server_cores))
        rows.append(["  ratio self/root", conns, f"{ratio_bare:.2f}", "", "", "", "", "", "",
                     f"{verdict(ratio_bare >= TARGET_RATIO)} (>= {TARGET_RATIO})"])
        rows.append(["  ratio self/ping", conns, f"{ratio:.2f}", "", "", "", "", "", "",
                     f"{verdict(ratio >= TARGET_RATIO)} (>= {TARGET_RATIO})"])
    print(table(LOAD_HEADERS, rows))
    return results


def bench_https(srv: ServerProcess, token: str, args: argparse.Namespace, cores: tuple[float, float]) -> dict[str, Any]:
    section("5. HTTPS vs HTTP on the same port (8 connections, keep-alive)")
    gen_cores, server_cores = cores
    rows, out = [], {}
    wait_quiet(args.wait_quiet, [srv.pid])
    for scheme in ("http", "https"):
        for label, path in (("/-/ping", PING), ("community/self", SELF.format(token=token))):
            r = run_load(f"{scheme}://{harness.HOST}:{srv.port}{path}", 8, args.duration, server_pid=srv.pid,
                         generator=args.generator, cpus=args.gen_cpus)
            rows.append(load_row(f"{scheme} {label}", r, gen_cores, server_cores))
            out[f"{scheme} {label}"] = r.rps
    print(table(LOAD_HEADERS, rows))
    if out.get("http community/self"):
        print(f"https/http for community/self: {out['https community/self'] / out['http community/self']:.2f}")
    return out


def bench_signins(srv: ServerProcess, users: list[str], args: argparse.Namespace) -> dict[str, Any]:
    section(f"2. generateToken, {args.signins} sequential sign-ins over one keep-alive connection "
            f"(argon2id default cost, {len(users)} users in turn)")
    wait_quiet(args.wait_quiet, [srv.pid])
    client = HttpClient(srv.port)
    try:
        harness.generate_token(client, users[0], PASSWORD)  # warm-up, not counted
        times = []
        for i in range(args.signins):
            _, elapsed = harness.generate_token(client, users[i % len(users)], PASSWORD)
            times.append(elapsed * 1000)
    finally:
        client.close()
    p50, p99 = pct(times, 50), pct(times, 99)
    print(table(["sign-ins", "p50 ms", "p99 ms", "mean ms", "min ms", "max ms", "target"],
                [[len(times), f"{p50:.1f}", f"{p99:.1f}", f"{statistics.fmean(times):.1f}", f"{min(times):.1f}",
                  f"{max(times):.1f}", f"{verdict(p50 <= TARGET_SIGNIN_P50_MS)} (p50 <= {TARGET_SIGNIN_P50_MS:.0f} ms)"]]))
    return {"p50_ms": p50, "p99_ms": p99, "mean_ms": statistics.fmean(times), "max_ms": max(times)}


def bench_storm(srv: ServerProcess, token: str, users: list[str], args: argparse.Namespace,
                cores: tuple[float, float]) -> dict[str, Any]:
    section(f"3. community/self (8 connections) during a sign-in storm ({args.storm} concurrent generateToken loops)")
    gen_cores, server_cores = cores
    bodies = [urllib.parse.urlencode(harness.sign_in_form(u, PASSWORD)) for u in users]
    wait_quiet(args.wait_quiet, [srv.pid])
    url = srv.base + SELF.format(token=token)
    before = run_load(url, 8, args.duration, server_pid=srv.pid, generator=args.generator, cpus=args.gen_cpus)
    lead = 1.0
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        storm_f = pool.submit(run_load, srv.base + GENERATE, args.storm, args.duration + 2 * lead,
                              generator=args.generator, cpus=args.gen_cpus, post_bodies=bodies,
                              body_check='"token"', timeout=30.0)
        time.sleep(lead)
        during = run_load(url, 8, args.duration, server_pid=srv.pid, generator=args.generator, cpus=args.gen_cpus)
        storm = storm_f.result(timeout=args.duration + 120)
    after = run_load(url, 8, args.duration, server_pid=srv.pid, generator=args.generator, cpus=args.gen_cpus)
    normal = (before.rps + after.rps) / 2  # "normal" = mean of the runs just before and just after
    share = during.rps / normal * 100 if normal else 0.0
    rows = [load_row("self, before storm", before, gen_cores, server_cores),
            load_row("self, during storm", during, gen_cores, server_cores),
            load_row("self, after storm", after, gen_cores, server_cores)]
    print(table(LOAD_HEADERS, rows))
    signed = storm.ok_count or 0
    print(f"storm: {storm.requests} generateToken in {storm.duration:.1f} s = {storm.rps:.1f}/s, "
          f"{signed} returned a token, {storm.errors} errors, p50 {storm.p50_ms:.0f} ms, p99 {storm.p99_ms:.0f} ms")
    print(f"read throughput during storm = {share:.0f} % of normal (mean of before and after; "
          f"{during.rps / before.rps * 100 if before.rps else 0:.0f} % of before)  "
          f"{verdict(share >= TARGET_STORM_PCT)} (>= {TARGET_STORM_PCT:.0f} %)")
    if args.pin == "split":
        print("note: with --pin split the server has ONE core for its event loop and its argon2 thread, so the storm "
              "takes CPU from the reads by construction; --pin none gives argon2 the second core (the design's case)")
    if signed < storm.requests:
        print(f"WARNING: {storm.requests - signed} storm sign-ins did not return a token")
    return {"before_rps": before.rps, "during_rps": during.rps, "after_rps": after.rps, "pct_of_normal": share,
            "storm_rps": storm.rps, "storm_ok": signed, "storm_requests": storm.requests,
            "storm_p50_ms": storm.p50_ms, "storm_p99_ms": storm.p99_ms,
            "during_server_cpu": during.server_cpu, "during_other_cpu": during.other_cpu}


def bench_startup(args: argparse.Namespace) -> dict[str, Any]:
    section(f"4. process start -> first 200 from GET {FIRST_REQUEST} ({args.startup_runs} runs each)")
    rows, out = [], {}
    with tempfile.TemporaryDirectory(prefix="geoshare-bench-start-") as tmp:
        kept = Path(tmp) / "kept"
        def time_start(data: Path) -> float:
            wait_quiet(args.wait_quiet, [])
            srv = ServerProcess(data_dir=data, database_url=args.database_url, admin_password=PASSWORD,
                                cpus=args.server_cpus)
            try:
                return srv.start(ready_path=FIRST_REQUEST)
            finally:
                srv.stop()

        # The first fresh directory is kept and then reused for the "existing" runs.
        fresh = [time_start(kept if i == 0 else Path(tmp) / f"fresh{i}") for i in range(args.startup_runs)]
        existing = [time_start(kept) for _ in range(args.startup_runs)]
    fresh_label = "fresh data dir" + (" (database given by --database-url, not fresh)" if args.database_url else "")
    for label, values in ((fresh_label, fresh), ("existing data dir", existing)):
        worst = max(values)
        rows.append([label, " ".join(f"{v:.2f}" for v in values), f"{statistics.median(values):.2f}", f"{worst:.2f}",
                     f"{verdict(worst <= TARGET_STARTUP_S)} (<= {TARGET_STARTUP_S:.0f} s)"])
        out[label] = values
    print(table(["start", "runs s", "median s", "worst s", "target"], rows))
    return out


def compare_generators(srv: ServerProcess, token: str, args: argparse.Namespace, cores: tuple[float, float]) -> None:
    section("generator check: wrk vs the asyncio client on the same endpoints (8 and 64 connections)")
    if harness.wrk_path() is None:
        print("wrk is not installed; nothing to compare")
        return
    rows = []
    gen_cores, server_cores = cores
    for conns in (8, 64):
        for label, path in (("/-/ping", PING), ("community/self", SELF.format(token=token))):
            for gen in ("wrk", "asyncio"):
                r = run_load(srv.base + path, conns, args.duration, server_pid=srv.pid, generator=gen,
                             cpus=args.gen_cpus)
                rows.append(load_row(f"{gen:7} {label}", r, gen_cores, server_cores))
    print(table(LOAD_HEADERS, rows))


# -------------------------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load measurement (1-120)")
    parser.add_argument("--database-url", default="", help="passed to geoshare serve (default: SQLite in the data dir)")
    parser.add_argument("--pin", choices=("split", "none"), default="split" if (os.cpu_count() or 1) >= 2 else "none",
                        help="split: server on CPU 0, load generators on CPU 1 (taskset); none: no pinning")
    parser.add_argument("--generator", choices=("auto", "wrk", "asyncio"), default="auto",
                        help="auto = wrk when installed, else the asyncio client")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--signins", type=int, default=50)
    parser.add_argument("--storm", type=int, default=8, help="concurrent generateToken loops in the storm")
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument("--no-https", action="store_true", help="skip the HTTPS vs HTTP comparison")
    parser.add_argument("--compare-generators", action="store_true", help="also run wrk and asyncio side by side")
    parser.add_argument("--wait-quiet", type=float, default=20.0,
                        help="before each measurement wait up to this many seconds for other processes to go quiet")
    parser.add_argument("--only", nargs="+", choices=("reads", "signins", "storm", "startup", "https"),
                        help="run only these sections")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    args.duration = max(1.0, min(args.duration, 120.0))
    args.signins = max(1, min(args.signins, 1000))
    args.storm = max(1, min(args.storm, 256))
    args.startup_runs = max(1, min(args.startup_runs, 10))
    args.connections = [max(1, min(c, 1024)) for c in args.connections]
    if args.pin == "split":
        args.server_cpus, args.gen_cpus = "0", "1"
    else:
        args.server_cpus = args.gen_cpus = None
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = set(args.only or ("reads", "signins", "storm", "startup", "https"))
    if args.generator in ("auto", "wrk") and harness.wrk_path():
        version = subprocess.run([harness.wrk_path() or "wrk", "-v"], capture_output=True, text=True, timeout=10)
        generator = "wrk " + ((version.stdout + version.stderr).split() or ["", "?"])[1]
    else:
        generator = "asyncio client (harness.py)"
    ncpu = os.cpu_count() or 1
    # 'bound' thresholds: the server's event loop is one thread; a pinned generator has one core.
    cores = (1.0 if args.pin == "split" else float(ncpu), 1.0)
    print("geoshare foundation benchmark")
    print(f"  command      : {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(f"  machine      : {ncpu} CPUs, {platform.machine()}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"  generator    : {generator}")
    print("  pinning      : " + ("server on CPU 0, generators on CPU 1 (taskset -c)" if args.pin == "split"
                                   else "none (kernel schedules server and generators over all CPUs)"))
    print(f"  geoshare     : {geoshare_revision()}")
    print(f"  database     : {args.database_url or 'SQLite in a temporary data dir'}")
    print("  argon2       : server defaults (OWASP minimum set: t=5, m=7168 KiB); GEOSHARE_ARGON2_* removed from its env")
    print(f"  per-load run : {args.duration:.0f} s; cpu columns in cores (1.00 = one core busy); other = rest of "
          "machine")
    results: dict[str, Any] = {"args": {k: v for k, v in vars(args).items()}, "generator": generator}

    srv = ServerProcess(database_url=args.database_url, admin_password=PASSWORD, cpus=args.server_cpus)
    try:
        started = srv.start(ready_path=FIRST_REQUEST)
        print(f"  server       : pid {srv.pid}, port {srv.port}, answered after {started:.2f} s; log {srv.log_path}")
        client = HttpClient(srv.port)
        token, _ = harness.generate_token(client, "admin", PASSWORD)
        users = ["admin", *harness.ensure_users(client, token, EXTRA_USERS, PASSWORD)]
        check_self(client, token, "admin")
        # warm-up: both paths, not measured
        run_load(srv.base + PING, 8, 1, generator=args.generator, cpus=args.gen_cpus)
        run_load(srv.base + SELF.format(token=token), 8, 1, generator=args.generator, cpus=args.gen_cpus)
        if "reads" in wanted:
            results["reads"] = bench_reads(srv, token, args, cores)
        if "signins" in wanted:
            results["signins"] = bench_signins(srv, users, args)
        if "storm" in wanted:
            results["storm"] = bench_storm(srv, token, users, args, cores)
        if "https" in wanted and not args.no_https:
            results["https"] = bench_https(srv, token, args, cores)
        if args.compare_generators:
            compare_generators(srv, token, args, cores)
        check_self(client, token, "admin")  # the token still worked at the end: every read was a real one
        client.close()
    finally:
        srv.cleanup()
    if "startup" in wanted:
        results["startup"] = bench_startup(args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    print("\ndone.")
    return 0


if __name__ == "__main__":
    if shutil.which("geoshare") is None and not any(Path(p, "geoshare").exists() for p in sys.path):
        print("geoshare is not installed (pip install -e .)", file=sys.stderr)
    sys.exit(main())
