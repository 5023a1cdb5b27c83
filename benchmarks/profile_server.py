"""Profile the real server under one load scenario with py-spy, and print where the time goes.

    pip install py-spy
    python benchmarks/profile_server.py self     [--duration S] [--connections N] [--raw stacks.txt]
    python benchmarks/profile_server.py ping | signin | storm

`self`: GET community/self?f=json&token=... ; `ping`: GET /-/ping ; `signin`: sequential generateToken ;
`storm`: community/self reads while 8 generateToken loops run.  The server runs on CPU 0 and the load
on CPU 1 (taskset) when the machine has two CPUs.  Prints the top functions by own time and by
inclusive time, per thread, from py-spy's raw (collapsed-stack) output;
--raw keeps the collapsed stacks for a flame graph.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

PASSWORD = "Bench-passw0rd"  # noqa: S105 - throwaway server in a temporary data dir


def summarize(raw: Path, top: int) -> None:
    by_thread: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    own: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    totals: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        thread = frames[0] if frames[0].startswith(("thread", "process")) else "all"
        if frames[0].startswith("process"):
            frames = frames[1:]
            thread = frames[0] if frames and frames[0].startswith("thread") else "all"
        totals[thread] += n
        own[thread][frames[-1]] += n
        for f in set(frames):
            by_thread[thread][f] += n
    grand = sum(totals.values())
    for thread, total in totals.most_common():
        leaf, leaf_n = own[thread].most_common(1)[0]
        if leaf_n == total and "_worker" in leaf:
            print(f"\n--- {thread}: idle (waiting for work) in every sample")
            continue
        print(f"\n--- {thread}: {total} samples ({total / grand * 100:.0f} % of all)")
        print("  own time:")
        for f, n in own[thread].most_common(top):
            print(f"    {n / total * 100:5.1f} %  {f}")
        print("  inclusive (geoshare, sqlalchemy, logging, starlette, uvicorn, argon2 frames):")
        keep = ("geoshare/", "sqlalchemy/", "logging/", "starlette/", "uvicorn/", "argon2", "sqlite")
        shown = [(f, n) for f, n in by_thread[thread].most_common() if any(k in f for k in keep)]
        for f, n in shown[:top]:
            print(f"    {n / total * 100:5.1f} %  {f}")


def main() -> int:
    parser = argparse.ArgumentParser(description="py-spy profile of geoshare under load")
    parser.add_argument("scenario", choices=("self", "ping", "signin", "storm"))
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--raw", help="also keep py-spy's collapsed stacks in this file")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    args.duration = max(1.0, min(args.duration, 120.0))
    if shutil.which("py-spy") is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    pin = (harness.NCPU >= 2)
    server_cpus, gen_cpus = ("0", "1") if pin else (None, None)
    with tempfile.TemporaryDirectory(prefix="geoshare-profile-") as tmp, \
            harness.ServerProcess(database_url=args.database_url, admin_password=PASSWORD, cpus=server_cpus) as srv:
        srv.start(ready_path="/portal/sharing/rest/portals/self?f=json")
        client = harness.HttpClient(srv.port)
        token, _ = harness.generate_token(client, "admin", PASSWORD)
        users = ["admin", *harness.ensure_users(client, token, 4, PASSWORD)]
        self_url = srv.base + f"/portal/sharing/rest/community/self?f=json&token={token}"
        harness.run_load(self_url, 8, 1, cpus=gen_cpus)  # warm-up
        raw = Path(tmp) / "profile.txt"
        spy = subprocess.Popen(["py-spy", "record", "-p", str(srv.pid), "-d", str(int(args.duration)), "-r",
                                str(args.rate), "-f", "raw", "-t", "-o", str(raw)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.5)
        run = args.duration - 1
        if args.scenario in ("self", "ping"):
            url = self_url if args.scenario == "self" else srv.base + "/-/ping"
            r = harness.run_load(url, args.connections, run, server_pid=srv.pid, cpus=gen_cpus)
            print(f"{args.scenario}: {r.rps:,.0f} req/s, p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms "
                  f"(server cpu {r.server_cpu:.2f}, sampled by py-spy: slower than unprofiled)")
        elif args.scenario == "signin":
            deadline, times = time.monotonic() + run, []
            while time.monotonic() < deadline and len(times) < 10_000:
                _, t = harness.generate_token(client, users[len(times) % len(users)], PASSWORD)
                times.append(t * 1000)
            times.sort()
            print(f"signin: {len(times)} sign-ins, p50 {harness.percentile(times, 50):.1f} ms")
        else:
            bodies = [urllib.parse.urlencode(harness.sign_in_form(u, PASSWORD)) for u in users]
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                f = pool.submit(harness.run_load, srv.base + "/portal/sharing/rest/generateToken", 8, run,
                                cpus=gen_cpus, post_bodies=bodies, timeout=30.0)
                r = harness.run_load(self_url, 8, run, server_pid=srv.pid, cpus=gen_cpus)
                storm = f.result()
            print(f"storm: reads {r.rps:,.0f} req/s, sign-ins {storm.rps:.1f}/s")
        client.close()
        _, err = spy.communicate(timeout=args.duration + 60)
        if not raw.exists():
            print(f"py-spy failed: {err.decode()[-500:]}", file=sys.stderr)
            return 1
        summarize(raw, args.top)
        if args.raw:
            shutil.copyfile(raw, args.raw)
            print(f"\ncollapsed stacks written to {args.raw} (open with speedscope or flamegraph.pl)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
