"""Items benchmark: a large file through the multipart upload and the data download, and item reads.

    python benchmarks/bench_items.py [--size MB] [--part MB] [--duration S] [--connections N]
                                     [--database-url URL] [--pin split|none] [--json FILE]

Starts the real `geoshare serve` process (harness.ServerProcess; SQLite in a temporary data
directory, or the empty scratch PostgreSQL database --database-url names) and prints:

 1. upload: addItem multipart=true, then addPart for each part of --part MB (the client streams
    each part's bytes from the file, never holding a part in memory), then commit; its MB/s as a
    ratio to a plain copy of the same file on the same disk (copy + fsync, as the blob store
    does); the target is >= 0.5;
 2. download: GET content/items/{id}/data written to a file on the same disk, against the same
    copy; the bytes are compared;
 3. the server's memory during each: the peak of VmRSS sampled every 10 ms over the baseline
    before it, and the growth of VmHWM (/proc/<pid>/status); the target is <= 64 MB;
 4. GET content/items/{id} with a token against the bare ASGI endpoint /-/ping, under the same
    load in the same run: requests/s and their ratio.
"""

from __future__ import annotations

import argparse
import filecmp
import http.client
import json
import os
import shutil
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from bench_foundation import print_header, table, wait_quiet  # noqa: E402
from harness import HOST, HttpClient, ServerProcess, run_load  # noqa: E402

PASSWORD = "Bench-passw0rd"  # noqa: S105 - throwaway server in a temporary data dir
SHARING = "/portal/sharing/rest"
MB = 1024 * 1024
CHUNK = MB
BOUNDARY = "benchitemsboundary"


# ------------------------------------------------------------------------------------------ memory

def status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class RssWatch:
    """Samples the server's VmRSS every 10 ms while a phase runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.base_rss = status_kb(pid, "VmRSS")
        self.base_hwm = status_kb(pid, "VmHWM")
        self.peak = self.base_rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, status_kb(self.pid, "VmRSS"))

    def __enter__(self) -> RssWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict[str, float]:
        return {"rss_growth_mb": (self.peak - self.base_rss) / 1024,
                "hwm_growth_mb": (status_kb(self.pid, "VmHWM") - self.base_hwm) / 1024}


# ------------------------------------------------------------------------------------------ upload

def make_source(path: Path, size: int) -> None:
    block = os.urandom(CHUNK)
    with path.open("wb") as out:
        for offset in range(0, size, CHUNK):
            out.write(block[: min(CHUNK, size - offset)])


def plain_copy(source: Path, target: Path) -> float:
    started = time.perf_counter()
    with source.open("rb") as src, target.open("wb") as out:
        shutil.copyfileobj(src, out, CHUNK)
        out.flush()
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def post_json(conn: http.client.HTTPConnection, path: str, body: bytes, ctype: str) -> Any:
    conn.request("POST", path, body=body, headers={"Content-Type": ctype})
    answer = conn.getresponse()
    return json.loads(answer.read())


def add_item(conn: http.client.HTTPConnection, token: str, name: str) -> str:
    form = urllib.parse.urlencode({"f": "json", "token": token, "title": "bench upload", "type": "CSV",
                                   "multipart": "true", "fileName": name}).encode()
    body = post_json(conn, f"{SHARING}/content/users/admin/addItem", form, "application/x-www-form-urlencoded")
    if body.get("success") is not True:
        raise RuntimeError(f"addItem failed: {body}")
    return str(body["id"])


def send_part(conn: http.client.HTTPConnection, token: str, item_id: str, num: int, source: Path,
              offset: int, length: int) -> None:
    """One addPart, the part's bytes streamed from the file in 1 MB writes."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{source.name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    query = urllib.parse.urlencode({"f": "json", "token": token, "partNum": num})
    conn.putrequest("POST", f"{SHARING}/content/users/admin/items/{item_id}/addPart?{query}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(len(head) + length + len(tail)))
    conn.endheaders()
    conn.send(head)
    with source.open("rb") as src:
        src.seek(offset)
        left = length
        while left:
            data = src.read(min(CHUNK, left))
            conn.send(data)
            left -= len(data)
    conn.send(tail)
    answer = json.loads(conn.getresponse().read())
    if answer != {"success": True}:
        raise RuntimeError(f"addPart {num} failed: {answer}")


def upload(port: int, token: str, source: Path, part: int) -> tuple[str, float, float]:
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    item_id = add_item(conn, token, source.name)
    size = source.stat().st_size
    for num, offset in enumerate(range(0, size, part), start=1):
        send_part(conn, token, item_id, num, source, offset, min(part, size - offset))
    form = urllib.parse.urlencode({"f": "json", "token": token, "type": "CSV"}).encode()
    committing = time.perf_counter()
    done = post_json(conn, f"{SHARING}/content/users/admin/items/{item_id}/commit", form,
                     "application/x-www-form-urlencoded")
    elapsed, commit_s = time.perf_counter() - started, time.perf_counter() - committing
    conn.close()
    if done.get("success") is not True:
        raise RuntimeError(f"commit failed: {done}")
    return item_id, elapsed, commit_s


def download(port: int, token: str, item_id: str, target: Path) -> float:
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", f"{SHARING}/content/items/{item_id}/data?token={token}")
    answer = conn.getresponse()
    with target.open("wb") as out:
        while data := answer.read(CHUNK):
            out.write(data)
        out.flush()
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


# -------------------------------------------------------------------------------------------- main

def bench_files(srv: ServerProcess, token: str, args: argparse.Namespace) -> dict[str, Any]:
    assert srv.data_dir is not None
    work = srv.data_dir.parent
    source, copied = work / "source.csv", work / "copied.csv"
    size = args.size * MB
    make_source(source, size)
    copy_s = plain_copy(source, work / "copy-target")
    wait_quiet(args.wait_quiet, [srv.pid])
    with RssWatch(srv.pid) as up_mem:
        item_id, up_s, commit_s = upload(srv.port, token, source, args.part * MB)
    with RssWatch(srv.pid) as down_mem:
        down_s = download(srv.port, token, item_id, copied)
    same = filecmp.cmp(source, copied, shallow=False)
    source.unlink()
    copied.unlink()
    return {"item": item_id, "size_mb": args.size, "copy_s": copy_s, "upload_s": up_s, "commit_s": commit_s, "download_s": down_s,
            "upload_ratio": copy_s / up_s, "download_ratio": copy_s / down_s, "bytes_equal": same,
            "upload_mem": up_mem.figures(), "download_mem": down_mem.figures()}


def bench_ratio(srv: ServerProcess, token: str, item_id: str, args: argparse.Namespace) -> dict[str, Any]:
    item_url = f"{srv.base}{SHARING}/content/items/{item_id}?f=json&token={token}"
    wait_quiet(args.wait_quiet, [srv.pid])
    ping = run_load(srv.base + "/-/ping", args.connections, args.duration, server_pid=srv.pid, cpus=args.gen_cpus)
    item = run_load(item_url, args.connections, args.duration, server_pid=srv.pid, cpus=args.gen_cpus)
    return {"ping_rps": ping.rps, "item_rps": item.rps, "ratio": item.rps / ping.rps if ping.rps else 0.0,
            "ping_p50": ping.p50_ms, "item_p50": item.p50_ms, "errors": ping.errors + item.errors}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1024, help="file size in MB (default 1024)")
    parser.add_argument("--part", type=int, default=50, help="part size in MB (default 50)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load run of the ratio")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default="", help="an empty scratch PostgreSQL database (default: SQLite)")
    parser.add_argument("--pin", choices=("split", "none"), default="split" if (os.cpu_count() or 1) >= 2 else "none")
    parser.add_argument("--wait-quiet", type=float, default=10.0)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    args.size = max(1, min(args.size, 16 * 1024))
    args.part = max(1, min(args.part, 1024))
    args.duration = max(1.0, min(args.duration, 120.0))
    args.server_cpus, args.gen_cpus = ("0", "1") if args.pin == "split" else (None, None)
    return args


def report(files: dict[str, Any], ratio: dict[str, Any], args: argparse.Namespace) -> None:
    mb = files["size_mb"]
    print(table(["phase", "seconds", "MB/s", "ratio to copy", "peak RSS growth MB", "VmHWM growth MB"], [
        ["plain copy", f"{files['copy_s']:.2f}", f"{mb / files['copy_s']:.0f}", "1.00", "", ""],
        ["multipart upload", f"{files['upload_s']:.2f}", f"{mb / files['upload_s']:.0f}",
         f"{files['upload_ratio']:.2f}", f"{files['upload_mem']['rss_growth_mb']:.1f}",
         f"{files['upload_mem']['hwm_growth_mb']:.1f}"],
        ["data download", f"{files['download_s']:.2f}", f"{mb / files['download_s']:.0f}",
         f"{files['download_ratio']:.2f}", f"{files['download_mem']['rss_growth_mb']:.1f}",
         f"{files['download_mem']['hwm_growth_mb']:.1f}"]]))
    print(f"of the upload, commit (joining the parts): {files['commit_s']:.2f} s")
    print(f"downloaded bytes equal the file: {files['bytes_equal']}")
    print(f"\n== content/items/{{id}} with a token vs /-/ping ({args.connections} connections, "
          f"{args.duration:.0f} s each, pinning {args.pin})")
    print(table(["endpoint", "req/s", "p50 ms"],
                [["/-/ping", f"{ratio['ping_rps']:,.0f}", f"{ratio['ping_p50']:.2f}"],
                 ["content/items/{id}", f"{ratio['item_rps']:,.0f}", f"{ratio['item_p50']:.2f}"]]))
    print(f"ratio item/ping: {ratio['ratio']:.2f}   (errors: {ratio['errors']})")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print_header("geoshare items benchmark", args.database_url or "SQLite in a temporary data dir")
    # Parts of --part MB must pass the request body limit.
    srv = ServerProcess(database_url=args.database_url, admin_password=PASSWORD, cpus=args.server_cpus,
                        extra_args=["--max-body-bytes", str((args.part + 1) * MB)])
    results: dict[str, Any] = {"args": vars(args)}
    try:
        srv.start(ready_path=f"{SHARING}/portals/self?f=json")
        client = HttpClient(srv.port)
        token = harness.generate_token(client, "admin", PASSWORD)[0]
        client.close()
        print(f"\n== a {args.size} MB file: multipart upload ({args.part} MB parts) and data download")
        results["files"] = bench_files(srv, token, args)
        results["ratio"] = bench_ratio(srv, token, results["files"]["item"], args)
        report(results["files"], results["ratio"], args)
    finally:
        srv.cleanup()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    print("\ndone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
