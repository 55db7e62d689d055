#!/usr/bin/env python3
"""How reformkg scales: corpora of 10, 100 and 1,000 synthetic notices, each step timed, rdflib beside it.

    .venv/bin/python benchmarks/run.py                      # 10, 100 and 1,000 notices (several minutes)
    .venv/bin/python benchmarks/run.py --sizes 10 100       # quicker
    .venv/bin/python benchmarks/run.py --rdflib-timeout 30  # give up on an rdflib step after 30 s

For each size it prints: the whole ``reformkg build`` (a child process: wall time, peak memory, triples
per second, time per step from its summary line); the graph build alone (notice text → validated graph →
Turtle and N-Triples) against pyoxigraph alone loading and writing the same triples; every shipped query
(``queries/*.rq``) through the project's store and on raw pyoxigraph; the views; and the same steps with
plain rdflib (parse, write Turtle and N-Triples, each query, the network read, pySHACL), as ratios.
Last, ``reformkg query NAME`` as a whole cold process on the Xiamen graph. Every measurement runs in a
fresh child process, so memory and imports do not leak from one into the next. Results also go to
``benchmarks/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PYTHON = sys.executable
REFORMKG = str(Path(PYTHON).with_name("reformkg"))


# -- child processes: each prints one JSON object on its last stdout line ---------------------------

def child(mode: str, *args: str, timeout: float | None = None) -> dict:
    """Run ``run.py _child MODE ARGS`` in a fresh interpreter; its JSON result plus its peak memory."""
    wrapper = ("import json, resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, "
               "text=True); r = resource.getrusage(resource.RUSAGE_CHILDREN); print(p.stderr, file=sys.stderr); "
               "print(json.dumps({'rc': p.returncode, 'maxrss_kib': r.ru_maxrss, 'out': p.stdout}))")
    done = subprocess.run([PYTHON, "-c", wrapper, PYTHON, __file__, "_child", mode, *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)
    outer = json.loads(done.stdout.strip().splitlines()[-1])
    if outer["rc"] != 0:
        raise RuntimeError(f"child {mode} failed:\n{done.stderr[-3000:]}")
    result = json.loads(outer["out"].strip().splitlines()[-1])
    result["peak_mib"] = outer["maxrss_kib"] / 1024
    return result


def child_main(mode: str, args: list[str]) -> None:
    started = time.perf_counter()
    print(json.dumps({"graph-build": graph_build, "cli-build": cli_build, "oxigraph": oxigraph_steps,
                      "queries": project_queries, "rdflib": rdflib_steps}[mode](started, *args)))


def cli_build(started: float, data: str, out: str) -> dict:
    """The whole ``reformkg build`` as a user runs it (its own process, every output)."""
    done = subprocess.run([REFORMKG, "build", "--data", data, "--out", out, "--quiet"], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    summary = done.stderr.strip().splitlines()[-1]
    steps = {}
    if "; " in summary and "(" in summary:
        for item in summary.split("triples/s; ", 1)[1].rsplit(")", 1)[0].split(", "):
            name, _, seconds = item.rpartition(" ")
            steps[name] = float(seconds.rstrip("s"))
    return {"seconds": time.perf_counter() - started, "summary": summary, "steps": steps}


def graph_build(started: float, data: str, out: str) -> dict:
    """Notice text → resolved, validated graph → Turtle and N-Triples, as the build does it (no outputs)."""
    from reformkg.atomic import write_bytes
    from reformkg.build import build

    clock = time.perf_counter()
    result = build(data, out_dir=out, outputs=False)
    total = time.perf_counter() - clock
    clock = time.perf_counter()
    write_bytes(Path(out) / "reformkg.nt", result.ntriples)
    nt = time.perf_counter() - clock
    steps = dict(result.timings)
    graph = total - steps.get("disk store", 0.0) + nt  # the disk store is written beside, not part of it
    views = None
    try:
        from reformkg import views
    except ImportError:
        views = "reformkg.views does not exist yet"
    if views is not None and not isinstance(views, str):
        clock = time.perf_counter()
        views.write_views(result, Path(out))
        views = time.perf_counter() - clock
    return {"graph_seconds": graph, "nt_seconds": nt, "steps": steps, "triples": len(result.store),
            "notices": len(result.notices), "measures": result.measures, "views_seconds": views}


def oxigraph_steps(started: float, ttl: str) -> dict:
    """pyoxigraph alone: load the Turtle into a store, write it as Turtle and as N-Triples."""
    import pyoxigraph as ox

    from reformkg.namespaces import PREFIXES

    times = {}
    clock = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=ttl, format=ox.RdfFormat.TURTLE)
    times["load"] = time.perf_counter() - clock
    with tempfile.TemporaryDirectory() as tmp:
        clock = time.perf_counter()
        store.dump(str(Path(tmp) / "g.ttl"), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)
        times["write_ttl"] = time.perf_counter() - clock
        clock = time.perf_counter()
        store.dump(str(Path(tmp) / "g.nt"), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        times["write_nt"] = time.perf_counter() - clock
    return times


def project_queries(started: float, ttl: str, repeat: str) -> dict:
    """Every shipped query through the project (store + rdflib terms) and on the same store raw."""
    import pyoxigraph as ox

    from reformkg import queries
    from reformkg.namespaces import PREFIXES
    from reformkg.store import bind_values, open_store

    store = open_store(Path(ttl))  # the on-disk store the build left: what `reformkg query` opens
    out = {}
    for q in queries.all_queries():
        if any(p.required for p in q.params):
            continue
        text = bind_values(q.text, queries.bindings_for(q, {}))
        project, raw = [], []
        for _ in range(int(repeat)):
            clock = time.perf_counter()
            rows = queries.run(q, store)
            project.append(time.perf_counter() - clock)
            clock = time.perf_counter()
            answer = store.ox.query(text, prefixes=PREFIXES)
            bool(answer) if isinstance(answer, ox.QueryBoolean) else list(answer)
            raw.append(time.perf_counter() - clock)
        out[q.name] = {"project": statistics.median(project), "raw": statistics.median(raw),
                       "rows": len(rows.rows or rows.triples) if rows.kind != "ask" else int(bool(rows.boolean))}
    return out


def rdflib_steps(started: float, ttl: str, timeout: str) -> dict:
    """The same steps with plain rdflib: parse, write, every query, the network read, pySHACL."""
    import signal

    from rdflib import Graph

    from reformkg import queries
    from reformkg.store import RdflibStore

    limit = int(float(timeout))

    class TooSlow(Exception):
        pass

    def timed(step):
        signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TooSlow()))
        signal.alarm(limit)
        clock = time.perf_counter()
        try:
            step()
            return time.perf_counter() - clock
        except TooSlow:
            return None
        finally:
            signal.alarm(0)

    graph = Graph()
    times: dict = {"load": timed(lambda: graph.parse(ttl, format="turtle")), "timeout": limit}
    if times["load"] is None:  # the rest would run on part of the graph: not comparable
        return times | {"write_ttl": None, "write_nt": None, "queries": {}, "network": None, "pyshacl": None}
    with tempfile.TemporaryDirectory() as tmp:
        times["write_ttl"] = timed(lambda: graph.serialize(Path(tmp) / "g.ttl", format="turtle"))
        times["write_nt"] = timed(lambda: graph.serialize(Path(tmp) / "g.nt", format="nt"))
    store = RdflibStore(graph)
    times["queries"] = {q.name: timed(lambda q=q: queries.run(q, store)) for q in queries.all_queries()
                        if not any(p.required for p in q.params)}
    try:
        from reformkg.network import read_network

        times["network"] = timed(lambda: read_network(store))
    except ImportError:
        times["network"] = None
    from reformkg.validate import validate_graph

    times["pyshacl"] = timed(lambda: validate_graph(graph))
    return times


# -- the benchmark ---------------------------------------------------------------------------------

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), None)
    import pyoxigraph
    import rdflib

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mib": memory, "python": platform.python_version(),
            "os": platform.platform(), "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__,
            "load_average_at_start": os.getloadavg()}


def cold_query(repeat: int) -> dict:
    """``reformkg query NAME`` as a whole process on the Xiamen graph (built first into a temp dir)."""
    from reformkg import queries

    names = [q.name for q in queries.all_queries() if not any(p.required for p in q.params)]
    if not names:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([REFORMKG, "build", "--out", tmp, "--quiet"], check=True, capture_output=True)
        out = {}
        for name in names:
            times = []
            for _ in range(repeat):
                clock = time.perf_counter()
                subprocess.run([REFORMKG, "query", name, "--graph", str(Path(tmp) / "reformkg.ttl")], check=True,
                               capture_output=True)
                times.append(time.perf_counter() - clock)
            out[name] = statistics.median(times)
        return out


def bench_size(n: int, seed: int, repeat: int, rdflib_timeout: float) -> dict:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from make_corpus import write_corpus

    data = OUT / f"corpus-{n}"
    write_corpus(n, data, seed)
    row: dict = {"notices": n}
    print(f"\n## {n} notices", flush=True)
    row["cli"] = child("cli-build", str(data), str(OUT / f"dist-{n}"))
    print(f"  reformkg build: {row['cli']['seconds']:.1f} s, peak {row['cli']['peak_mib']:,.0f} MiB", flush=True)
    row["graph"] = child("graph-build", str(data), str(OUT / f"graph-{n}"))
    ttl = str(OUT / f"graph-{n}" / "reformkg.ttl")
    row["oxigraph"] = child("oxigraph", ttl)
    row["queries"] = child("queries", str(OUT / f"dist-{n}" / "reformkg.ttl"), str(repeat))
    print(f"  graph build {row['graph']['graph_seconds']:.1f} s; queries done; rdflib next…", flush=True)
    try:
        row["rdflib"] = child("rdflib", ttl, str(rdflib_timeout))
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        row["rdflib"] = {"error": str(exc)[:300]}
    report(row)
    return row


def fmt(seconds, digits: int = 2) -> str:
    return "—" if seconds is None else f"{seconds:.{digits}f}"


def ratio(a, b) -> str:
    return "—" if a is None or b in (None, 0) else f"{a / b:.1f}×"


def report(row: dict) -> None:
    cli, graph, ox, rdf = row["cli"], row["graph"], row["oxigraph"], row.get("rdflib", {})
    triples = graph["triples"]
    oxigraph_total = ox["load"] + ox["write_ttl"] + ox["write_nt"]
    print(f"  {row['notices']:,} notices, {graph['measures']:,} measures, {triples:,} triples")
    print(f"  whole `reformkg build`: {cli['seconds']:.1f} s, peak {cli['peak_mib']:,.0f} MiB, "
          f"{triples / cli['seconds']:,.0f} triples/s")
    print("    steps: " + ", ".join(f"{k} {v:.1f}s" for k, v in cli["steps"].items()))
    print(f"  graph build (text → validated graph → Turtle + N-Triples): {graph['graph_seconds']:.2f} s; "
          f"pyoxigraph alone load + write Turtle + N-Triples: {oxigraph_total:.2f} s "
          f"(load {ox['load']:.2f}, ttl {ox['write_ttl']:.2f}, nt {ox['write_nt']:.2f}) → "
          f"{graph['graph_seconds'] / oxigraph_total:.1f}× (target ≤ 5×)")
    views = graph["views_seconds"]
    print(f"  views: {fmt(views) if not isinstance(views, str) else views} s"
          + (f"; rdflib network read {fmt(rdf.get('network'))} s" if rdf else ""))
    header = ("step", "project (s)", "raw pyoxigraph", "overhead", "rdflib (s)", "rdflib/ours")
    print("  " + "".join(f"{h:<34}" if k == 0 else f"{h:>{(12, 16, 10, 12, 12)[k - 1]}}" for k, h in enumerate(header)))
    for name, q in row["queries"].items():
        if not isinstance(q, dict):
            continue
        theirs = rdf.get("queries", {}).get(name) if rdf else None
        print(f"  query {name:<28}{q['project']:>12.3f}{q['raw']:>16.3f}{ratio(q['project'], q['raw']):>10}"
              f"{fmt(theirs, 3):>12}{ratio(theirs, q['project']):>12}")
    if rdf and "load" in rdf:
        for step, ours in (("load", ox["load"]), ("write_ttl", ox["write_ttl"]), ("write_nt", ox["write_nt"])):
            print(f"  {step:<34}{ours:>12.3f}{'':>16}{'':>10}{fmt(rdf[step], 3):>12}{ratio(rdf[step], ours):>12}")
        ours = graph["steps"].get("validate")
        print(f"  {'validate (SPARQL vs pySHACL)':<34}{fmt(ours, 3):>12}{'':>16}{'':>10}{fmt(rdf['pyshacl'], 3):>12}"
              f"{ratio(rdf['pyshacl'], ours):>12}")
        print(f"  (— = rdflib gave up after {rdf['timeout']} s)")


def main(argv=None) -> None:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "_child":
        return child_main(sys.argv[2], sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (the median is kept)")
    parser.add_argument("--rdflib-timeout", type=float, default=120, help="seconds before an rdflib step gives up")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "sizes": []}
    print("machine: " + json.dumps(results["machine"], ensure_ascii=False))
    for n in args.sizes:
        results["sizes"].append(bench_size(n, args.seed, args.repeat, args.rdflib_timeout))
        (OUT / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    builds = [(r["notices"], r["cli"]["seconds"]) for r in results["sizes"]]
    for (n0, t0), (n1, t1) in zip(builds, builds[1:]):
        print(f"build time {n0} → {n1} notices: {t1 / t0:.1f}× (target ≤ 12×)")
    results["cold_query"] = cold_query(args.repeat)
    if results["cold_query"]:
        slowest = max(results["cold_query"].items(), key=lambda kv: kv[1])
        median = statistics.median(results["cold_query"].values())
        print(f"`reformkg query NAME` cold on the Xiamen graph: median {median:.2f} s, "
              f"slowest {slowest[0]} {slowest[1]:.2f} s (target < 0.5 s)")
    (OUT / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
