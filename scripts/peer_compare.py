#!/usr/bin/env python3
"""Held-out accuracy of gemmcost's Get_Time against two peers on the public GEMM tables.

For each group (source, gpu, dtype) the rows are split deterministically by shape: a shape is held out when
crc32("m,k,n") % 5 == 0 (about 20 %), so every row of one shape lands on the same side. The other 80 % build
the table (repeated shapes aggregated by their median); every held-out row is predicted.

Peers, trained on the same aggregated table:
  rf   sklearn RandomForestRegressor on raw (m, n, k) -> time (Vidur's method), random_state=0
  knn  distance-weighted 4-nearest-neighbours on log2(m, n, k) -> log(time)
With --gemmcost, ours runs end to end through the CLI: import-csv of the training rows, validate of the rest.

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

GROUPS = [
    ("vidur", "H100", "fp16"), ("vidur", "A100", "fp16"),
    ("xla_perf_table", "H100", "bf16"), ("xla_perf_table", "B200", "bf16"),
    ("neusight", "H100-80GB-HBM3", "fp32"), ("neusight", "A100-PCIE-40GB", "fp32"),
    ("deepbench", "V100", "fp16"), ("deepbench", "T4", "fp32"),
]
HEADER = ["source", "gpu", "dtype", "m", "n", "k", "time_us", "notes"]


def held_out(m, k, n):
    return zlib.crc32(f"{m},{k},{n}".encode()) % 5 == 0


def read_group(data_dir, source, gpu, dtype):
    with open(os.path.join(data_dir, source + ".csv"), newline="") as f:
        reader = csv.reader(f)
        if next(reader) != HEADER:
            sys.exit(f"{f.name}: unexpected header")
        return [row for row in reader if row[1] == gpu and row[2] == dtype]


def split(rows):
    train, test = defaultdict(list), []
    for row in rows:
        m, n, k, t = int(row[3]), int(row[4]), int(row[5]), float(row[6])
        if held_out(m, k, n):
            test.append(row)
        else:
            train[(m, k, n)].append((t, row))
    return train, test


def stats(pred, truth):
    ape = np.abs(np.asarray(pred) - truth) / truth * 100
    return {"count": int(len(ape)), "median_ape_pct": float(np.median(ape)),
            "p90_ape_pct": float(np.percentile(ape, 90)), "max_ape_pct": float(ape.max())}


def peers(train, test):
    shapes = sorted(train)
    x = np.array([[m, n, k] for m, k, n in shapes], dtype=float)
    y = np.array([np.median([t for t, _ in train[s]]) for s in shapes])
    xt = np.array([[int(r[3]), int(r[4]), int(r[5])] for r in test], dtype=float)
    truth = np.array([float(r[6]) for r in test])
    rf = RandomForestRegressor(random_state=0).fit(x, y)
    knn = KNeighborsRegressor(n_neighbors=4, weights="distance").fit(np.log2(x), np.log(y))
    return {"rf": stats(rf.predict(xt), truth), "knn": stats(np.exp(knn.predict(np.log2(xt))), truth)}


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
        out = subprocess.run([gemmcost, "validate", "--profile", profile, "--against", test_csv, "--json"],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "gemm-public"))
    ap.add_argument("--gemmcost", help="path of scripts/gemmcost: also run ours end to end")
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = ap.parse_args()
    results = []
    for group in GROUPS:
        train, test = split(read_group(args.data, *group))
        r = {"source": group[0], "gpu": group[1], "dtype": group[2],
             "train_shapes": len(train), "test_rows": len(test), **peers(train, test)}
        if args.gemmcost:
            r["ours"] = ours(args.gemmcost, group, train, test)
        results.append(r)
    if args.json:
        print(json.dumps({"groups": results}, indent=1))
        return
    cols = ["ours", "rf", "knn"] if args.gemmcost else ["rf", "knn"]
    print("held-out absolute % error (median / p90 / max)")
    print(f"{'group':36} {'test':>6}  " + "  ".join(f"{c:>22}" for c in cols))
    for r in results:
        name = f"{r['source']} {r['gpu']} {r['dtype']}"
        cells = [f"{r[c]['median_ape_pct']:6.2f} /{r[c]['p90_ape_pct']:6.2f} /{r[c]['max_ape_pct']:6.1f}" for c in cols]
        print(f"{name:36} {r['test_rows']:>6}  " + "  ".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
