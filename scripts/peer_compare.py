#!/usr/bin/env python3
"""Held-out accuracy of gemmcost's Get_Time against two peers on the public GEMM tables.

For each group (source, gpu, dtype) the rows are split deterministically by shape: a shape is held out when
crc32("m,k,n") % 5 == 0 (about 20 %), so every row of one shape lands on the same side. The other 80 % build
the table (repeated shapes aggregated by their median); every held-out row is predicted.

Groups: every (file, gpu, dtype) of the folder with at least 100 distinct shapes, and the small DeepBench ones.

Peers, trained on the same aggregated table:
  rf     sklearn RandomForestRegressor on raw (m, n, k) -> time (Vidur's method), random_state=0
  rflog  the same forest on log2(m, n, k) -> log(time)
  knn    distance-weighted 4-nearest-neighbours on log2(m, n, k) -> log(time)
With --gemmcost, ours runs end to end through the CLI: import-csv of the training rows, validate of the rest.
A group passes when ours has a median at most the best peer's and a p90 at most 1.1 x the best peer's p90.

Needs numpy and scikit-learn (Debian: apt-get install python3-sklearn; run with /usr/bin/python3).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import zlib
from collections import defaultdict

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.neighbors import KNeighborsRegressor

MIN_SHAPES = 100
SMALL_GROUPS = [("deepbench", "V100", "fp16"), ("deepbench", "T4", "fp32")]
PEERS = ("rf", "rflog", "knn")
P90_SLACK = 1.1
HEADER = ["source", "gpu", "dtype", "m", "n", "k", "time_us", "notes"]


def read_groups(data_dir):
    """(file, gpu, dtype), rows of every group with at least MIN_SHAPES distinct shapes, in file order, then
    SMALL_GROUPS; each file is read once, and only one is held at a time."""
    small = []
    for name in sorted(os.listdir(data_dir)):
        if not name.endswith(".csv"):
            continue
        rows = defaultdict(list)
        with open(os.path.join(data_dir, name), newline="") as f:
            reader = csv.reader(f)
            if next(reader) != HEADER:
                sys.exit(f"{f.name}: unexpected header")
            for row in reader:
                rows[(row[1], row[2])].append(row)
        for (gpu, dtype), group in rows.items():
            key = (name[:-4], gpu, dtype)
            if key in SMALL_GROUPS:
                small.append((key, group))
            elif len({(r[3], r[4], r[5]) for r in group}) >= MIN_SHAPES:
                yield key, group
    yield from sorted(small, key=lambda g: SMALL_GROUPS.index(g[0]))


def held_out(m, k, n):
    return zlib.crc32(f"{m},{k},{n}".encode()) % 5 == 0


def split(rows):
    train, test = defaultdict(list), []
    for row in rows:
        m, n, k, t = int(row[3]), int(row[4]), int(row[5]), float(row[6])
        if held_out(m, k, n):
            test.append(row)
        else:
            train[(m, k, n)].append((t, row))
    return train, test


def ape_stats(ape):
    """Count, median, p90 and max of absolute percentage errors."""
    ape = np.asarray(ape, dtype=float)
    return {"count": int(len(ape)), "median_ape_pct": float(np.median(ape)),
            "p90_ape_pct": float(np.percentile(ape, 90)), "max_ape_pct": float(ape.max())}


def stats(pred, truth):
    return ape_stats(np.abs(np.asarray(pred) - truth) / truth * 100)


def peers(train, test, seeds=1):
    """The peers' errors (the forests with random_state=0); with seeds > 1 also each forest's median with
    random_state 0 .. seeds-1, to show how much of a verdict the forest's own randomness is."""
    shapes = sorted(train)
    x = np.array([[m, n, k] for m, k, n in shapes], dtype=float)
    y = np.array([np.median([t for t, _ in train[s]]) for s in shapes])
    xt = np.array([[int(r[3]), int(r[4]), int(r[5])] for r in test], dtype=float)
    truth = np.array([float(r[6]) for r in test])
    forests = {"rf": lambda seed: RandomForestRegressor(random_state=seed, n_jobs=-1).fit(x, y).predict(xt),
               "rflog": lambda seed: np.exp(RandomForestRegressor(random_state=seed, n_jobs=-1)
                                            .fit(np.log2(x), np.log(y)).predict(np.log2(xt)))}
    knn = KNeighborsRegressor(n_neighbors=4, weights="distance").fit(np.log2(x), np.log(y))
    result = {name: stats(predict(0), truth) for name, predict in forests.items()}
    result["knn"] = stats(np.exp(knn.predict(np.log2(xt))), truth)
    if seeds > 1:
        result["forest_seed_medians"] = {
            name: [result[name]["median_ape_pct"]] + [stats(predict(seed), truth)["median_ape_pct"]
                                                      for seed in range(1, seeds)]
            for name, predict in forests.items()}
    return result


def verdict(r):
    """Whether ours meets the bar against the best peer of the group."""
    best_median = min(r[p]["median_ape_pct"] for p in PEERS)
    best_p90 = min(r[p]["p90_ape_pct"] for p in PEERS)
    return r["ours"]["median_ape_pct"] <= best_median and r["ours"]["p90_ape_pct"] <= P90_SLACK * best_p90


def ours(gemmcost, group, train, test):
    with tempfile.TemporaryDirectory() as tmp:
        train_csv, test_csv = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
        profile = os.path.join(tmp, "profile.json")
        for path, rows in ((train_csv, [r for v in train.values() for _, r in v]), (test_csv, test)):
            with open(path, "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(HEADER)
                w.writerows(rows)
        source, gpu, dtype = group
        subprocess.run([gemmcost, "import-csv", train_csv, "--gpu", gpu, "--dtype", dtype, "--out", profile],
                       check=True, stdout=subprocess.DEVNULL)
        report = os.path.join(tmp, "rows.csv")
        out = subprocess.run([gemmcost, "validate", "--profile", profile, "--against", test_csv, "--json",
                              "--report", report], check=True, capture_output=True, text=True).stdout
        result = json.loads(out)
        with open(report, newline="") as f:
            rows = list(csv.DictReader(f))
        result["by_m"] = breakdown(rows, lambda r: next(b for b in M_BANDS if int(r["m"]) <= b[1])[0])
        result["by_method"] = breakdown(rows, lambda r: r["method"])
        return result


M_BANDS = [("m<=16", 16), ("m<=256", 256), ("m<=4096", 4096), ("m>4096", float("inf"))]


def breakdown(rows, key):
    """Rows and median / p90 absolute % error of ours per key (an m band, or the rule that answered)."""
    groups = defaultdict(list)
    for r in rows:
        groups[key(r)].append(float(r["ape_pct"]))
    return {k: ape_stats(v) for k, v in sorted(groups.items())}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "gemm-public"))
    ap.add_argument("--gemmcost", help="path of scripts/gemmcost: also run ours end to end")
    ap.add_argument("--only", help="only the groups whose 'file gpu dtype' contains this text")
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    ap.add_argument("--peer-seeds", type=int, default=1, metavar="N",
                    help="also train each forest with random_state 1 .. N-1 and print the range of its medians"
                         " (the table and the bar keep random_state 0)")
    args = ap.parse_args()
    if not os.path.isdir(args.data):
        print(f"peer_compare: --data {args.data}: no such folder (the public GEMM tables, ../shared/data/gemm-public"
              " beside the checkout)", file=sys.stderr)
        return 2
    results = []
    for group, rows in read_groups(args.data):
        if args.only and args.only not in " ".join(group):
            continue
        train, test = split(rows)
        r = {"source": group[0], "gpu": group[1], "dtype": group[2],
             "train_shapes": len(train), "test_rows": len(test), **peers(train, test, args.peer_seeds)}
        if args.gemmcost:
            r["ours"] = ours(args.gemmcost, group, train, test)
            r["meets_bar"] = verdict(r)
        results.append(r)
        print(f"{' '.join(group)} done", file=sys.stderr)
    if args.json:
        print(json.dumps({"groups": results}, indent=1))
        return
    cols = (["ours"] if args.gemmcost else []) + list(PEERS)
    print("held-out absolute % error (median / p90 / max)")
    print(f"{'group':40} {'test':>6}  " + "  ".join(f"{c:>22}" for c in cols) + ("  bar" if args.gemmcost else ""))
    for r in results:
        name = f"{r['source']} {r['gpu']} {r['dtype']}"
        cells = [f"{r[c]['median_ape_pct']:6.2f} /{r[c]['p90_ape_pct']:6.2f} /{r[c]['max_ape_pct']:6.1f}" for c in cols]
        bar = ("  met" if r["meets_bar"] else "  MISSED") if args.gemmcost else ""
        print(f"{name:40} {r['test_rows']:>6}  " + "  ".join(f"{c:>22}" for c in cells) + bar)
    if args.peer_seeds > 1:
        print(f"the forests' held-out median with random_state 0 .. {args.peer_seeds - 1}: lowest - highest")
        for r in results:
            ranges = [f"{name} {min(m):.3f} - {max(m):.3f}" for name, m in r["forest_seed_medians"].items()]
            print(f"{r['source']} {r['gpu']} {r['dtype']}: " + "; ".join(ranges))
    if args.gemmcost:
        print(f"{sum(r['meets_bar'] for r in results)} of {len(results)} groups meet the bar (median <= the best"
              f" peer's, p90 <= {P90_SLACK} x the best peer's)")
        print("ours by m band and by rule: held-out rows, then their absolute % error median / p90")
        for r in results:
            parts = [f"{k} {v['count']} {v['median_ape_pct']:.2f}/{v['p90_ape_pct']:.1f}"
                     for k, v in {**r["ours"]["by_m"], **r["ours"]["by_method"]}.items()]
            print(f"{r['source']} {r['gpu']} {r['dtype']}: " + "; ".join(parts))


if __name__ == "__main__":
    sys.exit(main())
