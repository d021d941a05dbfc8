#!/usr/bin/env python3
"""Critical path of a large DAG: gemmcost against networkx, same file, same answer, timed.

The DAG file is gemmcost's JSON DAG format:
    {"nodes":[{"id":"n0","gpu":3,"duration_us":12.5}, ...],"edges":[["n0","n7"], ...]}
The critical path is the node-weighted longest path: the path whose node durations sum highest.

Subcommands:
  generate --nodes N --edges E [--gpus G] [--seed S] --out FILE
      Writes a random DAG (streamed, deterministic by --seed): edges go from a lower to a higher node index
      (acyclic, no self-loops), mostly to a target within --window indices after the source plus a
      --long-frac share of long-range edges, so the critical path is long; no duplicate edges (unless 100 draws
      in a row miss a free target, which a sane --window prevents; the count is reported). Durations are log-uniform
      in [1, 1000] us, rounded to 3 decimals.
  networkx FILE
      json.load + nx.DiGraph + nx.dag_longest_path; prints one JSON line with the result and the timings.
  compare FILE [--gemmcost PATH] [--runs K]
      Runs the networkx side in-process, then `gemmcost critical-path --dag FILE --json` as a subprocess
      (wall clock, JVM start and JSON parsing included), checks both critical paths agree and prints a table.
      Exits 1 when they disagree, 2 when gemmcost fails or prints no usable JSON.
  selftest
      A hand-made diamond (answer 7, path a,b,d) and a small generated DAG against a plain dynamic program.

Example:
  python3 scripts/dag_perf.py generate --nodes 1000000 --edges 4000000 --gpus 16 --seed 1 --out /tmp/big.json
  python3 scripts/dag_perf.py networkx /tmp/big.json
  python3 scripts/dag_perf.py compare /tmp/big.json

Standard library plus networkx (Debian: apt-get install python3-networkx; run with /usr/bin/python3).
"""
import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GEMMCOST = os.path.join(SCRIPTS, "gemmcost")
LOG_MAX_DURATION = math.log(1000.0)  # durations are exp(U(0, ln 1000)) us, i.e. log-uniform in [1, 1000]
REL_TOL = 1e-6
CHUNK = 20000  # records per write


# ---------------------------------------------------------------------------------------------- generate

def out_degrees(n, e):
    """Out-degree of every node, summing to exactly e, as even as node i's n-1-i possible targets allow.

    Filled from the last source backwards with ceil(remaining / sources left), capped by the capacity; since
    capacities grow towards the front, whatever the tail cannot take always fits in the front.
    """
    deg = [0] * n
    remaining = e
    for i in range(n - 2, -1, -1):
        d = min(n - 1 - i, -(-remaining // (i + 1)))
        deg[i] = d
        remaining -= d
    assert remaining == 0
    return deg


def targets_of(rnd, i, n, d, window, long_frac):
    """d targets of source i, all in (i, n): local ones biased towards i (offset ~ window * U^2) plus
    long-range ones uniform over the rest. Distinct, except after 100 failed draws (counted by the caller)."""
    cap = n - 1 - i
    if 4 * d >= cap:  # the tail of the DAG: few targets left, draw without replacement
        return rnd.sample(range(i + 1, n), d)
    w = min(window, cap)
    chosen, out = set(), []
    while len(out) < d:
        for _ in range(100):
            if rnd.random() < long_frac:
                t = i + 1 + int(rnd.random() * cap)
            else:
                r = rnd.random()
                t = i + 1 + int(w * r * r)
            if t not in chosen:
                break
        chosen.add(t)
        out.append(t)
    return out


def write_joined(f, records):
    """Writes string records comma-separated, CHUNK at a time."""
    buf, first = [], True
    for record in records:
        buf.append(record)
        if len(buf) == CHUNK:
            f.write(("" if first else ",") + ",".join(buf))
            buf.clear()
            first = False
    if buf:
        f.write(("" if first else ",") + ",".join(buf))


def node_records(rnd, n, gpus):
    for i in range(n):
        duration = round(math.exp(rnd.random() * LOG_MAX_DURATION), 3)
        gpu = int(rnd.random() * gpus)
        yield f'{{"id":"n{i}","gpu":{gpu},"duration_us":{duration!r}}}'


def edge_records(rnd, n, e, window, long_frac, stats):
    """Edges grouped by source; counts duplicates into stats["duplicates"]."""
    for i, d in enumerate(out_degrees(n, e)):
        if d:
            ts = targets_of(rnd, i, n, d, window, long_frac)
            stats["duplicates"] += d - len(set(ts))
            for t in ts:
                yield f'["n{i}","n{t}"]'


def generate(out, nodes, edges, gpus, seed, window, long_frac):
    if edges > nodes * (nodes - 1) // 2:
        raise ValueError(f"{edges} edges do not fit in a DAG of {nodes} nodes without duplicates")
    rnd = random.Random(seed)
    start = time.perf_counter()
    stats = {"duplicates": 0}
    with open(out, "w", encoding="ascii", buffering=1 << 20) as f:
        f.write('{"nodes":[')
        write_joined(f, node_records(rnd, nodes, gpus))
        f.write('],"edges":[')
        write_joined(f, edge_records(rnd, nodes, edges, window, long_frac, stats))
        f.write("]}\n")
    duplicates = stats["duplicates"]
    size = os.path.getsize(out)
    print(f"wrote {out}: {nodes} nodes, {edges} edges ({duplicates} duplicate), {size / 1e6:.1f} MB "
          f"in {time.perf_counter() - start:.1f} s", file=sys.stderr)


# ---------------------------------------------------------------------------------------------- networkx

def networkx():
    """networkx, imported where it is used, so that generate and --help run without it."""
    try:
        import networkx as nx
    except ImportError as e:
        print(f"dag_perf: networkx is not importable ({type(e).__name__}: {e}): apt-get install python3-networkx "
              "and run with /usr/bin/python3", file=sys.stderr)
        sys.exit(2)
    return nx


class Sink:
    """The virtual sink: a node that cannot collide with any id of the file."""

    def __repr__(self):
        return "<sink>"


def build_graph(dag):
    """DiGraph whose edge weights carry the node durations, and the durations by id.

    dag_longest_path weights edges, not nodes: edge (u, v) weighs duration(u), and every node gets an edge
    to a virtual sink weighing its own duration, so the heaviest path into the sink is the heaviest
    node-weighted path with the sink appended. A DiGraph keeps one edge per (u, v): duplicate edges in the
    file collapse, which changes no path length.
    """
    durations = {node["id"]: float(node["duration_us"]) for node in dag["nodes"]}
    unknown = next((x for edge in dag["edges"] for x in edge if x not in durations), None)
    if unknown is not None:
        raise ValueError(f"edge endpoint {unknown!r} is not a node")
    sink = Sink()
    nx = networkx()
    g = nx.DiGraph()
    g.add_weighted_edges_from((u, v, durations[u]) for u, v in dag["edges"])
    g.add_weighted_edges_from((node, sink, d) for node, d in durations.items())
    return g, durations, sink


def longest_path(g, sink):
    nx = networkx()
    try:
        path = nx.dag_longest_path(g, weight="weight")
    except nx.NetworkXUnfeasible:
        raise ValueError("the graph has a cycle") from None
    return [node for node in path if node is not sink]  # the sink ends it whenever durations are > 0


def run_networkx(path):
    """Loads, builds and solves; returns (JSON-ready result, graph, durations) for later checks."""
    nx = networkx()
    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        dag = json.load(f)
    t1 = time.perf_counter()
    g, durations, sink = build_graph(dag)
    n_nodes, n_edges = len(dag["nodes"]), len(dag["edges"])
    del dag
    t2 = time.perf_counter()
    crit = longest_path(g, sink)
    t3 = time.perf_counter()
    result = {
        "tool": "networkx", "networkx_version": nx.__version__, "nodes": n_nodes, "edges": n_edges,
        "critical_path_us": path_length(crit, durations), "path_len": len(crit),
        "load_s": t1 - t0, "build_s": t2 - t1, "longest_path_s": t3 - t2, "total_s": t3 - t0,
    }
    return result, g, durations


def path_length(path, durations):
    return sum(durations[node] for node in path)


# ---------------------------------------------------------------------------------------------- compare

def run_gemmcost(exe, path):
    """Runs gemmcost once; returns (wall seconds, parsed JSON, stderr). Raises RuntimeError on failure."""
    cmd = [exe, "critical-path", "--dag", path, "--json"]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise RuntimeError(f"cannot run {exe}: {e}") from None
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stderr.strip()}")
    out = parse_json_output(proc.stdout)
    if out is None:
        raise RuntimeError(f"{' '.join(cmd)} printed no JSON object; stdout was:\n{proc.stdout[:2000]}")
    missing = [k for k in ("critical_path_us", "path") if k not in out]
    if missing:
        raise RuntimeError(f"gemmcost JSON lacks {', '.join(missing)}: {json.dumps(out)[:2000]}")
    return wall, out, proc.stderr


def parse_json_output(stdout):
    """The whole stdout as one JSON object, else its last line that is one."""
    candidates = [stdout] + [line for line in reversed(stdout.splitlines()) if line.lstrip().startswith("{")]
    for text in candidates:
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def node_ids(path):
    """gemmcost's path as ids, whether it lists ids or node objects with an "id"."""
    return [p["id"] if isinstance(p, dict) else p for p in path]


def close(a, b):
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1e-300)


def check(nx_result, g, durations, gem):
    """Problems with gemmcost's answer against networkx's, as (errors, warnings)."""
    errors, warnings = [], []
    want, got = nx_result["critical_path_us"], float(gem["critical_path_us"])
    if not close(want, got):
        errors.append(f"critical_path_us: networkx {want!r}, gemmcost {got!r}")
    path = node_ids(gem["path"])
    unknown = [p for p in path if p not in durations]
    bad_edges = [(u, v) for u, v in zip(path, path[1:]) if not g.has_edge(u, v)]
    if unknown:
        errors.append(f"gemmcost path names unknown nodes, e.g. {unknown[:3]}")
    elif bad_edges:
        errors.append(f"gemmcost path uses {len(bad_edges)} pairs that are not edges, e.g. {bad_edges[:3]}")
    elif not close(path_length(path, durations), got):
        errors.append(f"gemmcost path sums to {path_length(path, durations)!r}, not its critical_path_us {got!r}")
    if len(path) != nx_result["path_len"]:
        problem = f"path length: networkx {nx_result['path_len']} nodes, gemmcost {len(path)}"
        if errors:
            errors.append(problem)
        else:  # gemmcost's path is valid and as heavy: a tie between equally critical paths, not a wrong answer
            warnings.append(problem + " (a tie: both paths valid, same weight)")
    return errors, warnings


def print_table(nx_result, walls, gem):
    rows = [
        ("networkx load (json.load)", nx_result["load_s"]),
        ("networkx build (DiGraph)", nx_result["build_s"]),
        ("networkx dag_longest_path", nx_result["longest_path_s"]),
        ("networkx total", nx_result["total_s"]),
        (f"gemmcost wall{' (best of %d)' % len(walls) if len(walls) > 1 else ''}", min(walls)),
    ]
    if len(walls) > 1:
        rows.append((f"gemmcost wall (median of {len(walls)})", statistics.median(walls)))
    timings = gem.get("timings_ms")
    if isinstance(timings, dict):
        rows += [(f"  gemmcost {k}", v / 1000.0) for k, v in timings.items() if isinstance(v, (int, float))]
    elif timings is not None:
        print(f"gemmcost timings_ms: {json.dumps(timings)}")
    print(f"\n{'':32}{'seconds':>10}")
    for label, seconds in rows:
        print(f"{label:32}{seconds:10.3f}")
    best = min(walls)
    nx_core = nx_result["build_s"] + nx_result["longest_path_s"]
    print(f"\nspeedup, networkx total / gemmcost wall:            {nx_result['total_s'] / best:8.2f}x")
    print(f"speedup, networkx (build+algorithm) / gemmcost wall: {nx_core / best:8.2f}x")
    print(f"critical path: {nx_result['critical_path_us']:.3f} us over {nx_result['path_len']} nodes"
          + (f"; gemmcost makespan_us {gem['makespan_us']}" if "makespan_us" in gem else ""))


def summary(result):
    """A result's scalar fields on one line: the paths themselves run to megabytes on large DAGs."""
    return json.dumps({k: v for k, v in result.items() if not isinstance(v, (list, dict))})


def compare(path, exe, runs):
    if not os.access(exe, os.X_OK):
        print(f"dag_perf: {exe} is not an executable (pass --gemmcost)", file=sys.stderr)
        sys.exit(2)
    nx_result, g, durations = run_networkx(path)
    print(f"networkx: {summary(nx_result)}", flush=True)
    walls, failed = [], False
    for _ in range(runs):
        try:
            wall, gem, stderr = run_gemmcost(exe, path)
        except RuntimeError as e:
            print(f"dag_perf: {e}", file=sys.stderr)
            sys.exit(2)
        if "building" in stderr:
            print("dag_perf: note: gemmcost built its jar during this run; its wall time includes the build",
                  file=sys.stderr)
        if stderr.strip():
            sys.stderr.write(stderr)
        if not walls:  # gemmcost's own answer, once (its whole path is in `critical-path --json`)
            print(f"gemmcost: {summary(gem)}", flush=True)
        walls.append(wall)
        errors, warnings = check(nx_result, g, durations, gem)
        for w in warnings:
            print(f"dag_perf: warning: {w}", file=sys.stderr)
        for e in errors:
            print(f"dag_perf: MISMATCH: {e}", file=sys.stderr)
        failed = failed or bool(errors)
    print_table(nx_result, walls, gem)
    if failed:
        print("dag_perf: the critical paths disagree", file=sys.stderr)
        sys.exit(1)


# ---------------------------------------------------------------------------------------------- selftest

def reference_longest(dag):
    """Plain dynamic program over a topological order (node index order, as generate writes them)."""
    durations = {node["id"]: node["duration_us"] for node in dag["nodes"]}
    preds = {node: [] for node in durations}
    for u, v in dag["edges"]:
        preds[v].append(u)
    best = {}  # node -> (weight of the heaviest path ending there, predecessor on it)
    for node in sorted(durations, key=lambda x: int(x[1:])):
        p = max(preds[node], key=lambda u: best[u][0], default=None)
        best[node] = ((best[p][0] if p else 0.0) + durations[node], p)
    return max(b[0] for b in best.values())


def selftest():
    diamond = {"nodes": [{"id": "a", "gpu": 0, "duration_us": 1}, {"id": "b", "gpu": 0, "duration_us": 5},
                         {"id": "c", "gpu": 1, "duration_us": 2}, {"id": "d", "gpu": 0, "duration_us": 1}],
               "edges": [["a", "b"], ["a", "c"], ["b", "d"], ["c", "d"]]}
    g, durations, sink = build_graph(diamond)
    path = longest_path(g, sink)
    assert path == ["a", "b", "d"] and path_length(path, durations) == 7, path
    print("diamond: critical path a,b,d = 7 us: ok")

    with tempfile.TemporaryDirectory() as tmp:
        file = os.path.join(tmp, "small.json")
        generate(file, 3000, 12000, 4, seed=7, window=200, long_frac=0.02)
        result, _, _ = run_networkx(file)
        with open(file) as f:
            dag = json.load(f)
    assert len(dag["nodes"]) == 3000 and len(dag["edges"]) == 12000
    assert all(int(u[1:]) < int(v[1:]) for u, v in dag["edges"]), "an edge goes backwards"
    assert all(1.0 <= n["duration_us"] <= 1000.0 for n in dag["nodes"]), "a duration is out of range"
    want = reference_longest(dag)
    assert close(result["critical_path_us"], want), (result["critical_path_us"], want)
    print(f"generated 3000/12000: networkx {result['critical_path_us']:.3f} us over {result['path_len']} nodes "
          f"= reference dynamic program: ok")


# ---------------------------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    gen = sub.add_parser("generate", help="write a random DAG file")
    gen.add_argument("--nodes", type=int, required=True)
    gen.add_argument("--edges", type=int, required=True)
    gen.add_argument("--gpus", type=int, default=8)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--window", type=int, default=2000, help="local edges reach at most this far (default 2000)")
    gen.add_argument("--long-frac", type=float, default=0.02, help="share of long-range edges (default 0.02)")
    gen.add_argument("--out", required=True)
    nxp = sub.add_parser("networkx", help="critical path with networkx, one JSON line")
    nxp.add_argument("file")
    cmp_ = sub.add_parser("compare", help="networkx against gemmcost critical-path")
    cmp_.add_argument("file")
    cmp_.add_argument("--gemmcost", default=DEFAULT_GEMMCOST, help="the gemmcost command (default: beside this script)")
    cmp_.add_argument("--runs", type=int, default=1, help="gemmcost runs; the table shows the best (default 1)")
    sub.add_parser("selftest", help="check the weight modelling on small DAGs")
    args = ap.parse_args()

    try:
        if args.cmd == "generate":
            if args.nodes < 1 or args.edges < 0 or args.gpus < 1 or args.window < 1:
                ap.error("need --nodes >= 1, --edges >= 0, --gpus >= 1, --window >= 1")
            generate(args.out, args.nodes, args.edges, args.gpus, args.seed, args.window, args.long_frac)
        elif args.cmd == "networkx":
            print(json.dumps(run_networkx(args.file)[0]))
        elif args.cmd == "compare":
            compare(args.file, args.gemmcost, max(1, args.runs))
        else:
            selftest()
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"dag_perf: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
