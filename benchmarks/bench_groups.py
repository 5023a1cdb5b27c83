"""Groups benchmark: group search over 100,000 groups, a member of 500 groups, addUsers of 1,000.

    python benchmarks/bench_groups.py [--groups N] [--requests N] [--database-url URL] [--json FILE]

Starts the real `geoshare serve` process (as bench_members.py does) with a temporary data
directory (SQLite) or the empty scratch database --database-url names (PostgreSQL), then writes
straight through storage (`storage.user_queries.insert_users`, `storage.group_queries.insert_groups`,
batches of 5,000 rows; no API call per row):

 * 1,010 members of the default organization: member_000010 ... member_001009 own the groups,
   member_000001 ("joiner") belongs to 500 of them, member_000002 ("loner") to none;
 * N groups (default 100,000) titled "<Word> group <i>" (16 words, so a title word matches 1/16),
   tagged with the word and one of 500 districts, a third each private, org and public;

and prints:

 1. p50/p95 of GET community/groups for several query shapes, as a member, as the administrator
    and anonymously, and with searchUserAccess=groupMember for the member of 500 groups;
 2. p50/p95 of GET community/self for the member of 500 groups and for the member of none, and
    their ratio (the user object lists every group its user belongs to);
 3. the time of one POST community/groups/{id}/addUsers naming 1,000 members, into a fresh group
    each time (--add-runs times; median and worst), each answer checked to add all of them.

Latencies come from sequential keep-alive requests (one at a time: the server's time per request
plus loopback); every answer is checked to be a real page.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import argon2  # noqa: E402
import harness  # noqa: E402
from bench_foundation import print_header, table, wait_quiet  # noqa: E402
from bench_members import BATCH, ORG, PASSWORD, SHARING, WORDS, member_row  # noqa: E402
from harness import HttpClient, ServerProcess  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from geoshare.storage import group_queries, user_queries  # noqa: E402

OWNERS = range(10, 1010)  # member indexes that own groups
JOINER, LONER, READER = 1, 2, 3  # a member of 500 groups, of none, and an ordinary member
JOINED = 500
ACCESS = ("private", "org", "public")


# ------------------------------------------------------------------------------------------ seeding

def group_row(i: int, now: int) -> dict[str, Any]:
    word = WORDS[i % len(WORDS)]
    owner = OWNERS[i % len(OWNERS)]
    return {"id": f"{i + 1:032x}", "org_id": ORG, "owner_id": f"{owner + 1:032x}", "title": f"{word.title()} group {i}",
            "description": f"Work on the {word} of district {i % 500}", "snippet": None,
            "tags": [word, f"district{i % 500}"], "access": ACCESS[i % 3], "created": now + i * 1000,
            "modified": now + i * 1000}


def member_rows(first: int, last: int, joined_every: int, now: int) -> list[dict[str, Any]]:
    """Owner rows for groups first..last-1, and the joiner's rows for every `joined_every`th group."""
    rows = [{"group_id": f"{i + 1:032x}", "user_id": f"{OWNERS[i % len(OWNERS)] + 1:032x}", "member_type": "owner",
             "joined": now} for i in range(first, last)]
    rows += [{"group_id": f"{i + 1:032x}", "user_id": f"{JOINER + 1:032x}", "member_type": "member", "joined": now}
             for i in range(first, last) if i % joined_every == 0 and i // joined_every < JOINED]
    return rows


def seed(database_url: str, groups: int) -> float:
    """Write the members and `groups` groups; returns the seconds it took."""
    started = time.perf_counter()
    password_hash = argon2.PasswordHasher(time_cost=5, memory_cost=7168, parallelism=1).hash(PASSWORD)
    engine = create_engine(database_url)
    now = 1_600_000_000_000
    joined_every = max(1, groups // JOINED)
    try:
        with engine.begin() as conn:
            user_queries.insert_users(conn, [member_row(i, password_hash, now) for i in range(OWNERS.stop)])
        for first in range(0, groups, BATCH):
            last = min(first + BATCH, groups)
            with engine.begin() as conn:
                group_queries.insert_groups(conn, [group_row(i, now) for i in range(first, last)],
                                            member_rows(first, last, joined_every, now))
        with engine.begin() as conn:  # fresh planner statistics, as a portal that grew over time has
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


# ------------------------------------------------------------------------------------------ timing

def timed(client: HttpClient, path: str, params: dict[str, Any], requests: int, key: str) -> dict[str, float]:
    """p50/p95 of `requests` sequential GETs (after 5 unmeasured ones); each answer must be a page."""
    url = f"{SHARING}/{path}?{urllib.parse.urlencode({'f': 'json', **params})}"
    times = []
    body: Any = None
    for n in range(requests + 5):
        status, body, elapsed = client.request("GET", url)
        if status != 200 or not isinstance(body, dict) or key not in body:
            raise RuntimeError(f"{path} {params} did not answer: {status} {str(body)[:300]}")
        if n >= 5:
            times.append(elapsed * 1000)
    times.sort()
    total = body.get("total", len(body.get("groups", []))) if isinstance(body, dict) else -1
    return {"p50": harness.percentile(times, 50), "p95": harness.percentile(times, 95), "total": float(total)}


def bench_search(client: HttpClient, tokens: dict[str, str], args: argparse.Namespace) -> list[list[Any]]:
    one = (args.groups // 3) // len(WORDS) * len(WORDS)  # a group whose title word is WORDS[0]
    shapes = [
        ("reader", {"q": "*"}, "* (title order)"),
        ("reader", {"q": "*", "sortField": "created", "sortOrder": "desc"}, "* by created desc"),
        ("reader", {"q": "title:river"}, "title word"),
        ("reader", {"q": f'"{WORDS[0]} group {one}"'}, "title phrase"),
        ("reader", {"q": f"owner:member_{OWNERS[42]:06}"}, "owner:"),
        ("reader", {"q": "tags:district42"}, "tags"),
        ("reader", {"q": f"river accountid:{ORG}", "num": 100, "sortField": "title"}, "word + accountid (arcgis)"),
        ("admin", {"q": f"* accountid:{ORG}", "num": 100}, "* + accountid, admin"),
        ("anonymous", {"q": "river"}, "word, anonymous"),
        ("joiner", {"q": "*", "searchUserAccess": "groupMember", "num": 100}, "groupMember (500 groups)"),
        ("joiner", {"q": "title:river", "searchUserAccess": "groupMember"}, "groupMember + title word"),
    ]
    rows = []
    for who, params, label in shapes:
        wait_quiet(args.wait_quiet, [])
        auth = {"token": tokens[who]} if who in tokens else {}
        figures = timed(client, "community/groups", {**params, **auth}, args.requests, "results")
        rows.append([label, who, f"{figures['total']:.0f}", f"{figures['p50']:.1f}", f"{figures['p95']:.1f}"])
    return rows


def bench_self(client: HttpClient, tokens: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    joiner = timed(client, "community/self", {"token": tokens["joiner"]}, args.requests, "groups")
    loner = timed(client, "community/self", {"token": tokens["loner"]}, args.requests, "username")
    return {"joiner": joiner, "loner": loner, "ratio_p50": joiner["p50"] / loner["p50"] if loner["p50"] else 0.0}


def bench_add_users(client: HttpClient, tokens: dict[str, str], runs: int) -> dict[str, float]:
    """addUsers with 1,000 names into a new group, `runs` times."""
    names = ",".join(f"member_{i:06}" for i in OWNERS)  # 1,000 members
    times = []
    for run in range(runs):
        form = {"f": "json", "token": tokens["admin"], "title": f"Everyone {run}", "access": "org"}
        status, body, _ = client.request("POST", f"{SHARING}/community/createGroup", form)
        if status != 200 or not isinstance(body, dict) or "group" not in body:
            raise RuntimeError(f"createGroup did not answer: {status} {str(body)[:300]}")
        form = {"f": "json", "token": tokens["admin"], "users": names}
        status, body, elapsed = client.request("POST", f"{SHARING}/community/groups/{body['group']['id']}/addUsers",
                                               form)
        if status != 200 or body != {"notAdded": []}:
            raise RuntimeError(f"addUsers did not add everyone: {status} {str(body)[:300]}")
        times.append(elapsed * 1000)
    times.sort()
    return {"median": harness.percentile(times, 50), "worst": times[-1], "runs": float(runs)}


# -------------------------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per query shape")
    parser.add_argument("--database-url", default="", help="an empty scratch PostgreSQL database (default: SQLite)")
    parser.add_argument("--add-runs", type=int, default=5, help="addUsers calls of 1,000 names each")
    parser.add_argument("--wait-quiet", type=float, default=10.0)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    args.groups = max(JOINED, min(args.groups, 1_000_000))
    args.requests = max(10, min(args.requests, 10_000))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print_header("geoshare groups benchmark", args.database_url or "SQLite in a temporary data dir")
    results: dict[str, Any] = {"args": vars(args)}
    srv = ServerProcess(database_url=args.database_url, admin_password=PASSWORD)
    try:
        srv.start(ready_path=f"{SHARING}/portals/self?f=json")
        assert srv.data_dir is not None
        url = args.database_url or f"sqlite:///{srv.data_dir / 'geoshare.db'}"
        seconds = seed(url, args.groups)
        print(f"  groups   : {args.groups:,} written through storage in {seconds:.1f} s (batches of {BATCH:,}); "
              f"member_{JOINER:06} belongs to {JOINED}")
        client = HttpClient(srv.port)
        tokens = {"admin": harness.generate_token(client, "admin", PASSWORD)[0]}
        for who, index in (("joiner", JOINER), ("loner", LONER), ("reader", READER)):
            tokens[who] = harness.generate_token(client, f"member_{index:06}", PASSWORD)[0]
        print(f"\n== community/groups, sequential requests ({args.requests} each, after 5 warm-up ones)")
        rows = bench_search(client, tokens, args)
        print(table(["query", "as", "total", "p50 ms", "p95 ms"], rows))
        results["search"] = rows
        print(f"\n== community/self: a member of {JOINED} groups vs a member of none")
        own = bench_self(client, tokens, args)
        print(table(["caller", "groups", "p50 ms", "p95 ms"],
                    [[f"member of {JOINED}", f"{own['joiner']['total']:.0f}", f"{own['joiner']['p50']:.1f}",
                      f"{own['joiner']['p95']:.1f}"],
                     ["member of none", "0", f"{own['loner']['p50']:.1f}", f"{own['loner']['p95']:.1f}"]]))
        print(f"ratio (p50, {JOINED} groups / none): {own['ratio_p50']:.2f}")
        results["self"] = own
        print(f"\n== addUsers: {len(OWNERS):,} names in one call, into a new group ({args.add_runs} runs)")
        added = bench_add_users(client, tokens, max(1, args.add_runs))
        print(f"median {added['median']:.1f} ms, worst {added['worst']:.1f} ms")
        results["addUsers"] = added
        client.close()
    finally:
        srv.cleanup()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    print("\ndone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
