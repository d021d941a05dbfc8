#!/usr/bin/env python3
"""torch.matmul against gemmcost's table: the same GEMM shapes, timed the way gemmcost's own bench times them.

For every shape C[m x n] = A[m x k] . B[k x n] (row-major) of SHAPES.csv this script measures torch.matmul on
one GPU and, with --ours, puts the time next to the one in gemmcost's profile (joined on m,k,n):

    ours / PyTorch / ratio ours/PyTorch / |ours - PyTorch| / PyTorch in %

Every number is labelled: a PyTorch time is `measured` (this run, this GPU); an "ours" time is read from the
table and carries the table's provenance.kind (`measured`, `imported`, ...).

Method (gemmcost bench: bench/src/main/java/gemmcost/bench/Sweep.java, cuda/NativeBackend.java):
  * operands once per shape, seeded normal values generated on the device (A: seed 1, B: seed 2); C preallocated
    and reused through torch.matmul(A, B, out=C); all work on one side stream of the device.
  * before every launch, outside the timed region: an L2 flush, fill_ of a uint8 buffer of max(2 x L2, 256 MiB)
    with a value that alternates (v ^= 0x5A), queued on the same stream before the start event.
  * one sample = one launch: flush, start event, one matmul, stop event, stop.synchronize(), elapsed time.
  * warm-up: untimed launches (with flush) until --warmup-ms of wall time and at least 3 launches; before the
    first shape, --device-warmup-s of back-to-back 8192^3 matmuls of the dtype.
  * stopping rule, nvbench "stdrel": stop at --timeout-s of wall time on the shape; otherwise, once there are
    --min-samples samples and --min-time-s of summed GPU time, stop when the relative sample stdev <=
    --max-noise-pct, or when the last 64 noise values vary by less than 5 % of their mean.
  * statistic: median (p10, p90), linear interpolation between closest ranks (numpy's default).

Outputs in --out DIR: torch.csv (one row per shape, written and flushed as each finishes), torch-meta.json
(versions, device, precision settings, method), compare.csv (with --ours). Without PyTorch or without a usable
GPU it prints `torch_compare: skipped: <why>`, writes the same line to DIR/skipped.txt and exits 0. A malformed
input exits 2 with one line `torch_compare: <file>: <what>` on stderr. Never touches clocks or power limits.
"""
import argparse
import csv
import json
import math
import os
import sys
import time
import warnings

PROG = "torch_compare"
DTYPES = ("bf16", "fp16", "tf32", "fp32")
TORCH_CSV_HEADER = ["m", "k", "n", "torch_us", "p10_us", "p90_us", "samples", "stop", "label"]
COMPARE_HEADER = ["m", "k", "n", "ours_us", "torch_us", "ratio_ours_over_torch", "abs_diff_pct", "ours_label",
                  "torch_label"]
HISTORY = 64  # noise values kept for the convergence test (gemmcost StoppingRule.HISTORY)
CONVERGED_SPREAD_REL = 0.05
FLUSH_MIN_BYTES = 256 << 20
ASSUMED_L2_BYTES = 50 << 20
FLUSH_XOR = 0x5A
SEED_A, SEED_B = 1, 2
MIN_WARMUP_LAUNCHES = 3
DEVICE_WARMUP_SIDE = 8192
TARGET_MIN_US = 50.0  # the project's accuracy target: shapes of at least 50 us ...
TARGET_PCT = 2.0  # ... within 2 %


class InputError(Exception):
    """A malformed input file: reported as `torch_compare: <file>: <what>`, exit 2."""

    def __init__(self, file, what):
        super().__init__(f"{file}: {what}")
        self.file = file
        self.what = what


class ShapeFailed(Exception):
    """One shape could not be measured (e.g. CUDA out of memory); the sweep records it and goes on."""


# ---------------------------------------------------------------------------------------------------------------
# statistics and the stopping rule (pure Python, tested without torch)

def quantile(sorted_values, q):
    """The q-quantile (0 <= q <= 1) of non-empty ascending values; linear between closest ranks, pos = q(n-1)."""
    if not sorted_values:
        raise ValueError("no values")
    if not 0 <= q <= 1:
        raise ValueError(f"q must be in [0, 1], was {q}")
    position = q * (len(sorted_values) - 1)
    below = math.floor(position)
    if below >= len(sorted_values) - 1:
        return float(sorted_values[-1])
    fraction = position - below
    lo = sorted_values[below]
    return float(lo) if fraction == 0 else lo + fraction * (sorted_values[below + 1] - lo)


class StoppingRule:
    """nvbench's stdrel criterion with gemmcost's parameters; times in microseconds."""

    def __init__(self, min_samples, min_gpu_time_us, max_noise_rel, timeout_us):
        if not (min_samples >= 2 and min_gpu_time_us >= 0 and max_noise_rel > 0 and timeout_us > 0):
            raise ValueError("need min samples >= 2, min time >= 0, max noise > 0, timeout > 0: "
                             f"min_samples={min_samples}, min_time_s={min_gpu_time_us / 1e6}, "
                             f"max_noise_pct={max_noise_rel * 100}, timeout_s={timeout_us / 1e6}")
        self.min_samples = min_samples
        self.min_gpu_time_us = min_gpu_time_us
        self.max_noise_rel = max_noise_rel
        self.timeout_us = timeout_us

    def describe(self):
        return (f"nvbench stdrel: >= {self.min_samples} samples and >= {self.min_gpu_time_us / 1e6:.3g} s GPU time, "
                f"then rel. stdev <= {self.max_noise_rel * 100:.3g} % or noise converged (last {HISTORY} within "
                f"{CONVERGED_SPREAD_REL * 100:.0f} %), timeout {self.timeout_us / 1e6:.3g} s")


class Samples:
    """One shape's GPU times as they arrive, with Welford's running mean/M2 and the ring of noise values."""

    def __init__(self, rule):
        self.rule = rule
        self.times_us = []
        self.mean = 0.0
        self.m2 = 0.0
        self.gpu_time_us = 0.0
        self.noise_ring = [0.0] * HISTORY
        self.noise_seen = 0

    def add(self, time_us):
        if not (time_us > 0) or math.isinf(time_us):
            raise ValueError(f"sample must be finite and > 0, was {time_us}")
        self.times_us.append(time_us)
        n = len(self.times_us)
        delta = time_us - self.mean
        self.mean += delta / n
        self.m2 += delta * (time_us - self.mean)
        self.gpu_time_us += time_us
        if n >= 2:
            self.noise_ring[self.noise_seen % HISTORY] = self.noise_rel()
            self.noise_seen += 1

    @property
    def count(self):
        return len(self.times_us)

    def noise_rel(self):
        """Sample standard deviation (n - 1) over the mean; 0 with fewer than two samples."""
        n = len(self.times_us)
        return 0.0 if n < 2 else math.sqrt(self.m2 / (n - 1)) / self.mean

    def noise_converged(self):
        if self.noise_seen < HISTORY:
            return False
        lo, hi = min(self.noise_ring), max(self.noise_ring)
        return (hi - lo) < CONVERGED_SPREAD_REL * (sum(self.noise_ring) / HISTORY)

    def stop(self, wall_us):
        """None to go on, else why to stop: "timeout", "noise" or "noise_converged"."""
        if wall_us >= self.rule.timeout_us:
            return "timeout"
        if self.count < self.rule.min_samples or self.gpu_time_us < self.rule.min_gpu_time_us:
            return None
        if self.noise_rel() <= self.rule.max_noise_rel:
            return "noise"
        return "noise_converged" if self.noise_converged() else None

    def summary(self, stop):
        if not self.times_us:
            raise ValueError("no samples")
        s = sorted(self.times_us)
        return {"median_us": quantile(s, 0.5), "p10_us": quantile(s, 0.1), "p90_us": quantile(s, 0.9),
                "samples": len(s), "noise_rel": self.noise_rel(), "stop": stop}


def time_shape(launch, clock, rule, warmup_s, min_warmup_launches=MIN_WARMUP_LAUNCHES):
    """Warm-up, then samples until the rule stops. launch() runs one flushed, timed launch and returns its GPU
    microseconds; clock() returns wall seconds. Returns Samples.summary(stop)."""
    began = clock()
    launches = 0
    while launches < min_warmup_launches or clock() - began < warmup_s:
        launch()
        launches += 1
    samples = Samples(rule)
    start = clock()
    while True:
        samples.add(launch())
        stop = samples.stop((clock() - start) * 1e6)
        if stop is not None:
            return samples.summary(stop)


# what PyTorch's CUDA errors say where the context is lost (the process must be relaunched)
LOST_CONTEXT_TEXTS = ("illegal memory access", "unspecified launch failure", "device-side assert",
                      "uncorrectable ECC", "misaligned address", "illegal instruction", "error containment",
                      "uncorrectable NVLink", "launch timed out", "hardware stack error", "invalid program counter",
                      "context is lost")


def says_context_lost(text):
    """Whether an error's text is one of those after which the CUDA context is lost."""
    return any(lost in text for lost in LOST_CONTEXT_TEXTS)


def sweep(shapes, measure_one, clock, t0, budget_s, emit):
    """measure_one(shape) -> summary dict (or raises ShapeFailed) for each shape; emit(row) gets one torch.csv row
    per shape. Once clock() - t0 exceeds budget_s before a shape starts, that shape and the rest are not_run; after a
    failure that lost the CUDA context too (every later launch would fail). Returns that failure's text, else None."""
    for i, shape in enumerate(shapes):
        if clock() - t0 > budget_s:
            for rest in shapes[i:]:
                emit(row_not_run(rest, "budget"))
            return None
        try:
            emit(row_measured(shape, measure_one(shape)))
        except ShapeFailed as e:
            emit(row_failed(shape, str(e)))
            if says_context_lost(str(e)):
                for rest in shapes[i + 1:]:
                    emit(row_not_run(rest, "the CUDA context is lost"))
                return _one_line(str(e))
    return None


def _one_line(text):
    return " ".join(str(text).split())


def row_measured(shape, s):
    m, k, n = shape
    return {"m": m, "k": k, "n": n, "torch_us": s["median_us"], "p10_us": s["p10_us"], "p90_us": s["p90_us"],
            "samples": s["samples"], "stop": s["stop"], "label": "measured"}


def row_failed(shape, message):
    m, k, n = shape
    return {"m": m, "k": k, "n": n, "torch_us": None, "p10_us": None, "p90_us": None, "samples": 0,
            "stop": "failed: " + _one_line(message), "label": "failed"}


def row_not_run(shape, why):
    m, k, n = shape
    return {"m": m, "k": k, "n": n, "torch_us": None, "p10_us": None, "p90_us": None, "samples": 0,
            "stop": "not_run: " + why, "label": "not_run"}


def _us(x):
    return "" if x is None else f"{x:.3f}"


def torch_csv_cells(row):
    return [row["m"], row["k"], row["n"], _us(row["torch_us"]), _us(row["p10_us"]), _us(row["p90_us"]),
            row["samples"], row["stop"], row["label"]]


# ---------------------------------------------------------------------------------------------------------------
# inputs

def read_shapes(path):
    """[(m, k, n)] in file order, repeats dropped. Header must start m,k,n; '#' lines and blank lines skipped."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot read: {e}") from None
    shapes, seen, header = [], set(), False
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not header:
            if [c.strip() for c in line.split(",")][:3] != ["m", "k", "n"]:
                raise InputError(path, f"line {number}: header must start with m,k,n, was '{line}'")
            header = True
            continue
        cells = next(csv.reader([line]))
        if len(cells) < 3:
            raise InputError(path, f"line {number}: expected m,k,n, got {len(cells)} column(s)")
        dims = []
        for name, cell in zip("mkn", cells[:3]):
            try:
                value = int(cell.strip())
            except ValueError:
                raise InputError(path, f"line {number}: column {name}: not an integer: '{cell}'") from None
            if value <= 0:
                raise InputError(path, f"line {number}: column {name}: must be > 0, was {value}")
            dims.append(value)
        shape = tuple(dims)
        if shape not in seen:
            seen.add(shape)
            shapes.append(shape)
    if not header:
        raise InputError(path, "no header (expected a line starting with m,k,n)")
    if not shapes:
        raise InputError(path, "no shapes")
    return shapes


def _positive_int(v):
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _positive_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0


def read_profile(path):
    """gemmcost's profile: {"kind", "dtype", "device", "entries": {(m,k,n): entry}}; InputError when malformed."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise InputError(path, f"cannot read: {e}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(path, f"not valid JSON: {e}") from None
    if not isinstance(doc, dict):
        raise InputError(path, "$: expected a JSON object")
    if doc.get("schema") != "gemmcost.profile":
        raise InputError(path, f"$.schema: expected \"gemmcost.profile\", was {json.dumps(doc.get('schema'))}")
    provenance = doc.get("provenance")
    if not isinstance(provenance, dict) or not isinstance(provenance.get("kind"), str) or not provenance["kind"]:
        raise InputError(path, "$.provenance.kind: missing (expected e.g. \"measured\")")
    entries = doc.get("entries")
    if not isinstance(entries, list) or not entries:
        raise InputError(path, "$.entries: expected a non-empty array")
    table = {}
    for i, e in enumerate(entries):
        where = f"$.entries[{i}]"
        if not isinstance(e, dict):
            raise InputError(path, f"{where}: expected an object")
        for key in ("m", "k", "n"):
            if not _positive_int(e.get(key)):
                raise InputError(path, f"{where}.{key}: must be an integer > 0, was {json.dumps(e.get(key))}")
        if not _positive_number(e.get("time_us")):
            raise InputError(path, f"{where}.time_us: must be a finite number > 0, was {json.dumps(e.get('time_us'))}")
        shape = (e["m"], e["k"], e["n"])
        if shape in table:
            raise InputError(path, f"{where}: duplicate shape (m={shape[0]}, k={shape[1]}, n={shape[2]})")
        table[shape] = e
    device = doc.get("device") if isinstance(doc.get("device"), dict) else {}
    return {"kind": provenance["kind"], "dtype": doc.get("dtype"), "device": device.get("name"), "entries": table}


# ---------------------------------------------------------------------------------------------------------------
# join, table, summary

def join(shapes, ours, torch_rows):
    """compare.csv rows for shapes measured by PyTorch and present in our table, in SHAPES.csv order. ours_label is
    the table's provenance.kind as written (`measured`, `simulated`, `imported`, ...)."""
    by_shape = {(r["m"], r["k"], r["n"]): r for r in torch_rows}
    rows = []
    for shape in shapes:
        t = by_shape.get(shape)
        o = ours["entries"].get(shape)
        if t is None or o is None or t["label"] != "measured":
            continue
        ours_us, torch_us = float(o["time_us"]), float(t["torch_us"])
        rows.append({"m": shape[0], "k": shape[1], "n": shape[2], "ours_us": ours_us, "torch_us": torch_us,
                     "ratio": ours_us / torch_us, "abs_diff_pct": abs(ours_us - torch_us) / torch_us * 100,
                     "ours_label": ours["kind"], "torch_label": t["label"]})
    return rows


def compare_csv_cells(r):
    return [r["m"], r["k"], r["n"], _us(r["ours_us"]), _us(r["torch_us"]), f"{r['ratio']:.4f}",
            f"{r['abs_diff_pct']:.3f}", r["ours_label"], r["torch_label"]]


def tflops(m, k, n, us):
    return 2.0 * m * k * n / (us * 1e-6) / 1e12


def format_compare_table(rows):
    head = f"{'m':>9} {'k':>7} {'n':>7} {'ours_us':>13} {'torch_us':>13} {'ours/torch':>10} {'|diff|%':>8}  " \
           f"{'ours_label':<10} {'torch_label':<11}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['m']:>9} {r['k']:>7} {r['n']:>7} {r['ours_us']:>13.3f} {r['torch_us']:>13.3f} "
                     f"{r['ratio']:>10.4f} {r['abs_diff_pct']:>8.2f}  {r['ours_label']:<10} {r['torch_label']:<11}")
    return lines


def format_torch_table(torch_rows):
    head = f"{'m':>9} {'k':>7} {'n':>7} {'torch_us':>13} {'p10_us':>13} {'p90_us':>13} {'samples':>7}  " \
           f"{'label':<8} stop"
    lines = [head, "-" * len(head)]
    for r in torch_rows:
        def cell(x):
            return f"{'-':>13}" if x is None else f"{x:>13.3f}"
        lines.append(f"{r['m']:>9} {r['k']:>7} {r['n']:>7} {cell(r['torch_us'])} {cell(r['p10_us'])} "
                     f"{cell(r['p90_us'])} {r['samples']:>7}  {r['label']:<8} {r['stop']}")
    return lines


def summarize(rows):
    """The summary line of a compare table (see format_summary)."""
    big = [r for r in rows if r["torch_us"] >= TARGET_MIN_US]
    within = [r for r in big if r["abs_diff_pct"] <= TARGET_PCT]
    worst = max(rows, key=lambda r: max(r["ratio"], 1 / r["ratio"])) if rows else None
    big_cube = next((r for r in rows if (r["m"], r["k"], r["n"]) == (8192, 8192, 8192)), None)
    return {"both": len(rows), "big": len(big), "big_within": len(within), "worst": worst, "cube": big_cube}


def format_summary(s):
    parts = [f"summary: {s['both']} shape(s) in both",
             f"{s['big_within']} of {s['big']} with torch_us >= {TARGET_MIN_US:g} us within {TARGET_PCT:g} %"]
    w = s["worst"]
    parts.append("worst ratio ours/torch: -" if w is None else
                 f"worst ratio ours/torch: {w['ratio']:.4f} at {w['m']}x{w['k']}x{w['n']}")
    c = s["cube"]
    if c is None:
        parts.append("8192x8192x8192: not in both")
    else:
        parts.append(f"8192x8192x8192: ours {tflops(8192, 8192, 8192, c['ours_us']):.1f} TFLOP/s "
                     f"({c['ours_label']}, read from table), torch {tflops(8192, 8192, 8192, c['torch_us']):.1f} "
                     f"TFLOP/s ({c['torch_label']})")
    return "; ".join(parts)


def write_csv_atomic(path, header, rows):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)


def write_json_atomic(path, doc):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, default=str)
        f.write("\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------------------
# PyTorch side (imported lazily: everything above runs without torch)

def load_torch():
    """(torch, None) when usable, else (None, why)."""
    try:
        import torch  # noqa: PLC0415
    except Exception as e:  # ImportError, or a broken install raising OSError etc.
        return None, f"PyTorch is not importable ({type(e).__name__}: {e})"
    try:
        available = torch.cuda.is_available()
    except Exception as e:
        return None, f"torch.cuda.is_available() raised {type(e).__name__}: {e}"
    if not available:
        version = getattr(torch, "__version__", "?")
        cuda = getattr(getattr(torch, "version", None), "cuda", None)
        return None, f"torch.cuda.is_available() is False (torch {version}, built for CUDA {cuda or 'none'})"
    return torch, None


def _try(fn):
    """fn()'s value, or {"unavailable": why} when it is absent or raises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()
    except Exception as e:
        return {"unavailable": f"{type(e).__name__}: {e}"}


def _loaded_library(fragment):
    """Path of an already loaded shared library whose file name contains fragment (Linux /proc/self/maps)."""
    with open("/proc/self/maps", encoding="utf-8") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if os.path.basename(path).startswith(fragment):
                return path
    raise LookupError(f"{fragment} not loaded")


def cublas_version():
    """cuBLAS version string via cublasGetProperty on the libcublas this process loaded, with the library path."""
    import ctypes  # noqa: PLC0415
    path = _loaded_library("libcublas.so")
    lib = ctypes.CDLL(path)
    parts = []
    for prop in (0, 1, 2):  # MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL
        value = ctypes.c_int()
        status = lib.cublasGetProperty(prop, ctypes.byref(value))
        if status != 0:
            raise RuntimeError(f"cublasGetProperty({prop}) returned {status}")
        parts.append(str(value.value))
    return {"version": ".".join(parts), "library": path, "source": "cublasGetProperty"}


def driver_version():
    import ctypes  # noqa: PLC0415
    lib = ctypes.CDLL(_loaded_library("libcuda.so"))
    value = ctypes.c_int()
    status = lib.cuDriverGetVersion(ctypes.byref(value))
    if status != 0:
        raise RuntimeError(f"cuDriverGetVersion returned {status}")
    return f"{value.value // 1000}.{value.value % 1000 // 10} (CUDA version the driver supports)"


def set_fp32_mode(torch, tf32):
    """allow_tf32 = tf32 (and, where the newer API exists, fp32_precision to match). Returns what was done."""
    done = {}
    matmul = torch.backends.cuda.matmul
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            matmul.allow_tf32 = tf32
            done["allow_tf32"] = tf32
        except Exception as e:
            done["allow_tf32_error"] = f"{type(e).__name__}: {e}"
        if hasattr(matmul, "fp32_precision"):
            try:
                matmul.fp32_precision = "tf32" if tf32 else "ieee"
                done["fp32_precision"] = matmul.fp32_precision
            except Exception as e:
                done["fp32_precision_error"] = f"{type(e).__name__}: {e}"
        try:
            done["allow_tf32_readback"] = bool(matmul.allow_tf32)
        except Exception as e:
            done["allow_tf32_readback_error"] = f"{type(e).__name__}: {e}"
    if done.get("allow_tf32_readback", tf32) != tf32 or ("allow_tf32" not in done and "fp32_precision" not in done):
        raise RuntimeError(f"could not set TF32 mode to {tf32}: {done}")
    return done


def precision_settings(torch):
    m = torch.backends.cuda.matmul
    return {
        "allow_tf32": _try(lambda: bool(m.allow_tf32)),
        "fp32_precision": _try(lambda: m.fp32_precision),
        "float32_matmul_precision": _try(torch.get_float32_matmul_precision),
        "allow_bf16_reduced_precision_reduction": _try(lambda: bool(m.allow_bf16_reduced_precision_reduction)),
        "allow_fp16_reduced_precision_reduction": _try(lambda: bool(m.allow_fp16_reduced_precision_reduction)),
        "preferred_blas_library": _try(lambda: str(torch.backends.cuda.preferred_blas_library())),
    }


def torch_dtype(torch, name):
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "tf32": torch.float32, "fp32": torch.float32}[name]


def is_oom(torch, e):
    oom = getattr(getattr(torch, "cuda", None), "OutOfMemoryError", None)
    return (oom is not None and isinstance(e, oom)) or "out of memory" in str(e).lower()


class TorchBench:
    """Device, flush buffer, side stream and events; one shape's operands at a time."""

    def __init__(self, torch, device_index, dtype_name):
        self.torch = torch
        self.dev = torch.device("cuda", device_index)
        torch.cuda.set_device(self.dev)
        self.dtype = torch_dtype(torch, dtype_name)
        props = torch.cuda.get_device_properties(self.dev)
        l2 = getattr(props, "L2_cache_size", None)
        self.l2_bytes = int(l2) if isinstance(l2, int) and l2 > 0 else ASSUMED_L2_BYTES
        self.l2_source = "torch.cuda.get_device_properties().L2_cache_size" if self.l2_bytes == l2 \
            else f"assumed {ASSUMED_L2_BYTES >> 20} MiB (L2_cache_size not reported)"
        self.flush_bytes = max(2 * self.l2_bytes, FLUSH_MIN_BYTES)
        self.props = props
        self.stream = torch.cuda.Stream(device=self.dev)
        self.flush = torch.empty(self.flush_bytes, dtype=torch.uint8, device=self.dev)
        self.flush_value = 0
        self.start = torch.cuda.Event(enable_timing=True)
        self.stop = torch.cuda.Event(enable_timing=True)
        self.a = self.b = self.c = None

    def device_info(self):
        p = self.props
        return {"index": self.dev.index, "name": self.torch.cuda.get_device_name(self.dev),
                "compute_capability": f"{p.major}.{p.minor}", "sm_count": p.multi_processor_count,
                "memory_bytes": p.total_memory, "l2_bytes": self.l2_bytes, "l2_source": self.l2_source}

    def operands(self, m, k, n):
        """A (seed 1) and B (seed 2) normal values generated on the device; C preallocated."""
        torch = self.torch
        self.release()
        with torch.cuda.stream(self.stream):
            ga = torch.Generator(device=self.dev)
            ga.manual_seed(SEED_A)
            gb = torch.Generator(device=self.dev)
            gb.manual_seed(SEED_B)
            self.a = torch.randn(m, k, generator=ga, device=self.dev, dtype=self.dtype)
            self.b = torch.randn(k, n, generator=gb, device=self.dev, dtype=self.dtype)
            self.c = torch.empty(m, n, device=self.dev, dtype=self.dtype)
        self.stream.synchronize()

    def release(self):
        self.a = self.b = self.c = None

    def launch_us(self):
        """Flush (before the start event, same stream), start, one matmul, stop, wait, elapsed GPU time in us."""
        torch = self.torch
        with torch.cuda.stream(self.stream):
            self.flush_value ^= FLUSH_XOR
            self.flush.fill_(self.flush_value)
            self.start.record(self.stream)
            torch.matmul(self.a, self.b, out=self.c)
            self.stop.record(self.stream)
        self.stop.synchronize()
        return self.start.elapsed_time(self.stop) * 1000.0

    def load_blas(self):
        """One 8 x 8 matmul of the dtype: torch loads its BLAS libraries with the first."""
        torch = self.torch
        with torch.cuda.stream(self.stream):
            a = torch.randn(8, 8, device=self.dev, dtype=self.dtype)
            torch.matmul(a, a, out=torch.empty(8, 8, device=self.dev, dtype=self.dtype))
        self.stream.synchronize()

    def warm_device(self, seconds, clock):
        """Back-to-back 8192^3 matmuls of the dtype for `seconds` (synchronising every few to read the clock)."""
        torch = self.torch
        if seconds <= 0:
            return {"seconds": 0, "launches": 0}
        s = DEVICE_WARMUP_SIDE
        with torch.cuda.stream(self.stream):
            a = torch.randn(s, s, device=self.dev, dtype=self.dtype)
            b = torch.randn(s, s, device=self.dev, dtype=self.dtype)
            c = torch.empty(s, s, device=self.dev, dtype=self.dtype)
        began, launches = clock(), 0
        while clock() - began < seconds:
            with torch.cuda.stream(self.stream):
                for _ in range(4):
                    torch.matmul(a, b, out=c)
            launches += 4
            self.stream.synchronize()
        del a, b, c
        return {"seconds": round(clock() - began, 3), "launches": launches, "shape": f"{s}x{s}x{s}"}

    def measure(self, shape, rule, warmup_s, clock):
        """time_shape on one shape; out of memory (after one retry with an emptied cache) and other CUDA errors
        become ShapeFailed."""
        torch = self.torch
        m, k, n = shape
        try:
            try:
                self.operands(m, k, n)
            except Exception as e:
                if not is_oom(torch, e):
                    raise
                self.release()
                torch.cuda.empty_cache()
                self.operands(m, k, n)
            return time_shape(self.launch_us, clock, rule, warmup_s)
        except Exception as e:  # OutOfMemoryError (a RuntimeError), other CUDA/cuBLAS errors, a sample of 0 us
            self.release()
            oom = is_oom(torch, e)
            why = ("out of memory: " if oom else "") + f"{type(e).__name__}: {e}"
            try:  # an error that does not say (a cuBLAS status, say) may still have lost the context
                torch.cuda.synchronize(self.dev)
                torch.cuda.empty_cache()
            except Exception as check:
                why += f" (the CUDA context is lost: {type(check).__name__}: {check})"
            raise ShapeFailed(why) from None
        finally:
            self.release()


# ---------------------------------------------------------------------------------------------------------------
# main

EXAMPLE = """example (on a GPU node, next to gemmcost's bf16 table):
  python3 scripts/torch_compare.py --shapes my-shapes.csv --dtype bf16 \\
      --ours profiles/nvidia-h100-80gb-hbm3/bf16.json --out /tmp/torch-vs-ours --budget-s 300

SHAPES.csv: header starting m,k,n (extra columns ignored, '#' lines are comments), one GEMM per row,
C[m x n] = A[m x k] . B[k x n], row-major. Ratios are ours/PyTorch; |diff| % is relative to PyTorch.
Exit status: 0 done (or skipped without PyTorch/GPU), 2 bad input, 1 could not set the precision mode, 3 the CUDA
context is lost (run it again with --resume in a fresh process)."""


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="torch_compare.py", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLE,
        description="Time torch.matmul on gemmcost's GEMM shapes with gemmcost's bench method (L2 flush, CUDA "
                    "events around one launch, nvbench stdrel stopping rule) and compare with gemmcost's table.")
    p.add_argument("--shapes", required=True, metavar="SHAPES.csv", help="shapes to time (header m,k,n,...)")
    p.add_argument("--dtype", required=True, choices=DTYPES,
                   help="bf16/fp16: that dtype in and out, fp32 accumulation; tf32: fp32 tensors with "
                        "allow_tf32=True; fp32: allow_tf32=False")
    p.add_argument("--out", required=True, metavar="DIR", help="torch.csv, torch-meta.json, compare.csv go here")
    p.add_argument("--ours", metavar="OUR_PROFILE.json", help="gemmcost's table (schema gemmcost.profile)")
    p.add_argument("--device", type=int, default=0, help="CUDA device ordinal (default: %(default)s)")
    p.add_argument("--budget-s", type=float, default=120.0,
                   help="wall time for the whole run; shapes not started by then are not_run (default: %(default)s)")
    p.add_argument("--warmup-ms", type=float, default=200.0,
                   help="untimed launches per shape: at least this long and at least 3 (default: %(default)s)")
    p.add_argument("--device-warmup-s", type=float, default=5.0,
                   help="8192^3 matmuls before the first shape (default: %(default)s)")
    p.add_argument("--min-samples", type=int, default=20, help="(default: %(default)s)")
    p.add_argument("--min-time-s", type=float, default=0.02,
                   help="GPU time per shape before stopping on noise (default: %(default)s)")
    p.add_argument("--max-noise-pct", type=float, default=0.5, help="rel. stdev target (default: %(default)s)")
    p.add_argument("--timeout-s", type=float, default=2.0, help="wall time per shape (default: %(default)s)")
    p.add_argument("--resume", action="store_true",
                   help="keep the shapes an earlier run measured into the same --out (same device, dtype and "
                        "method) and measure only the others")
    return p.parse_args(argv)


RESUME_MUST_MATCH = ("dtype", "method.warmup_per_shape", "method.stopping_rule", "device.name", "torch_version",
                     "torch_version_cuda", "cublas_version.version", "precision_settings")


def _get(doc, dotted):
    for part in dotted.split("."):
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def earlier_rows(out_dir, meta, shapes):
    """--resume: the measured rows of OUT/torch.csv as (those of `shapes`, keyed by shape; the others, which stay in
    the file); ({}, []) without an earlier run. Raises InputError when the earlier run's device, dtype or method
    differ from this one's, or its files cannot be read."""
    meta_path = os.path.join(out_dir, "torch-meta.json")
    csv_path = os.path.join(out_dir, "torch.csv")
    if not (os.path.exists(meta_path) and os.path.exists(csv_path)):
        return {}, []
    try:
        with open(meta_path, encoding="utf-8") as f:
            earlier = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError(meta_path, f"cannot resume: {_one_line(f'{type(e).__name__}: {e}')}")
    for key in RESUME_MUST_MATCH:
        if _get(earlier, key) != _get(meta, key):
            raise InputError(meta_path, f"cannot resume: {key} was {json.dumps(_get(earlier, key))}, this run's is "
                                        f"{json.dumps(_get(meta, key))}; use another --out")
    try:
        with open(csv_path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        measured = [row_measured((int(r["m"]), int(r["k"]), int(r["n"])),
                                 {"median_us": float(r["torch_us"]), "p10_us": float(r["p10_us"]),
                                  "p90_us": float(r["p90_us"]), "samples": int(r["samples"]), "stop": r["stop"]})
                    for r in rows if r.get("label") == "measured"]
        # a shape at which the context was lost is passed over: a fresh process would most likely lose it again
        measured += [row_failed((int(r["m"]), int(r["k"]), int(r["n"])), r["stop"].removeprefix("failed: "))
                     for r in rows if r.get("label") == "failed" and says_context_lost(r.get("stop", ""))]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(csv_path, f"cannot resume: {_one_line(f'{type(e).__name__}: {e}')}")
    wanted = set(shapes)
    by_shape = {(r["m"], r["k"], r["n"]): r for r in measured}
    return ({shape: r for shape, r in by_shape.items() if shape in wanted},
            [r for shape, r in by_shape.items() if shape not in wanted])


def lost_context_exit(lost):
    """0, or 3 with one line where the CUDA context was lost (what was measured is written by then)."""
    if not lost:
        return 0
    print(f"{PROG}: the CUDA context is lost ({lost}); the shapes measured are in torch.csv: run it again with "
          "--resume in a fresh process, which passes that shape over", file=sys.stderr)
    return 3


def fail_input(e):
    print(f"{PROG}: {e.file}: {e.what}", file=sys.stderr)
    return 2


def require_out_dir(path):
    """Raises InputError when --out names something that is not a folder (a file there would stop the run late)."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise InputError(path, "--out must be a folder, and this is a file")


def skip(out_dir, why, prog=PROG):
    """Prints `<prog>: skipped: <why>` and writes it to OUT/skipped.txt: exit 0."""
    line = f"{prog}: skipped: {why}"
    print(line)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "skipped.txt"), "w", encoding="utf-8") as f:
        f.write(line + "\n")
    return 0


def utc_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.perf_counter()
    try:
        rule = StoppingRule(args.min_samples, args.min_time_s * 1e6, args.max_noise_pct / 100, args.timeout_s * 1e6)
    except ValueError as e:
        print(f"{PROG}: stopping rule: {e}", file=sys.stderr)
        return 2
    try:
        require_out_dir(args.out)
        shapes = read_shapes(args.shapes)
        ours = read_profile(args.ours) if args.ours else None
    except InputError as e:
        return fail_input(e)
    if ours is not None and ours["dtype"] != args.dtype:
        return fail_input(InputError(args.ours, f"$.dtype is {json.dumps(ours['dtype'])} but --dtype is "
                                                f"{args.dtype}; compare like with like"))

    torch, why = load_torch()
    if torch is None:
        return skip(args.out, why)
    count = torch.cuda.device_count()
    if not 0 <= args.device < count:
        print(f"{PROG}: --device {args.device}: this process sees {count} CUDA device(s)", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)

    try:
        mode = set_fp32_mode(torch, args.dtype == "tf32") if args.dtype in ("tf32", "fp32") else None
    except RuntimeError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    bench = TorchBench(torch, args.device, args.dtype)
    # torch loads cuBLAS with its first matmul: one of 8 x 8 now, so --resume compares its version before any file
    # is written (a fresh GPU machine may have another wheel)
    try:
        bench.load_blas()
    except Exception as e:
        print(f"{PROG}: the first matmul, 8 x 8 in {args.dtype}, failed: {_one_line(f'{type(e).__name__}: {e}')}",
              file=sys.stderr)
        return 2
    meta = {
        "tool": "scripts/torch_compare.py", "argv": sys.argv if argv is None else argv, "started_utc": utc_now(),
        "label": "measured: every torch time in torch.csv was measured by this run on this device",
        "torch_version": torch.__version__,
        "torch_version_cuda": _try(lambda: torch.version.cuda),
        "torch_compiled_cuda_version": _try(lambda: torch._C._cuda_getCompiledVersion()),
        "device": bench.device_info(), "dtype": args.dtype, "fp32_mode_set": mode,
        "cublas_version": _try(cublas_version),
        "precision_settings": precision_settings(torch),
        "method": {
            "operands": f"torch.randn on the device, generator seeds A={SEED_A}, B={SEED_B}, once per shape; "
                        "C preallocated, torch.matmul(A, B, out=C)",
            "l2_flush": f"uint8 buffer of {bench.flush_bytes} bytes = max(2 x L2, 256 MiB), fill_(v), "
                        f"v ^= 0x{FLUSH_XOR:X} each launch, same stream, before the start event",
            "sample": "flush, start.record, one matmul, stop.record, stop.synchronize, start.elapsed_time(stop)",
            "warmup_per_shape": f">= {args.warmup_ms:g} ms wall and >= {MIN_WARMUP_LAUNCHES} launches, untimed, "
                                "with flush",
            "device_warmup_s": args.device_warmup_s,
            "stopping_rule": rule.describe(),
            "statistic": "median (p10/p90), linear interpolation between closest ranks",
            "budget_s": args.budget_s,
            "differences_from_gemmcost_bench": [
                "operand values: the same distribution and seeds (standard normal, A seed 1, B seed 2) but another "
                "generator: gemmcost draws them on the host (SplittableRandom) into a pool per operand and tiles it; "
                "here torch.randn (Philox) on the device, so the values are not bit-identical",
                "flush: gemmcost uses cudaMemsetAsync; here a fill_ kernel of the same size, same stream, same place",
                "GEMM call: gemmcost calls cublasGemmEx directly; here torch.matmul dispatches (cuBLAS or cuBLASLt, "
                "torch's own workspace)",
                "shapes whose operands do not fit: gemmcost measures them in m-chunks (flag m_chunked); here they "
                "fail as out of memory",
            ],
        },
        "clocks_and_power": "not changed, not read (no nvidia-smi)",
    }
    try:
        kept, carried = earlier_rows(args.out, meta, shapes) if args.resume else ({}, [])
    except InputError as e:
        return fail_input(e)
    meta["resumed_shapes"] = len(kept)
    if kept:
        meta["label"] = ("measured: every torch time in torch.csv was measured on this device, by this run or by the "
                         "earlier runs into the same --out that it resumed (same device, dtype and method)")
        print(f"{PROG}: resumed: {len(kept)} shape(s) done by an earlier run into {args.out} kept",
              file=sys.stderr)
    if carried:
        print(f"{PROG}: resumed: {len(carried)} earlier row(s) of shapes not in --shapes stay in torch.csv",
              file=sys.stderr)
    meta_path = os.path.join(args.out, "torch-meta.json")
    write_json_atomic(meta_path, meta)

    torch_rows = []
    with open(os.path.join(args.out, "torch.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(TORCH_CSV_HEADER)
        # what an earlier run measured goes back into the file before anything can fail or be killed
        for row in carried:
            writer.writerow(torch_csv_cells(row))
        total = len(shapes)

        def emit(row):
            torch_rows.append(row)
            writer.writerow(torch_csv_cells(row))
            f.flush()
            shown = "-" if row["torch_us"] is None else f"{row['torch_us']:.3f} us"
            print(f"[{len(torch_rows)}/{total}] {row['m']}x{row['k']}x{row['n']}: {shown} {row['label']}, "
                  f"{row['samples']} samples, {row['stop']}", file=sys.stderr, flush=True)

        for shape in shapes:
            if shape in kept:
                emit(kept[shape])
        f.flush()
        try:
            meta["device_warmup"] = bench.warm_device(args.device_warmup_s, time.perf_counter)
        except Exception as e:
            torch.cuda.empty_cache()
            meta["device_warmup"] = {"failed": _one_line(f"{type(e).__name__}: {e}")}
        # the driver torch has loaded by now (cuBLAS was read before --resume compared it)
        meta["driver_version"] = _try(driver_version)
        write_json_atomic(meta_path, meta)

        lost = sweep([s for s in shapes if s not in kept],
                     lambda s: bench.measure(s, rule, args.warmup_ms / 1000, time.perf_counter),
                     time.perf_counter, t0, args.budget_s, emit)

    counts = {label: sum(1 for r in torch_rows if r["label"] == label) for label in ("measured", "failed", "not_run")}
    meta["finished_utc"] = utc_now()
    meta["elapsed_s"] = round(time.perf_counter() - t0, 3)
    meta["shapes"] = dict(total=len(shapes), **counts)
    meta["precision_settings_at_end"] = precision_settings(torch)
    write_json_atomic(meta_path, meta)

    device_name = meta["device"]["name"]
    resumed = f" ({len(kept)} of them by an earlier run)" if kept else ""
    print(f"torch: {counts['measured']} measured{resumed}, {counts['failed']} failed, {counts['not_run']} not_run "
          f"({'lost context' if lost else 'budget'}) of {len(shapes)}; torch {torch.__version__}, "
          f"CUDA {meta['torch_version_cuda']}, {device_name}, {args.dtype}")
    if ours is None:
        for line in format_torch_table(torch_rows):
            print(line)
        print(f"(all times measured by this run; no --ours given, nothing compared; files in {args.out})")
        return lost_context_exit(lost)
    rows = join(shapes, ours, torch_rows)
    write_csv_atomic(os.path.join(args.out, "compare.csv"), COMPARE_HEADER, [compare_csv_cells(r) for r in rows])
    print(f"ours: read from {args.ours} (provenance.kind {ours['kind']}, device {ours['device']}); "
          f"torch: measured by this run on {device_name}")
    for line in format_compare_table(rows):
        print(line)
    print(format_summary(summarize(rows)))
    return lost_context_exit(lost)


if __name__ == "__main__":
    sys.exit(main())
