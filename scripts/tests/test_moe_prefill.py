"""Tests of scripts/moe_prefill.py that run without PyTorch or a GPU: the MoE shape it reads, the routing, the cases it
times and its refusals; expected values are worked out by hand in the comments."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import scripts_under_test

SCRIPT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "moe_prefill.py"))
mp = scripts_under_test.load("moe_prefill")


def write_config(directory, doc):
    path = os.path.join(directory, "config.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return path


class ReadMoeTest(unittest.TestCase):
    def test_reads_deepseek_mixtral_and_nested_text_config_keys(self):
        with tempfile.TemporaryDirectory() as d:
            deepseek = write_config(d, {"hidden_size": 7168, "moe_intermediate_size": 2048, "intermediate_size": 18432,
                                        "n_routed_experts": 256, "num_experts_per_tok": 8})
            self.assertEqual(mp.read_moe(deepseek), (7168, 2048, 256, 8))  # the experts' width, not the dense MLP's
            mixtral = write_config(d, {"hidden_size": 4096, "intermediate_size": 14336, "num_local_experts": 8,
                                       "num_experts_per_tok": 2})
            self.assertEqual(mp.read_moe(mixtral), (4096, 14336, 8, 2))
            nested = write_config(d, {"text_config": {"hidden_size": 4096, "moe_intermediate_size": 1024,
                                                      "num_experts": 512, "num_experts_per_tok": 10}})
            self.assertEqual(mp.read_moe(nested), (4096, 1024, 512, 10))

    def test_a_config_whose_top_k_is_more_than_its_experts_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            odd = write_config(d, {"hidden_size": 64, "intermediate_size": 32, "num_local_experts": 8,
                                   "num_experts_per_tok": 9})
            with self.assertRaises(mp.InputError) as e:
                mp.read_moe(odd)
            self.assertEqual(str(e.exception), f"{odd}: num_experts_per_tok 9 is more than the 8 experts")

    def test_a_dense_config_is_refused_naming_the_keys(self):
        with tempfile.TemporaryDirectory() as d:
            dense = write_config(d, {"hidden_size": 4096, "intermediate_size": 14336, "num_experts_per_tok": True})
            with self.assertRaises(mp.InputError) as e:
                mp.read_moe(dense)
            self.assertEqual(str(e.exception), f"{dense}: no positive integer n_routed_experts or num_experts or"
                                               " num_local_experts: not an MoE config")


class ShapeAndTokensTest(unittest.TestCase):
    def test_a_shape_is_four_positive_integers_with_top_k_at_most_the_experts(self):
        self.assertEqual(mp.parse_shape("7168:2048:256:8"), (7168, 2048, 256, 8))
        for bad in ("7168:2048:256", "7168:2048:256:0", "a:b:c:d"):
            with self.assertRaises(mp.InputError):
                mp.parse_shape(bad)
        with self.assertRaises(mp.InputError) as e:
            mp.parse_shape("64:32:4:8")
        self.assertEqual(str(e.exception), "--shape 64:32:4:8: top-k 8 is more than the 4 experts")

    def test_tokens_are_a_list_of_positive_integers(self):
        self.assertEqual(mp.parse_tokens("512,2048"), [512, 2048])
        for bad in ("", "512,,2048", "0", "-4"):
            with self.assertRaises(mp.InputError):
                mp.parse_tokens(bad)


class RoutingTest(unittest.TestCase):
    def test_every_token_sends_top_k_rows_to_distinct_experts(self):
        # all experts local: the counts add up to tokens x top_k, and no expert gets more than one row of a token
        counts = mp.route(1000, 8, 64, 64, seed=3)
        self.assertEqual(sum(counts), 8000)
        self.assertLessEqual(max(counts), 1000)

    def test_the_same_seed_routes_the_same_and_local_experts_are_the_first(self):
        whole = mp.route(500, 2, 16, 16, seed=7)
        self.assertEqual(mp.route(500, 2, 16, 16, seed=7), whole)
        self.assertEqual(mp.route(500, 2, 16, 4, seed=7), whole[:4])

    def test_top_k_of_all_experts_gives_every_expert_every_token(self):
        self.assertEqual(mp.route(10, 4, 4, 2, seed=1), [10, 10])


class CasesTest(unittest.TestCase):
    def test_the_two_gemms_over_the_active_experts(self):
        # experts with 0 rows are idle; 3 active with 5 + 6 + 10 = 21 rows: m = ceil(21 / 3) = 7
        up, down = mp.cases([5, 0, 6, 10], hidden=64, width=32)
        self.assertEqual(up, ("up", 64, 64, [5, 6, 10], 7))
        self.assertEqual(down, ("down", 32, 64, [5, 6, 10], 7))
        self.assertEqual(mp.cases([0, 0], hidden=64, width=32), [])

    @staticmethod
    def summary(median, p10, p90, samples, stop):
        return {"median_us": median, "p10_us": p10, "p90_us": p90, "samples": samples, "stop": stop}

    def test_a_row_gives_the_ratios_of_two_measured_times_and_leaves_a_missing_one_empty(self):
        r = mp.row("up", 512, 8, 256, 32, 7168, 4096, [10, 20], 15,
                   {"wide": self.summary(100.0, 99.0, 101.0, 40, "noise"),
                    "grouped": self.summary(150.0, 149.0, 152.0, 30, "noise"),
                    "loop": self.summary(400.0, 380.0, 450.0, 12, "timeout")}, "ok", ["grouped", "loop", "wide"])
        self.assertEqual(dict(zip(mp.HEADER, r)), {
            "gemm": "up", "tokens": 512, "top_k": 8, "experts": 256, "local_experts": 32, "active_experts": 2,
            "rows": 30, "max_rows": 20, "m_wide": 15, "k": 7168, "n_per_expert": 4096, "n_wide": 8192,
            "wide_us": "100.000", "grouped_us": "150.000", "loop_us": "400.000", "grouped_over_wide": "1.5000",
            "loop_over_wide": "4.0000", "grouped_check": "ok", "order": "grouped loop wide",
            "wide_p10_us": "99.000", "wide_p90_us": "101.000", "wide_samples": 40, "wide_stop": "noise",
            "grouped_p10_us": "149.000", "grouped_p90_us": "152.000", "grouped_samples": 30, "grouped_stop": "noise",
            "loop_p10_us": "380.000", "loop_p90_us": "450.000", "loop_samples": 12, "loop_stop": "timeout",
            "label": "measured"})
        missing = dict(zip(mp.HEADER, mp.row("down", 512, 8, 256, 32, 2048, 7168, [3], 3,
                                             {"wide": self.summary(10.0, 9.0, 11.0, 20, "noise"),
                                              "loop": {"failed": "OutOfMemoryError: CUDA out of memory."}},
                                             "torch has no _grouped_mm", ["wide", "loop"])))
        self.assertEqual((missing["grouped_us"], missing["grouped_over_wide"], missing["grouped_stop"]), ("", "", ""))
        self.assertEqual((missing["loop_us"], missing["loop_over_wide"], missing["loop_samples"],
                          missing["loop_stop"]), ("", "", 0, "failed: OutOfMemoryError: CUDA out of memory."))

    def test_the_summary_line_gives_each_cases_ratios(self):
        up = mp.row("up", 512, 8, 256, 32, 7168, 4096, [10, 20], 15,
                    {"wide": self.summary(100.0, 99.0, 101.0, 40, "noise"),
                     "loop": self.summary(400.0, 380.0, 450.0, 12, "timeout")}, "torch has no _grouped_mm",
                    ["wide", "loop"])
        self.assertEqual(mp.summary([up]), "moe_prefill summary: grouped/wide / loop/wide of measured times: up 512:"
                                           " - / 4.0000")
        self.assertEqual(mp.summary([]),
                         "moe_prefill summary: grouped/wide / loop/wide of measured times: no case ran")

    def test_each_case_starts_its_timings_one_later(self):
        names = ["wide", "grouped", "loop"]
        self.assertEqual([mp.rotated(names, first) for first in range(4)],
                         [names, ["grouped", "loop", "wide"], ["loop", "wide", "grouped"], names])
        self.assertEqual(mp.rotated(["wide", "loop"], 3), ["loop", "wide"])

    def test_a_timing_that_fails_is_written_as_failed_and_the_others_go_on(self):
        freed = []

        def time_one(name):
            if name == "grouped":
                raise RuntimeError("CUDA out of memory.\n Tried to allocate 2 GiB")
            return {"median_us": 1.0}

        summaries = mp.time_each(["wide", "grouped", "loop"], time_one, lambda: freed.append(True))
        failed = {"failed": "RuntimeError: CUDA out of memory. Tried to allocate 2 GiB"}
        self.assertEqual(summaries, {"wide": {"median_us": 1.0}, "loop": {"median_us": 1.0}, "grouped": failed})
        self.assertEqual(freed, [True])

    def test_a_lost_context_stops_every_timing_after_it(self):
        called, freed = [], []

        def time_one(name):
            called.append(name)
            raise RuntimeError("CUDA error: an illegal memory access was encountered\nCUDA kernel errors might be ...")

        with self.assertRaises(mp.ContextLost) as e:
            mp.time_each(["wide", "loop"], time_one, lambda: freed.append(True))
        self.assertEqual((called, freed), (["wide"], []))
        self.assertEqual(str(e.exception), "RuntimeError: CUDA error: an illegal memory access was encountered CUDA "
                                           "kernel errors might be ...")


class MainTest(unittest.TestCase):
    def run_script(self, *args):
        return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=60)

    def test_without_pytorch_it_says_skipped_and_exits_0(self):
        if mp.tc.load_torch()[0] is not None:
            self.skipTest("PyTorch with a GPU is here")
        with tempfile.TemporaryDirectory() as d:
            done = self.run_script("--shape", "7168:2048:256:8", "--out", d)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertTrue(done.stdout.startswith("moe_prefill: skipped: "))
            with open(os.path.join(d, "skipped.txt"), encoding="utf-8") as f:
                self.assertEqual(f.read(), done.stdout)

    def test_a_bad_input_is_one_line_and_exit_2(self):
        with tempfile.TemporaryDirectory() as d:
            done = self.run_script("--shape", "7168:2048:256:8", "--ep", "7", "--out", d)
            self.assertEqual((done.returncode, done.stderr), (2, "moe_prefill: --ep 7: must divide the 256 experts\n"))
            done = self.run_script("--shape", "7168:2048:256:8", "--tp", "3", "--out", d)
            self.assertEqual(done.stderr, "moe_prefill: --tp 3: must divide the experts' width 2048\n")
            self.assertFalse(os.path.exists(os.path.join(d, "moe.csv")))
            a_file = os.path.join(d, "a file")
            open(a_file, "w").close()
            done = self.run_script("--shape", "7168:2048:256:8", "--out", a_file)
            self.assertEqual((done.returncode, done.stderr),
                             (2, f"moe_prefill: {a_file}: --out must be a folder, and this is a file\n"))


if __name__ == "__main__":
    unittest.main()
