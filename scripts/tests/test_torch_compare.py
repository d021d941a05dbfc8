"""Tests of scripts/torch_compare.py that run without PyTorch, numpy or a GPU.

    python3 -m unittest discover -s scripts/tests -v

Expected values are worked out by hand in the comments. The PyTorch side is exercised against FAKE_TORCH, a stub
module that records the order of calls and keeps a fake GPU clock (flush 100 us, matmul 2mnk / 1e15 s, at least
5 us), so the method (flush outside the timed region, same stream, seeds, alternating flush value) is checked.
"""
import csv
import io
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import types
import unittest

import scripts_under_test

SCRIPT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "torch_compare.py"))
tc = scripts_under_test.load("torch_compare")

FAKE_TORCH = r'''
import contextlib
import types

__version__ = "0.0-fake"
version = types.SimpleNamespace(cuda="13.0")
float32, float16, bfloat16, uint8 = "float32", "float16", "bfloat16", "uint8"
log = []
_state = {"stream": "default", "gpu_us": 0.0}
FLOPS = 1e15
OOM_ELEMENTS = 5e10
FLUSH_US = 100.0


class OutOfMemoryError(RuntimeError):
    pass


class device:
    def __init__(self, type, index=None):
        self.type, self.index = type, index


class Tensor:
    def __init__(self, shape, dtype):
        self.shape, self.dtype = tuple(shape), dtype

    def fill_(self, value):
        log.append(("fill", value, _state["stream"]))
        _state["gpu_us"] += FLUSH_US
        return self


def _alloc(shape, dtype):
    elements = 1
    for d in shape:
        elements *= d
    if elements > OOM_ELEMENTS:
        raise OutOfMemoryError("CUDA out of memory. Tried to allocate 9.00 TiB.\nSee the docs.")
    return Tensor(shape, dtype)


def randn(*shape, generator=None, device=None, dtype=float32):
    log.append(("randn", shape, None if generator is None else generator.seed, dtype, _state["stream"]))
    return _alloc(shape, dtype)


def empty(*shape, device=None, dtype=float32):
    return _alloc(shape, dtype)


class Generator:
    def __init__(self, device=None):
        self.seed = None

    def manual_seed(self, seed):
        self.seed = seed
        return self


def matmul(a, b, out=None):
    m, k = a.shape
    k2, n = b.shape
    assert k == k2 and out.shape == (m, n) and a.dtype == b.dtype == out.dtype
    log.append(("matmul", (m, k, n), _state["stream"]))
    _state["gpu_us"] += max(5.0, 2.0 * m * k * n / FLOPS * 1e6)


def get_float32_matmul_precision():
    return "high" if backends.cuda.matmul.allow_tf32 else "highest"


class _Matmul:
    allow_tf32 = False
    allow_bf16_reduced_precision_reduction = True
    allow_fp16_reduced_precision_reduction = True


backends = types.SimpleNamespace(cuda=types.SimpleNamespace(matmul=_Matmul()))


class _Stream:
    def __init__(self, device=None):
        self.name = "side"

    def synchronize(self):
        pass


class _Event:
    def __init__(self, enable_timing=False):
        self.at_us = None

    def record(self, stream=None):
        log.append(("record", None if stream is None else stream.name))
        self.at_us = _state["gpu_us"]

    def synchronize(self):
        pass

    def elapsed_time(self, end):
        return (end.at_us - self.at_us) / 1000.0


@contextlib.contextmanager
def _stream(s):
    before = _state["stream"]
    _state["stream"] = s.name
    try:
        yield
    finally:
        _state["stream"] = before


cuda = types.SimpleNamespace(
    is_available=lambda: True, device_count=lambda: 1, set_device=lambda d: None,
    get_device_properties=lambda d: types.SimpleNamespace(L2_cache_size=50 * 2 ** 20, major=9, minor=0,
                                                          multi_processor_count=132, total_memory=80 * 2 ** 30),
    get_device_name=lambda d: "Fake H200", Stream=_Stream, Event=_Event, stream=_stream,
    OutOfMemoryError=OutOfMemoryError, empty_cache=lambda: None, synchronize=lambda *a: None)
_C = types.SimpleNamespace(_cuda_getCompiledVersion=lambda: 13000)
'''

NO_TORCH = 'raise ModuleNotFoundError("No module named \'torch\'")\n'
NO_CUDA = ('import types\n__version__ = "2.99.0+cpu"\nversion = types.SimpleNamespace(cuda=None)\n'
           'cuda = types.SimpleNamespace(is_available=lambda: False)\n')


def fake_torch_module():
    module = types.ModuleType("torch")
    exec(compile(FAKE_TORCH, "fake_torch", "exec"), module.__dict__)
    return module


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def run_script(args, stub_source=None, tmp=None):
    """The script as a subprocess; stub_source, when given, is what `import torch` finds first."""
    env = dict(os.environ)
    if stub_source is not None:
        pkg = os.path.join(tmp, "stub", "torch")
        os.makedirs(pkg, exist_ok=True)
        write(os.path.join(pkg, "__init__.py"), stub_source)
        env["PYTHONPATH"] = os.path.join(tmp, "stub")
    return subprocess.run([sys.executable, SCRIPT] + args, capture_output=True, text=True, env=env, timeout=120)


def profile_doc(entries, kind="measured", dtype="bf16"):
    return {"schema": "gemmcost.profile", "schema_version": 1, "dtype": dtype, "compute_type": "fp32",
            "device": {"name": "NVIDIA H200"},
            "provenance": {"kind": kind, "tool_version": "0.1.0", "created_utc": "2025-01-31T12:34:56Z"},
            "entries": entries}


class FakeClock:
    def __init__(self, t=0.0):
        self.t = t

    def __call__(self):
        return self.t


class FakeLaunch:
    """Returns the given GPU times in turn (cycling) and advances the clock by wall_s per launch."""

    def __init__(self, clock, times_us, wall_s):
        self.clock, self.times_us, self.wall_s, self.calls = clock, times_us, wall_s, 0

    def __call__(self):
        value = self.times_us[self.calls % len(self.times_us)]
        self.calls += 1
        self.clock.t += self.wall_s
        return value


def rule(min_samples=20, min_time_s=0.02, max_noise_pct=0.5, timeout_s=2.0):
    return tc.StoppingRule(min_samples, min_time_s * 1e6, max_noise_pct / 100, timeout_s * 1e6)


class QuantileTest(unittest.TestCase):
    def test_four_values(self):
        # positions q(n-1): 0.5*3 = 1.5 -> 2 + 0.5 = 2.5; 0.1*3 = 0.3 -> 1 + 0.3 = 1.3; 0.9*3 = 2.7 -> 3 + 0.7 = 3.7
        s = [1, 2, 3, 4]
        self.assertAlmostEqual(tc.quantile(s, 0.5), 2.5)
        self.assertAlmostEqual(tc.quantile(s, 0.1), 1.3)
        self.assertAlmostEqual(tc.quantile(s, 0.9), 3.7)

    def test_ends_exact_ranks_and_one_value(self):
        s = [10.0, 20.0, 40.0]
        self.assertEqual(tc.quantile(s, 0.0), 10.0)
        self.assertEqual(tc.quantile(s, 1.0), 40.0)
        self.assertEqual(tc.quantile(s, 0.5), 20.0)  # position 1.0, an exact rank
        self.assertAlmostEqual(tc.quantile(s, 0.9), 36.0)  # position 1.8 -> 20 + 0.8 * 20
        self.assertEqual(tc.quantile([7.0], 0.1), 7.0)

    def test_empty_and_bad_q(self):
        with self.assertRaises(ValueError):
            tc.quantile([], 0.5)
        with self.assertRaises(ValueError):
            tc.quantile([1.0], 1.5)


class StoppingRuleTest(unittest.TestCase):
    def test_noise_of_one_two_three_four(self):
        # mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, / (n-1) = 5/3, sqrt = 1.290994, / 2.5
        s = tc.Samples(rule())
        for x in (1.0, 2.0, 3.0, 4.0):
            s.add(x)
        self.assertAlmostEqual(s.noise_rel(), math.sqrt(5 / 3) / 2.5, places=12)
        self.assertEqual(s.noise_seen, 3)  # one noise value per sample from the second on

    def test_noise_stop_once_min_samples(self):
        s = tc.Samples(rule(min_samples=3, min_time_s=0, max_noise_pct=1.0, timeout_s=100))
        s.add(100.0)
        s.add(100.0)
        self.assertIsNone(s.stop(0))  # 2 < 3 samples, although the noise is 0
        s.add(101.0)  # mean 100.333, stdev 0.57735, rel 0.575 % <= 1 %
        self.assertEqual(s.stop(0), "noise")

    def test_noise_above_target_goes_on(self):
        s = tc.Samples(rule(min_samples=3, min_time_s=0, max_noise_pct=0.5, timeout_s=100))
        for x in (100.0, 100.0, 101.0):  # 0.575 % > 0.5 %
            s.add(x)
        self.assertIsNone(s.stop(0))

    def test_min_time_not_yet_reached(self):
        # min time 1 ms: ten samples of 100 us reach it exactly (1000 us >= 1000 us), nine do not
        s = tc.Samples(rule(min_samples=2, min_time_s=0.001, max_noise_pct=0.5, timeout_s=100))
        for _ in range(9):
            s.add(100.0)
        self.assertEqual(s.gpu_time_us, 900.0)
        self.assertIsNone(s.stop(0))
        s.add(100.0)
        self.assertEqual(s.stop(0), "noise")

    def test_timeout_comes_first(self):
        s = tc.Samples(rule(min_samples=20, timeout_s=2.0))
        s.add(100.0)
        self.assertIsNone(s.stop(1_999_999.0))
        self.assertEqual(s.stop(2_000_000.0), "timeout")

    def test_converged_needs_all_64_noise_values(self):
        # alternating 100/200: noise ~ 1/3, far above 0.5 %. Noise values exist from n = 2, so the ring first
        # holds 64 at n = 65; at n = 64 (63 values) it cannot have converged.
        s = tc.Samples(rule(min_samples=2, min_time_s=0, max_noise_pct=0.5, timeout_s=1e9))
        for i in range(64):
            s.add(100.0 if i % 2 == 0 else 200.0)
            self.assertIsNone(s.stop(0))
        self.assertEqual(s.noise_seen, 63)
        self.assertFalse(s.noise_converged())

    def test_converged_stop_against_a_direct_computation(self):
        # The same alternating sequence; the stop must come at the first n whose last 64 noise values (n-63 .. n,
        # each the stdev(n-1)/mean of the first i samples, computed here by the statistics module) satisfy
        # max - min < 0.05 * mean, with the rel. stdev itself still above 0.5 %.
        seq = [100.0 if i % 2 == 0 else 200.0 for i in range(1000)]

        def noise(i):
            return statistics.stdev(seq[:i]) / statistics.mean(seq[:i])

        expected = None
        for n in range(65, 1000):
            window = [noise(i) for i in range(n - 63, n + 1)]
            if max(window) - min(window) < 0.05 * (sum(window) / 64):
                expected = n
                break
        self.assertIsNotNone(expected)
        s = tc.Samples(rule(min_samples=2, min_time_s=0, max_noise_pct=0.5, timeout_s=1e9))
        stop, n = None, 0
        while stop is None:
            s.add(seq[n])
            n += 1
            stop = s.stop(0)
        self.assertEqual((n, stop), (expected, "noise_converged"))
        self.assertGreater(s.noise_rel(), 0.005)

    def test_rejects_bad_samples_and_rules(self):
        s = tc.Samples(rule())
        for bad in (0.0, -1.0, float("inf"), float("nan")):
            with self.assertRaises(ValueError):
                s.add(bad)
        with self.assertRaises(ValueError):
            rule(min_samples=1)
        with self.assertRaises(ValueError):
            rule(max_noise_pct=0)


class TimeShapeTest(unittest.TestCase):
    def test_warmup_then_noise_stop(self):
        clock = FakeClock()
        launch = FakeLaunch(clock, [100.0], wall_s=0.0004)
        # warm-up 2 ms at 0.4 ms per launch: 5 launches (>= 3); then 20 samples of 100 us = 2 ms >= min time 1 ms
        s = tc.time_shape(launch, clock, rule(min_samples=20, min_time_s=0.001), warmup_s=0.002)
        self.assertEqual(launch.calls, 25)
        self.assertEqual((s["samples"], s["stop"], s["median_us"], s["p10_us"], s["p90_us"]),
                         (20, "noise", 100.0, 100.0, 100.0))

    def test_at_least_three_warmup_launches(self):
        clock = FakeClock()
        launch = FakeLaunch(clock, [100.0], wall_s=1.0)  # one launch already exceeds the 1 ms warm-up
        tc.time_shape(launch, clock, rule(min_samples=2, min_time_s=0, timeout_s=100), warmup_s=0.001)
        self.assertEqual(launch.calls, 3 + 2)

    def test_timeout_with_injected_clock(self):
        clock = FakeClock()
        launch = FakeLaunch(clock, [100.0, 300.0], wall_s=0.5)
        # warm-up: 3 launches (0 ms asked). Samples 100, 300, 100, 300: the wall time after the 4th is 2.0 s
        # >= 2 s. Sorted [100, 100, 300, 300]: median position 1.5 -> 200; p10 position 0.3 -> 100;
        # p90 position 2.7 -> 300.
        s = tc.time_shape(launch, clock, rule(min_samples=20, timeout_s=2.0), warmup_s=0)
        self.assertEqual(launch.calls, 3 + 4)
        self.assertEqual((s["samples"], s["stop"], s["median_us"], s["p10_us"], s["p90_us"]),
                         (4, "timeout", 200.0, 100.0, 300.0))

    def test_min_time_keeps_sampling(self):
        clock = FakeClock()
        launch = FakeLaunch(clock, [10.0], wall_s=0.001)
        # 20 samples would do for min samples, but 0.02 s of GPU time at 10 us needs 2000 samples
        s = tc.time_shape(launch, clock, rule(min_samples=20, min_time_s=0.02, timeout_s=100), warmup_s=0)
        self.assertEqual((s["samples"], s["stop"]), (2000, "noise"))


class SweepTest(unittest.TestCase):
    def test_budget_failure_and_rows(self):
        clock = FakeClock()
        shapes = [(1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4), (5, 5, 5)]

        def measure(shape):
            clock.t += 50.0
            if shape == (2, 2, 2):
                raise tc.ShapeFailed("out of memory: OutOfMemoryError: CUDA out of memory.\n  Tried 9 TiB")
            return {"median_us": 10.0 * shape[0], "p10_us": 9.0, "p90_us": 11.0, "samples": 20, "stop": "noise"}

        rows = []
        # budget 120 s: shapes start at 0, 50, 100 s; at 150 s > 120 the 4th and 5th are not run
        tc.sweep(shapes, measure, clock, 0.0, 120.0, rows.append)
        self.assertEqual([(r["m"], r["label"]) for r in rows],
                         [(1, "measured"), (2, "failed"), (3, "measured"), (4, "not_run"), (5, "not_run")])
        self.assertEqual(rows[1]["stop"], "failed: out of memory: OutOfMemoryError: CUDA out of memory. Tried 9 TiB")
        self.assertEqual(rows[3]["stop"], "not_run: budget")
        self.assertEqual(tc.torch_csv_cells(rows[2]), [3, 3, 3, "30.000", "9.000", "11.000", 20, "noise", "measured"])
        self.assertEqual(tc.torch_csv_cells(rows[4]), [5, 5, 5, "", "", "", 0, "not_run: budget", "not_run"])

    def test_a_lost_context_leaves_the_rest_not_run_and_is_returned(self):
        def measure(shape):
            if shape == (2, 2, 2):
                raise tc.ShapeFailed("RuntimeError: CUDA error: an illegal memory access was encountered")
            return {"median_us": 1.0, "p10_us": 1.0, "p90_us": 1.0, "samples": 20, "stop": "noise"}

        rows = []
        lost = tc.sweep([(1, 1, 1), (2, 2, 2), (3, 3, 3)], measure, FakeClock(), 0.0, 120.0, rows.append)
        self.assertEqual(lost, "RuntimeError: CUDA error: an illegal memory access was encountered")
        self.assertEqual([(r["m"], r["label"], r["stop"]) for r in rows], [
            (1, "measured", "noise"),
            (2, "failed", "failed: RuntimeError: CUDA error: an illegal memory access was encountered"),
            (3, "not_run", "not_run: the CUDA context is lost")])


class ShapesCsvTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name, text):
        return write(os.path.join(self.tmp.name, name), text)

    def test_comments_extra_columns_and_repeats(self):
        p = self.path("s.csv", "# a comment\n\nm,k,n,where,count\n# another\n1,4096,1024,x,3\n 8192 ,8192,8192,y,1\n"
                               "1,4096,1024,again,1\n")
        self.assertEqual(tc.read_shapes(p), [(1, 4096, 1024), (8192, 8192, 8192)])

    def test_errors(self):
        cases = {
            "a,b,c\n1,2,3\n": "line 1: header must start with m,k,n, was 'a,b,c'",
            "m,n,k\n1,2,3\n": "line 1: header must start with m,k,n, was 'm,n,k'",
            "m,k,n\n1,x,3\n": "line 2: column k: not an integer: 'x'",
            "m,k,n\n1,0,3\n": "line 2: column k: must be > 0, was 0",
            "m,k,n\n1,2\n": "line 2: expected m,k,n, got 2 column(s)",
            "m,k,n\n# nothing\n": "no shapes",
            "# only a comment\n": "no header (expected a line starting with m,k,n)",
        }
        for text, what in cases.items():
            with self.subTest(text=text):
                p = self.path("bad.csv", text)
                with self.assertRaises(tc.InputError) as caught:
                    tc.read_shapes(p)
                self.assertEqual((caught.exception.file, caught.exception.what), (p, what))

    def test_bad_header_exits_2_with_one_line(self):
        p = self.path("bad.csv", "a,b,c\n1,2,3\n")
        r = run_script(["--shapes", p, "--dtype", "bf16", "--out", os.path.join(self.tmp.name, "o")],
                       stub_source=NO_TORCH, tmp=self.tmp.name)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, f"torch_compare: {p}: line 1: header must start with m,k,n, was 'a,b,c'\n")
        self.assertEqual(r.stdout, "")

    def test_missing_file_exits_2(self):
        p = os.path.join(self.tmp.name, "absent.csv")
        r = run_script(["--shapes", p, "--dtype", "bf16", "--out", self.tmp.name], stub_source=NO_TORCH,
                       tmp=self.tmp.name)
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith(f"torch_compare: {p}: cannot read: "), r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1)


class ProfileAndJoinTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def profile(self, doc, name="ours.json"):
        return write(os.path.join(self.tmp.name, name), json.dumps(doc))

    def test_join_ratio_and_summary(self):
        ours = tc.read_profile(self.profile(profile_doc([
            {"m": 8192, "k": 8192, "n": 8192, "time_us": 1000.0, "p10_us": 990.0, "p90_us": 1010.0, "samples": 40},
            {"m": 64, "k": 64, "n": 64, "time_us": 10.0, "samples": 2000},
            {"m": 4096, "k": 4096, "n": 4096, "time_us": 49.0, "samples": 100},
            {"m": 1, "k": 1, "n": 1, "time_us": 3.0, "samples": 9},  # not among the shapes
        ])))
        shapes = [(8192, 8192, 8192), (4096, 4096, 4096), (64, 64, 64), (7, 7, 7), (9, 9, 9)]
        torch_rows = [
            tc.row_measured((8192, 8192, 8192), {"median_us": 980.0, "p10_us": 970.0, "p90_us": 990.0,
                                                 "samples": 20, "stop": "noise"}),
            tc.row_measured((4096, 4096, 4096), {"median_us": 50.0, "p10_us": 49.0, "p90_us": 51.0,
                                                 "samples": 400, "stop": "noise"}),
            tc.row_measured((64, 64, 64), {"median_us": 8.0, "p10_us": 7.9, "p90_us": 8.1, "samples": 2500,
                                           "stop": "noise_converged"}),
            tc.row_measured((7, 7, 7), {"median_us": 4.0, "p10_us": 4.0, "p90_us": 4.0, "samples": 20,
                                        "stop": "noise"}),  # not in ours
            tc.row_failed((9, 9, 9), "boom"),
        ]
        rows = tc.join(shapes, ours, torch_rows)
        self.assertEqual([(r["m"], r["k"], r["n"]) for r in rows], [(8192, 8192, 8192), (4096, 4096, 4096),
                                                                    (64, 64, 64)])
        # 1000/980 = 1.020408, |20|/980 = 2.0408 %; 49/50 = 0.98, 2.0 %; 10/8 = 1.25, 25 %
        self.assertEqual([tc.compare_csv_cells(r) for r in rows], [
            [8192, 8192, 8192, "1000.000", "980.000", "1.0204", "2.041", "measured", "measured"],
            [4096, 4096, 4096, "49.000", "50.000", "0.9800", "2.000", "measured", "measured"],
            [64, 64, 64, "10.000", "8.000", "1.2500", "25.000", "measured", "measured"],
        ])
        # >= 50 us (torch): 8192^3 (2.04 %, out) and 4096^3 (2.0 %, in); worst ratio 1.25 (64^3);
        # 2 * 8192^3 = 1.099511627776e12 flop: / 1000 us = 1099.5 TFLOP/s, / 980 us = 1121.95 -> 1122.0
        self.assertEqual(tc.format_summary(tc.summarize(rows)),
                         "summary: 3 shape(s) in both; 1 of 2 with torch_us >= 50 us within 2 %; "
                         "worst ratio ours/torch: 1.2500 at 64x64x64; 8192x8192x8192: ours 1099.5 TFLOP/s "
                         "(measured, read from table), torch 1122.0 TFLOP/s (measured)")
        table = tc.format_compare_table(rows)
        self.assertEqual(len(table), 2 + 3)
        self.assertEqual(len({len(line.rstrip()) for line in table[2:]}), 1)  # fixed width
        self.assertIn("   1.0204     2.04  measured   measured", table[2])

    def test_worst_ratio_counts_below_one_too(self):
        rows = [{"m": 1, "k": 1, "n": 1, "ours_us": 5.0, "torch_us": 10.0, "ratio": 0.5, "abs_diff_pct": 50.0,
                 "ours_label": "measured", "torch_label": "measured"},
                {"m": 2, "k": 2, "n": 2, "ours_us": 15.0, "torch_us": 10.0, "ratio": 1.5, "abs_diff_pct": 50.0,
                 "ours_label": "measured", "torch_label": "measured"}]
        self.assertEqual(tc.summarize(rows)["worst"]["ratio"], 0.5)  # 1/0.5 = 2 > 1.5
        self.assertIn("8192x8192x8192: not in both", tc.format_summary(tc.summarize(rows)))

    def test_kind_becomes_the_label(self):
        for kind in ("measured", "simulated", "imported"):
            ours = tc.read_profile(self.profile(profile_doc([{"m": 1, "k": 2, "n": 3, "time_us": 4.0,
                                                               "samples": 1}], kind=kind)))
            t = [tc.row_measured((1, 2, 3), {"median_us": 2.0, "p10_us": 2.0, "p90_us": 2.0, "samples": 20,
                                             "stop": "noise"})]
            self.assertEqual(tc.join([(1, 2, 3)], ours, t)[0]["ours_label"], kind)

    def test_malformed_profiles(self):
        entry = {"m": 1, "k": 2, "n": 3, "time_us": 4.0, "samples": 1}
        cases = [
            ({"schema": "other", "entries": [entry]}, '$.schema: expected "gemmcost.profile", was "other"'),
            (dict(profile_doc([entry]), provenance={}), '$.provenance.kind: missing (expected e.g. "measured")'),
            (profile_doc([]), "$.entries: expected a non-empty array"),
            (profile_doc([dict(entry, m=0)]), "$.entries[0].m: must be an integer > 0, was 0"),
            (profile_doc([dict(entry, time_us="7")]), '$.entries[0].time_us: must be a finite number > 0, was "7"'),
            (profile_doc([entry, entry]), "$.entries[1]: duplicate shape (m=1, k=2, n=3)"),
        ]
        for doc, what in cases:
            with self.subTest(what=what):
                p = self.profile(doc)
                with self.assertRaises(tc.InputError) as caught:
                    tc.read_profile(p)
                self.assertEqual(caught.exception.what, what)
        p = write(os.path.join(self.tmp.name, "broken.json"), "{")
        with self.assertRaises(tc.InputError) as caught:
            tc.read_profile(p)
        self.assertTrue(caught.exception.what.startswith("not valid JSON: "))

    def test_malformed_profile_and_dtype_mismatch_exit_2(self):
        shapes = write(os.path.join(self.tmp.name, "s.csv"), "m,k,n\n1,2,3\n")
        out = os.path.join(self.tmp.name, "o")
        bad = self.profile({"schema": "gemmcost.profile"}, name="bad.json")
        r = run_script(["--shapes", shapes, "--dtype", "bf16", "--out", out, "--ours", bad], NO_TORCH, self.tmp.name)
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertEqual(r.stderr, f'torch_compare: {bad}: $.provenance.kind: missing (expected e.g. "measured")\n')
        fp16 = self.profile(profile_doc([{"m": 1, "k": 2, "n": 3, "time_us": 4.0, "samples": 1}], dtype="fp16"))
        r = run_script(["--shapes", shapes, "--dtype", "bf16", "--out", out, "--ours", fp16], NO_TORCH, self.tmp.name)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, f'torch_compare: {fp16}: $.dtype is "fp16" but --dtype is bf16; '
                                   "compare like with like\n")
        self.assertFalse(os.path.exists(out))


class SkipTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.shapes = write(os.path.join(self.tmp.name, "s.csv"), "m,k,n\n8192,8192,8192\n")
        self.out = os.path.join(self.tmp.name, "out", "nested")

    def check_skip(self, stub, line):
        r = run_script(["--shapes", self.shapes, "--dtype", "bf16", "--out", self.out], stub, self.tmp.name)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, line + "\n", ""))
        with open(os.path.join(self.out, "skipped.txt"), encoding="utf-8") as f:
            self.assertEqual(f.read(), line + "\n")
        self.assertEqual(sorted(os.listdir(self.out)), ["skipped.txt"])

    def test_without_torch(self):
        self.check_skip(NO_TORCH, "torch_compare: skipped: PyTorch is not importable "
                                  "(ModuleNotFoundError: No module named 'torch')")

    def test_without_cuda(self):
        self.check_skip(NO_CUDA, "torch_compare: skipped: torch.cuda.is_available() is False "
                                 "(torch 2.99.0+cpu, built for CUDA none)")


class TorchBenchWithFakeTest(unittest.TestCase):
    """The PyTorch glue against FAKE_TORCH, in process: order of calls, streams, seeds, flush values."""

    def test_launch_order_and_flush(self):
        torch = fake_torch_module()
        bench = tc.TorchBench(torch, 0, "bf16")
        self.assertEqual(bench.flush_bytes, 256 << 20)  # max(2 x 50 MiB, 256 MiB)
        bench.operands(4096, 4096, 4096)
        randn = [e for e in torch.log if e[0] == "randn"]
        self.assertEqual(randn, [("randn", (4096, 4096), 1, "bfloat16", "side"),
                                 ("randn", (4096, 4096), 2, "bfloat16", "side")])
        torch.log.clear()
        # the 100 us flush lies outside the events: 2 * 4096^3 / 1e15 s = 137.438953472 us
        self.assertAlmostEqual(bench.launch_us(), 137.438953472, places=6)
        bench.launch_us()
        bench.launch_us()
        self.assertEqual(torch.log[:4], [("fill", 0x5A, "side"), ("record", "side"),
                                         ("matmul", (4096, 4096, 4096), "side"), ("record", "side")])
        self.assertEqual([e[1] for e in torch.log if e[0] == "fill"], [0x5A, 0, 0x5A])

    def test_measure_and_out_of_memory(self):
        torch = fake_torch_module()
        bench = tc.TorchBench(torch, 0, "fp16")
        s = bench.measure((8192, 8192, 8192), rule(min_samples=20, min_time_s=0.001), 0.0, FakeClock())
        self.assertEqual((s["samples"], s["stop"]), (20, "noise"))  # 20 x 1099.5 us >= 1 ms, noise 0
        self.assertAlmostEqual(s["median_us"], 1099.511627776, places=6)
        with self.assertRaises(tc.ShapeFailed) as caught:
            bench.measure((2097152, 50265, 4096), rule(), 0.0, FakeClock())
        self.assertTrue(str(caught.exception).startswith("out of memory: OutOfMemoryError: CUDA out of memory."))

    def test_tf32_and_fp32_modes(self):
        torch = fake_torch_module()
        tc.set_fp32_mode(torch, True)
        self.assertTrue(torch.backends.cuda.matmul.allow_tf32)
        self.assertEqual(tc.precision_settings(torch)["float32_matmul_precision"], "high")
        tc.set_fp32_mode(torch, False)
        self.assertFalse(torch.backends.cuda.matmul.allow_tf32)
        settings = tc.precision_settings(torch)
        self.assertEqual(settings["allow_bf16_reduced_precision_reduction"], True)
        self.assertIn("unavailable", settings["preferred_blas_library"])  # absent in the fake: recorded, no crash


class EndToEndWithFakeTest(unittest.TestCase):
    """The whole script as a subprocess against FAKE_TORCH."""

    def test_files_and_printed_table(self):
        with tempfile.TemporaryDirectory() as tmp:
            shapes = write(os.path.join(tmp, "s.csv"), "m,k,n,where\n8192,8192,8192,a\n2097152,50265,4096,oom\n"
                                                       "4096,4096,4096,b\n64,64,64,c\n")
            ours = write(os.path.join(tmp, "ours.json"), json.dumps(profile_doc([
                {"m": 8192, "k": 8192, "n": 8192, "time_us": 1120.0, "samples": 40},
                {"m": 4096, "k": 4096, "n": 4096, "time_us": 150.0, "samples": 40},
                {"m": 64, "k": 64, "n": 64, "time_us": 6.0, "samples": 40},
                {"m": 2097152, "k": 50265, "n": 4096, "time_us": 9e6, "samples": 10, "flags": ["m_chunked"]},
            ])))
            out = os.path.join(tmp, "out")
            r = run_script(["--shapes", shapes, "--dtype", "bf16", "--out", out, "--ours", ours,
                            "--device-warmup-s", "0.001", "--warmup-ms", "0", "--min-time-s", "0.001"], FAKE_TORCH, tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(out, "torch.csv"), newline="") as f:
                rows = list(csv.reader(f))
            self.assertEqual(rows[0], tc.TORCH_CSV_HEADER)
            self.assertEqual([row[:4] + row[6:] for row in rows[1:]], [
                ["8192", "8192", "8192", "1099.512", "20", "noise", "measured"],
                ["2097152", "50265", "4096", "", "0",
                 "failed: out of memory: OutOfMemoryError: CUDA out of memory. Tried to allocate 9.00 TiB. See the "
                 "docs.", "failed"],
                ["4096", "4096", "4096", "137.439", "20", "noise", "measured"],
                ["64", "64", "64", "5.000", "200", "noise", "measured"],  # 0.001 s / 5 us = 200 samples
            ])
            with open(os.path.join(out, "compare.csv"), newline="") as f:
                compare = list(csv.reader(f))
            # 1120 / 1099.511627776 = 1.018634; 150 / 137.438953472 = 1.091394; 6 / 5 = 1.2
            self.assertEqual(compare, [tc.COMPARE_HEADER,
                                       ["8192", "8192", "8192", "1120.000", "1099.512", "1.0186", "1.863",
                                        "measured", "measured"],
                                       ["4096", "4096", "4096", "150.000", "137.439", "1.0914", "9.139",
                                        "measured", "measured"],
                                       ["64", "64", "64", "6.000", "5.000", "1.2000", "20.000", "measured",
                                        "measured"]])
            lines = r.stdout.splitlines()
            self.assertEqual(lines[0], "torch: 3 measured, 1 failed, 0 not_run (budget) of 4; torch 0.0-fake, "
                                       "CUDA 13.0, Fake H200, bf16")
            self.assertEqual(lines[-1], "summary: 3 shape(s) in both; 1 of 2 with torch_us >= 50 us within 2 %; "
                                        "worst ratio ours/torch: 1.2000 at 64x64x64; 8192x8192x8192: ours 981.7 "
                                        "TFLOP/s (measured, read from table), torch 1000.0 TFLOP/s (measured)")
            with open(os.path.join(out, "torch-meta.json")) as f:
                meta = json.load(f)
            self.assertEqual(meta["torch_version"], "0.0-fake")
            self.assertEqual(meta["torch_version_cuda"], "13.0")
            self.assertEqual(meta["torch_compiled_cuda_version"], 13000)
            self.assertEqual(meta["device"]["name"], "Fake H200")
            self.assertEqual(meta["device"]["l2_bytes"], 50 << 20)
            self.assertIn("unavailable", meta["cublas_version"])  # no libcublas loaded: recorded, not fatal
            self.assertEqual(meta["precision_settings"]["allow_bf16_reduced_precision_reduction"], True)
            self.assertEqual(meta["shapes"], {"total": 4, "measured": 3, "failed": 1, "not_run": 0})
            self.assertGreater(meta["device_warmup"]["launches"], 0)

    def first_run(self, tmp, shapes_text):
        """(out, options) after a first run measured shapes_text's shapes into tmp/out, quickly."""
        out = os.path.join(tmp, "out")
        opts = ["--dtype", "bf16", "--out", out, "--device-warmup-s", "0.001", "--warmup-ms", "0",
                "--min-time-s", "0.001"]
        r = run_script(["--shapes", write(os.path.join(tmp, "first.csv"), shapes_text)] + opts, FAKE_TORCH, tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out, opts

    def test_resume_keeps_earlier_rows_and_measures_the_rest(self):
        with tempfile.TemporaryDirectory() as tmp:
            out, opts = self.first_run(tmp, "m,k,n\n64,64,64\n32,32,32\n")
            both = write(os.path.join(tmp, "both.csv"), "m,k,n\n4096,4096,4096\n64,64,64\n")

            r = run_script(["--shapes", both, "--resume"] + opts, FAKE_TORCH, tmp)

            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"torch_compare: resumed: 1 shape(s) done by an earlier run into {out} kept\n",
                          r.stderr)
            self.assertIn("torch_compare: resumed: 1 earlier row(s) of shapes not in --shapes stay in torch.csv\n",
                          r.stderr)
            self.assertTrue(r.stdout.startswith("torch: 2 measured (1 of them by an earlier run), 0 failed, "))
            with open(os.path.join(out, "torch.csv"), newline="") as f:
                rows = list(csv.reader(f))
            # the row of a shape this run did not ask for stays; the kept row as the first run wrote it (200 samples
            # of 5 us); then the new one
            self.assertEqual([row[:3] + row[7:] for row in rows[1:]], [
                ["32", "32", "32", "noise", "measured"],
                ["64", "64", "64", "noise", "measured"],
                ["4096", "4096", "4096", "noise", "measured"]])
            self.assertEqual([row[3] for row in rows[2:]], ["5.000", "137.439"])
            with open(os.path.join(out, "torch-meta.json")) as f:
                self.assertEqual(json.load(f)["resumed_shapes"], 1)

            with open(os.path.join(out, "torch.csv"), "a", encoding="utf-8") as f:
                f.write("x,8,8,1.000,1.000,1.000,5,noise,measured\n")  # not a shape
            r = run_script(["--shapes", both, "--resume"] + opts, FAKE_TORCH, tmp)
            self.assertEqual(r.returncode, 2)
            self.assertEqual(r.stderr, f"torch_compare: {out}/torch.csv: cannot resume: ValueError: invalid literal "
                                       "for int() with base 10: 'x'\n")

            r = run_script(["--shapes", both, "--resume", "--dtype", "fp16"] + opts[2:], FAKE_TORCH, tmp)
            self.assertEqual((r.returncode, r.stderr), (2, f"torch_compare: {out}/torch-meta.json: cannot resume: "
                                                           'dtype was "bf16", this run\'s is "fp16"; use another '
                                                           "--out\n"))

            # review: rows of another PyTorch (and so cuBLAS) had been kept under this run's versions
            meta_path = os.path.join(out, "torch-meta.json")
            with open(meta_path) as f:
                earlier = json.load(f)
            earlier["torch_version"] = "0.0-older"
            with open(meta_path, "w") as f:
                json.dump(earlier, f)
            r = run_script(["--shapes", both, "--resume"] + opts, FAKE_TORCH, tmp)
            self.assertEqual((r.returncode, r.stderr), (2, f"torch_compare: {meta_path}: cannot resume: torch_version"
                                                           ' was "0.0-older", this run\'s is "0.0-fake"; use another'
                                                           " --out\n"))

    def test_resume_passes_over_a_shape_that_lost_the_context(self):
        with tempfile.TemporaryDirectory() as tmp:
            out, opts = self.first_run(tmp, "m,k,n\n64,64,64\n")
            with open(os.path.join(out, "torch.csv"), "a", encoding="utf-8") as f:
                f.write("4096,4096,4096,,,,0,failed: RuntimeError: CUDA error: an illegal memory access was "
                        "encountered,failed\n")
            both = write(os.path.join(tmp, "both.csv"), "m,k,n\n4096,4096,4096\n64,64,64\n")

            r = run_script(["--shapes", both, "--resume"] + opts, FAKE_TORCH, tmp)

            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("torch_compare: resumed: 2 shape(s) done by an earlier run", r.stderr)
            with open(os.path.join(out, "torch.csv"), newline="") as f:
                rows = list(csv.reader(f))[1:]
            # 4096^3 is not measured again: passed over, as the earlier run left it
            self.assertEqual([(row[0], row[-1]) for row in rows], [("4096", "failed"), ("64", "measured")])

    def test_an_out_that_is_a_file_is_one_line_and_exit_2(self):
        with tempfile.TemporaryDirectory() as tmp:
            shapes = write(os.path.join(tmp, "s.csv"), "m,k,n\n64,64,64\n")
            a_file = write(os.path.join(tmp, "good shapes.csv"), "m,k,n\n64,64,64\n")
            r = run_script(["--shapes", shapes, "--dtype", "bf16", "--out", a_file], FAKE_TORCH, tmp)
            self.assertEqual((r.returncode, r.stderr),
                             (2, f"torch_compare: {a_file}: --out must be a folder, and this is a file\n"))


if __name__ == "__main__":
    unittest.main()
