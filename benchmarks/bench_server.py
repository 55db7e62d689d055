#!/usr/bin/env python3
"""Load test of ``reformkg serve``: N concurrent clients × M SPARQL queries on loopback.

Starts a real server on a free port (``--workers`` query processes), then each client thread sends
its queries one after another (the named queries of ``queries/*.rq`` with their default parameters,
in turn) and checks every answer (HTTP 200, JSON that parses). Prints throughput, p50/p90/p99 and
the error count; exits 1 if any query failed.

    .venv/bin/python benchmarks/bench_server.py [--clients 8] [--queries 500] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reformkg.loopback import free_port, running  # noqa: E402


def workload() -> list[tuple[str, str]]:
    """(name, SPARQL) for every named query, parameters bound to their defaults."""
    from reformkg.iris import DEFAULT_BASE
    from reformkg.queries import all_queries, bindings_for
    from reformkg.store import bind_values

    out = []
    for q in all_queries():
        try:
            out.append((q.name, bind_values(q.text, bindings_for(q, {}, DEFAULT_BASE))))
        except Exception:  # noqa: BLE001 - a query with a required parameter is left out
            continue
    out.append(("entity", ""))  # one dereference of an entity IRI in every round
    return out


def client(url: str, jobs: list[tuple[str, str]], n: int, offset: int, latencies: list, errors: list) -> None:
    with httpx.Client(timeout=60) as http:
        for i in range(n):
            name, query = jobs[(i + offset) % len(jobs)]
            started = time.perf_counter()
            try:
                if name == "entity":
                    r = http.get(url + "/id/measure/xiamen-2025-38/city-01", headers={"Accept": "text/turtle"})
                    ok = r.status_code == 200 and "rk:title" in r.text
                else:
                    r = http.post(url + "/sparql", data={"query": query},
                                  headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
                    if r.headers.get("content-type", "").startswith("text/turtle"):  # a CONSTRUCT
                        ok = r.status_code == 200 and "@prefix" in r.text
                    else:
                        ok = r.status_code == 200 and ("results" in r.json() or "boolean" in r.json())
            except Exception as exc:  # noqa: BLE001 - counted and reported
                ok, r = False, exc
            latencies.append(time.perf_counter() - started)
            if not ok:
                errors.append(f"{name}: {getattr(r, 'status_code', r)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--queries", type=int, default=500, help="queries per client")
    parser.add_argument("--workers", type=int, default=2, help="server query processes")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--graph", type=Path, default=ROOT / "dist" / "reformkg.ttl")
    args = parser.parse_args()
    if not args.graph.exists():
        subprocess.run([sys.executable, "-m", "reformkg.cli", "build"], cwd=ROOT, check=True)
    jobs = workload()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "reformkg.cli", "serve", "--graph", str(args.graph), "--port", str(port),
           "--workers", str(args.workers), "--timeout", str(args.timeout)]
    with running(cmd, url + "/", timeout=120, cwd=ROOT):
        latencies: list[float] = []
        errors: list[str] = []
        threads = [threading.Thread(target=client, args=(url, jobs, args.queries, i * 3, latencies, errors))
                   for i in range(args.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] * 1000

    total = len(lat)
    print(f"reformkg serve load test: {args.clients} clients x {args.queries} queries = {total} requests "
          f"({len(jobs) - 1} named queries + 1 entity IRI, in turn), {args.workers} workers, {os.cpu_count()} CPUs")
    print(f"wall {wall:.2f} s, throughput {total / wall:.0f} queries/s")
    print(f"latency ms: p50 {pct(50):.1f}, p90 {pct(90):.1f}, p99 {pct(99):.1f}, max {lat[-1] * 1000:.1f}, "
          f"mean {statistics.fmean(lat) * 1000:.1f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
