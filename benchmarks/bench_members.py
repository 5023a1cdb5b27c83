"""Members benchmark: user search and the member listing of an organization of 100,000 members.

    python benchmarks/bench_members.py [--members N] [--requests N] [--duration S]
                                       [--database-url URL] [--pin split|none] [--json FILE]

Starts the real `geoshare serve` process (as bench_foundation.py does) on a free loopback port
with a temporary data directory (SQLite) or the empty scratch database --database-url names
(PostgreSQL), then writes N members into the default organization straight through storage
(`storage.user_queries.insert_users`, batches of 5,000 rows, one precomputed argon2 hash for
all of them; no API call per member), and prints:

 1. p50/p95 of GET community/users?q=... for a few query shapes, as the administrator (full
    view) and as a member (member view, private profiles hidden);
 2. p50/p95 of GET portals/self/users: the first page and a deep page, sorted;
 3. GET community/users/{u} with a token against the bare ASGI JSON endpoint /-/ping, both
    under the same load in the same run: requests/s and their ratio.

Latencies are measured with sequential keep-alive requests (one at a time, so they are the
server's time per request plus loopback); every answer is checked to be a real page.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import argon2  # noqa: E402
import harness  # noqa: E402
from bench_foundation import print_header, table, wait_quiet  # noqa: E402
from harness import HttpClient, ServerProcess, run_load  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from geoshare.storage import user_queries  # noqa: E402

ORG = "0123456789ABCDEF"
PASSWORD = "Bench-passw0rd"  # noqa: S105 - throwaway server in a temporary data dir
SHARING = "/portal/sharing/rest"
BATCH = 5_000
WORDS = ("river", "forest", "harbor", "canyon", "meadow", "summit", "delta", "prairie", "tundra", "lagoon",
         "glacier", "valley", "island", "marsh", "ridge", "bay")


# ------------------------------------------------------------------------------------------ seeding

def full_name(i: int) -> str:
    return f"{WORDS[i % len(WORDS)].title()} Person {i}"


def member_row(i: int, password_hash: str, now: int) -> dict[str, Any]:
    """Member i: full name "<Word> Person <i>" (16 words, so a word matches 1/16 of everyone);
    one in a hundred keeps a private profile; one in ten is a publisher."""
    word = WORDS[i % len(WORDS)]
    return {"id": f"{i + 1:032x}", "org_id": ORG, "username": f"member_{i:06}", "password_hash": password_hash,
            "full_name": full_name(i), "first_name": word.title(), "last_name": f"Person {i}",
            "email": f"member{i}@example.org", "description": f"Maps the {word} of district {i % 500}",
            "tags": [word, f"district{i % 500}"], "role": "org_publisher" if i % 10 == 0 else "org_user",
            "user_license_type_id": "creatorUT", "access": "private" if i % 100 == 99 else "org",
            "provider": "arcgis", "disabled": False, "last_login": -1, "created": now + i * 1000,
            "modified": now + i * 1000, "culture": "en", "units": "english"}


def seed(database_url: str, members: int) -> float:
    """Write `members` members; returns the seconds it took."""
    started = time.perf_counter()
    password_hash = argon2.PasswordHasher(time_cost=5, memory_cost=7168, parallelism=1).hash(PASSWORD)
    engine = create_engine(database_url)
    now = 1_600_000_000_000
    try:
        for first in range(0, members, BATCH):
            rows = [member_row(i, password_hash, now) for i in range(first, min(first + BATCH, members))]
            with engine.begin() as conn:
                user_queries.insert_users(conn, rows)
        # A bulk load leaves the planner's statistics stale until autovacuum (PostgreSQL) or an
        # ANALYZE (SQLite) catches up; a portal that grew to this size over time has them.
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


# ------------------------------------------------------------------------------------------ timing

def timed(client: HttpClient, path: str, params: dict[str, Any], requests: int, key: str) -> dict[str, float]:
    """p50/p95 of `requests` sequential GETs (after 5 unmeasured ones); each answer must be a page."""
    url = f"{SHARING}/{path}?{urllib.parse.urlencode({'f': 'json', **params})}"
    times = []
    for n in range(requests + 5):
        status, body, elapsed = client.request("GET", url)
        if status != 200 or not isinstance(body, dict) or key not in body:
            raise RuntimeError(f"{path} {params} did not answer a page: {status} {str(body)[:300]}")
        if n >= 5:
            times.append(elapsed * 1000)
    times.sort()
    return {"p50": harness.percentile(times, 50), "p95": harness.percentile(times, 95),
            "total": float(body.get("total", -1)) if isinstance(body, dict) else -1.0}


def bench_queries(client: HttpClient, tokens: dict[str, str], args: argparse.Namespace) -> list[list[Any]]:
    deep = max(1, args.members // 2)
    shapes = [
        ("community/users", "admin", {"q": f"username:member_{args.members // 3:06}"}, "username:<one>"),
        ("community/users", "admin", {"q": f"river accountid:{ORG}", "num": 100}, "word + accountid (arcgis)"),
        ("community/users", "admin", {"q": f'fullname:"{full_name(args.members // 4)}"'}, "fullname phrase"),
        ("community/users", "admin", {"q": f"username:member_0012* AND accountid:{ORG}"}, "username prefix*"),
        ("community/users", "admin", {"q": "*", "sortField": "created", "sortOrder": "desc"}, "* by created desc"),
        ("community/users", "member", {"q": f"river accountid:{ORG}", "num": 100}, "word + accountid, member"),
        ("portals/self/users", "admin", {"num": 100, "sortField": "username"}, "first page, username"),
        ("portals/self/users", "admin", {"num": 100, "start": deep, "sortField": "username"},
         f"page at {deep}, username"),
        ("portals/self/users", "admin", {"num": 100, "start": deep, "sortField": "created", "sortOrder": "desc"},
         f"page at {deep}, created desc"),
        ("portals/self/users", "member", {"num": 100, "sortField": "fullname"}, "first page, fullname, member"),
    ]
    rows = []
    for path, who, params, label in shapes:
        key = "users" if path.endswith("/users") and path.startswith("portals") else "results"
        wait_quiet(args.wait_quiet, [])
        figures = timed(client, path, {**params, "token": tokens[who]}, args.requests, key)
        rows.append([path, label, who, f"{figures['total']:.0f}", f"{figures['p50']:.1f}", f"{figures['p95']:.1f}"])
    return rows


def bench_ratio(srv: ServerProcess, token: str, args: argparse.Namespace) -> dict[str, Any]:
    user_url = f"{srv.base}{SHARING}/community/users/member_000042?f=json&token={token}"
    wait_quiet(args.wait_quiet, [srv.pid])
    ping = run_load(srv.base + "/-/ping", args.connections, args.duration, server_pid=srv.pid, cpus=args.gen_cpus)
    user = run_load(user_url, args.connections, args.duration, server_pid=srv.pid, cpus=args.gen_cpus)
    return {"ping_rps": ping.rps, "user_rps": user.rps, "ratio": user.rps / ping.rps if ping.rps else 0.0,
            "ping_p50": ping.p50_ms, "user_p50": user.p50_ms, "user_p99": user.p99_ms, "errors": ping.errors + user.errors}


# -------------------------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per query shape")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load run of the ratio")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default="", help="an empty scratch PostgreSQL database (default: SQLite)")
    parser.add_argument("--pin", choices=("split", "none"), default="split" if (os.cpu_count() or 1) >= 2 else "none")
    parser.add_argument("--wait-quiet", type=float, default=10.0)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    args.members = max(1_000, min(args.members, 1_000_000))
    args.requests = max(10, min(args.requests, 10_000))
    args.duration = max(1.0, min(args.duration, 120.0))
    args.server_cpus, args.gen_cpus = ("0", "1") if args.pin == "split" else (None, None)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print_header("geoshare members benchmark", args.database_url or "SQLite in a temporary data dir")
    results: dict[str, Any] = {"args": vars(args)}
    srv = ServerProcess(database_url=args.database_url, admin_password=PASSWORD, cpus=args.server_cpus)
    try:
        srv.start(ready_path=f"{SHARING}/portals/self?f=json")
        assert srv.data_dir is not None
        url = args.database_url or f"sqlite:///{srv.data_dir / 'geoshare.db'}"
        seconds = seed(url, args.members)
        print(f"  members  : {args.members:,} written through storage in {seconds:.1f} s (batches of {BATCH:,})")
        client = HttpClient(srv.port)
        tokens = {"admin": harness.generate_token(client, "admin", PASSWORD)[0],
                  "member": harness.generate_token(client, "member_000001", PASSWORD)[0]}
        print(f"\n== latency of sequential requests ({args.requests} each, after 5 warm-up ones)")
        rows = bench_queries(client, tokens, args)
        print(table(["endpoint", "query", "as", "total", "p50 ms", "p95 ms"], rows))
        results["latency"] = rows
        print(f"\n== community/users/{{u}} with a token vs the bare ASGI endpoint /-/ping "
              f"({args.connections} connections, {args.duration:.0f} s each, pinning {args.pin})")
        ratio = bench_ratio(srv, tokens["admin"], args)
        print(table(["endpoint", "req/s", "p50 ms"],
                    [["/-/ping", f"{ratio['ping_rps']:,.0f}", f"{ratio['ping_p50']:.2f}"],
                     ["community/users/{u}", f"{ratio['user_rps']:,.0f}", f"{ratio['user_p50']:.2f}"]]))
        print(f"ratio user/ping: {ratio['ratio']:.2f}   (errors: {ratio['errors']})")
        results["ratio"] = ratio
        client.close()
    finally:
        srv.cleanup()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    print("\ndone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
