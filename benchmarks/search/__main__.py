"""Search benchmark: ten item searches over a 1,000,000-item corpus, against the same queries
written by hand in SQL.

    python benchmarks/search [--items N] [--requests N] [--database-url URL] [--data-dir DIR]
                             [--reuse] [--json FILE]

Starts the real `geoshare serve` process (benchmarks/harness.py) on SQLite in --data-dir (a
temporary directory by default) or on the PostgreSQL database --database-url names, builds the
corpus straight through SQL (loader.py, corpus.py: 1,000 members, 10,000 groups, N items and their
group shares), restarts the server, and prints for each of the ten queries (queries.py) as
anonymous, as member_0001 (a member of 50 groups) and as the administrator:

 * p50/p95 of GET /sharing/rest/search?f=json (sequential keep-alive requests, after 3 warm-up
   ones; at most --requests, and no more than --budget seconds per query and caller),
 * the `total` it answered,
 * p50/p95 of the same query written by hand in SQL (exact COUNT(*) + the page, the access rule
   spelled out), run from this process against the same database in the same run, its count, and
   the ratio geoshare / hand-written, and whether geoshare's page holds the hand-written page's
   ids in the same order;

then the member/anonymous ratio per query and how many queries meet p50 <= 20 ms.  --reuse keeps a
corpus of the same size already in --data-dir / --database-url, so repeated runs take seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpus as gen  # noqa: E402
import harness  # noqa: E402
import loader  # noqa: E402
import queries  # noqa: E402
from bench_foundation import print_header, table, wait_quiet  # noqa: E402
from harness import HttpClient, ServerProcess  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

SEARCH = "/portal/sharing/rest/search"
CALLERS = ("anonymous", "member", "admin")
TARGET_MS = 20.0


# ------------------------------------------------------------------------------------------ timing

def percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {"p50": harness.percentile(times, 50), "p95": harness.percentile(times, 95), "n": float(len(times))}


def time_http(client: HttpClient, q: queries.Query, token: str | None, args: argparse.Namespace) -> dict[str, Any]:
    params = {"f": "json", **q.params, **({"token": token} if token else {})}
    url = f"{SEARCH}?{urllib.parse.urlencode(params)}"
    times: list[float] = []
    body: Any = None
    deadline = time.monotonic() + args.budget
    for n in range(args.requests + 3):
        status, body, elapsed = client.request("GET", url)
        if status != 200 or not isinstance(body, dict) or "results" not in body:
            return {"error": f"{status} {json.dumps(body)[:300] if not isinstance(body, str) else body[:300]}"}
        if n >= 3:
            times.append(elapsed * 1000)
            if len(times) >= 5 and time.monotonic() > deadline:
                break
    return {**percentiles(times), "total": body.get("total"), "page": len(body["results"]),
            "ids": [r["id"] for r in body["results"]]}


def time_sql(engine: Engine, q: queries.Query, who: str, me: str, args: argparse.Namespace) -> dict[str, Any]:
    stmts = queries.statements(q, who, engine.dialect.name)
    times: list[float] = []
    total = page = 0
    ids: list[str] = []
    deadline = time.monotonic() + args.budget
    with engine.connect() as conn:
        for n in range(args.sql_requests + 1):
            t0 = time.perf_counter()
            results = [conn.execute(text(sql), {**binds, "me": me, "org": gen.ORG}).fetchall() for sql, binds in stmts]
            elapsed = time.perf_counter() - t0
            total, page, ids = int(results[0][0][0]), len(results[1]), [str(r[0]) for r in results[1]]
            if n >= 1:
                times.append(elapsed * 1000)
                if len(times) >= 3 and time.monotonic() > deadline:
                    break
    return {**percentiles(times), "total": total, "page": page, "ids": ids}


# ------------------------------------------------------------------------------------------- setup

def prepare(args: argparse.Namespace, srv: ServerProcess, url: str) -> dict[str, Any]:
    """Build the corpus unless --reuse finds it; returns the build figures (empty when reused)."""
    engine = create_engine(url)
    try:
        size = loader.corpus_size(engine)
    finally:
        engine.dispose()
    if size and args.reuse and size == args.items:
        print(f"  corpus   : {size:,} items already there (--reuse)")
        return {}
    if size:
        raise SystemExit(f"this database already holds a corpus of {size:,} items: pass --reuse with --items {size}, "
                         "or an empty database / data directory")
    srv.stop()
    print(f"  corpus   : building {args.items:,} items ...", flush=True)
    timings = loader.build(url, args.items, lambda line: print(line, flush=True))
    print("  built in " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    srv.start(ready_path="/portal/sharing/rest/portals/self?f=json", timeout=300)
    return timings


def tokens(client: HttpClient) -> dict[str, str]:
    return {"admin": harness.generate_token(client, "admin", loader.PASSWORD)[0],
            "member": harness.generate_token(client, gen.username(gen.JOINER), loader.PASSWORD)[0]}


def user_ids(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        admin = conn.execute(text("SELECT id FROM users WHERE username_key = 'admin'")).scalar_one()
    return {"anonymous": "", "member": gen.user_id(gen.JOINER), "admin": str(admin)}


# --------------------------------------------------------------------------------------------- run

def baseline(client: HttpClient, token: str, requests: int) -> dict[str, float]:
    """community/self with a token: the fixed cost of a token-checked read through the whole stack."""
    times = []
    for n in range(requests + 3):
        status, _, elapsed = client.request("GET", f"/portal/sharing/rest/community/self?f=json&token={token}")
        if status != 200:
            raise RuntimeError(f"community/self answered {status}")
        if n >= 3:
            times.append(elapsed * 1000)
    return percentiles(times)


def run(args: argparse.Namespace, client: HttpClient, engine: Engine, toks: dict[str, str]) -> list[dict[str, Any]]:
    ids = user_ids(engine)
    floor = baseline(client, toks["member"], args.requests)
    print(f"  baseline: GET community/self with a token (no search): p50 {floor['p50']:.1f} ms, "
          f"p95 {floor['p95']:.1f} ms", flush=True)
    rows: list[dict[str, Any]] = [{"query": "baseline", "who": "member", "http": floor}]
    chosen = [q for q in queries.ten(gen.describe(args.items)) if not args.only or q.name in args.only]
    for q in chosen:
        for who in CALLERS:
            wait_quiet(args.wait_quiet, [])
            sql = time_sql(engine, q, who, ids[who], args)
            http = time_http(client, q, toks.get(who), args) if not args.sql_only else {"error": "skipped"}
            rows.append({"query": q.name, "q": q.params, "who": who, "http": http, "sql": sql})
            print(f"  {q.name:10} {who:9} sql {sql['p50']:8.1f} ms ({sql['total']:,})  "
                  + (f"http {http['p50']:8.1f} ms ({http['total']})" if "p50" in http else f"http {http['error'][:80]}"),
                  flush=True)
    return rows


def fmt(value: Any, spec: str = ".1f") -> str:
    return format(value, spec) if isinstance(value, (int, float)) else "-"


def report(all_rows: list[dict[str, Any]]) -> dict[str, Any]:
    floor = all_rows[0]["http"]
    rows = all_rows[1:]
    print(f"baseline (community/self with a token, no search): p50 {floor['p50']:.1f} ms, p95 {floor['p95']:.1f} ms\n")
    lines = []
    for r in rows:
        h, s = r["http"], r["sql"]
        ratio = h["p50"] / s["p50"] if "p50" in h and s["p50"] else None
        r["ratio"] = ratio
        r["same_page"] = "ids" in h and h["ids"] == s["ids"]
        lines.append([r["query"], r["who"], fmt(h.get("total"), ","), fmt(s["total"], ","), fmt(h.get("p50")),
                      fmt(h.get("p95")), fmt(s["p50"]), fmt(s["p95"]), fmt(ratio, ".2f"),
                      "yes" if r["same_page"] else "NO"])
    print(table(["query", "as", "total", "sql count", "p50 ms", "p95 ms", "sql p50", "sql p95", "geoshare/sql",
                 "same page"], lines))
    by = {(r["query"], r["who"]): r for r in rows}
    names = list(dict.fromkeys(r["query"] for r in rows))
    print("\nqueries:")
    for r in rows:
        if r["who"] == "anonymous":
            print(f"  {r['query']:10} {urllib.parse.urlencode(r['q'])}")
    ratios = []
    for name in names:
        m, a = by[(name, "member")]["http"], by[(name, "anonymous")]["http"]
        ratios.append([name, fmt(m["p50"] / a["p50"] if "p50" in m and "p50" in a and a["p50"] else None, ".2f")])
    print("\nmember / anonymous (p50):")
    print(table(["query", "ratio"], ratios))
    summary = {}
    for who in ("member", "anonymous", "admin"):
        ok = sum(1 for n in names if "p50" in by[(n, who)]["http"] and by[(n, who)]["http"]["p50"] <= TARGET_MS)
        summary[who] = ok
    worst = max((r["ratio"] for r in rows if r["ratio"] is not None), default=None)
    n = len(names)
    print(f"\np50 <= {TARGET_MS:.0f} ms: {summary['member']}/{n} as member, {summary['anonymous']}/{n} as anonymous, "
          f"{summary['admin']}/{n} as admin (target: >= 8 of the 10 as member and as anonymous); "
          f"highest geoshare/hand-written ratio: {fmt(worst, '.2f')} (target <= 1.0)")
    same = sum(1 for r in rows if r["same_page"])
    print(f"pages equal to the hand-written SQL's page (the same ids in the same order): {same}/{len(rows)}")
    errors = sorted({r["http"]["error"] for r in rows if "error" in r["http"]})
    for e in errors:
        print(f"endpoint error: {e}")
    return {"meets_target": summary, "worst_ratio": worst, "member_over_anonymous": ratios, "baseline": floor,
            "same_pages": same}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50, help="timed HTTP requests per query and caller")
    parser.add_argument("--sql-requests", type=int, default=10, help="timed runs of the hand-written SQL")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per query and caller, at most")
    parser.add_argument("--database-url", default="", help="an empty scratch PostgreSQL database (default: SQLite)")
    parser.add_argument("--data-dir", default="", help="the server's data directory (kept; default: temporary)")
    parser.add_argument("--reuse", action="store_true", help="keep a corpus of --items items already built there")
    parser.add_argument("--sql-only", action="store_true", help="time only the hand-written SQL")
    parser.add_argument("--wait-quiet", type=float, default=2.0)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--only", default="", help="time only these queries (names, comma-separated: "
                        "'free text,range'); the report then covers only them")
    args = parser.parse_args(argv)
    args.only = [n.strip() for n in args.only.split(",") if n.strip()]
    args.items = max(10_000, min(args.items, 5_000_000))
    args.requests = max(5, min(args.requests, 10_000))
    args.sql_requests = max(3, min(args.sql_requests, 1_000))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print_header("geoshare search benchmark", args.database_url or "SQLite")
    tmp = None if args.data_dir else tempfile.TemporaryDirectory(prefix="geoshare-search-")
    data_dir = Path(args.data_dir or (tmp.name if tmp else "")) / "data"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    srv = ServerProcess(data_dir=data_dir, database_url=args.database_url, admin_password=loader.PASSWORD)
    results: dict[str, Any] = {"args": vars(args)}
    try:
        srv.start(ready_path="/portal/sharing/rest/portals/self?f=json", timeout=300)
        url = args.database_url or f"sqlite:///{data_dir / 'geoshare.db'}"
        results["build"] = prepare(args, srv, url)
        client = HttpClient(srv.port)
        engine = create_engine(url)
        try:
            print(f"\n== search: sequential requests (at most {args.requests} each, {args.budget:.0f} s budget), "
                  f"hand-written SQL ({args.sql_requests} runs)")
            rows = run(args, client, engine, tokens(client))
        finally:
            engine.dispose()
            client.close()
        print()
        results["summary"] = report(rows)
        results["rows"] = rows
    finally:
        srv.cleanup()
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    print("\ndone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
