#!/usr/bin/env python3
"""One MoE layer's expert GEMMs in a prefill, timed three ways on one GPU, to settle how gemmcost should cost them.

gemmcost costs a GPU's routed experts in a step as one GEMM of the active experts' weights side by side: m = the
routed rows / the active experts, n = the active experts x each one's width. Engines run a grouped kernel instead,
each expert over its own rows. Which is the closer model decides the MoE prefill that issue 18's TTFT misses (the
measured TTFT of MoE models at concurrency <= 4 is 2.0-2.8 x the modeled prefill step). For every token count this
script times, on one GPU, the layer's gate-and-up GEMM (k = hidden, n = 2 x width per expert) and its down GEMM
(k = width, n = hidden per expert):

    wide     one torch.matmul of [m x k] . [k x active n]            (what gemmcost costs)
    grouped  torch._grouped_mm over each active expert's own rows     (one CUTLASS grouped kernel, as engines run)
    loop     one torch.matmul per active expert, back to back         (an engine without a grouped kernel; where an
                                                                      expert's GEMM is shorter than PyTorch's dispatch,
                                                                      this is the host's pace, as such an engine's)

Routing: each of the T prompt tokens picks top-k distinct experts of E uniformly at random (seeded); the GPU holds
experts 0 .. E/ep - 1, each split over --tp GPUs (its width / tp). The grouped result is checked against the loop's
(max |diff| / max |loop|; above 2 % the grouped time is reported as wrong, not as a measurement).

Method (as scripts/torch_compare.py, gemmcost's bench): --device-warmup-s of 8192^3 matmuls before the first case, so
that the clocks have settled; operands once per case on the device; an L2 flush before every timed launch, outside
the events; nvbench's stdrel stopping rule; the median of the samples, with p10, p90, their count and why sampling
stopped. A case times its three in turn, each case starting one later (`order`), so that none is always first. Every
time in moe.csv is `measured` (this run, this GPU); the ratios are of two measured times; a timing that fails (out of
memory) is written as failed, and the other timings and cases go on; a lost CUDA context (an illegal address, a launch
failure) stops the run with exit 3, the cases done kept in moe.csv. Outputs in --out DIR: moe.csv (one
row per token count and GEMM, written as each finishes) and moe-meta.json. Without PyTorch or a usable GPU it prints
`moe_prefill: skipped: <why>` and exits 0; a malformed input exits 2 with one line `moe_prefill: <what>: <why>`.
Never touches clocks or power limits.
"""
import argparse
import json
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_compare as tc  # noqa: E402  (the same method, one definition)

PROG = "moe_prefill"
TIMINGS = ("wide", "grouped", "loop")
HEADER = (["gemm", "tokens", "top_k", "experts", "local_experts", "active_experts", "rows", "max_rows", "m_wide", "k",
           "n_per_expert", "n_wide", "wide_us", "grouped_us", "loop_us", "grouped_over_wide", "loop_over_wide",
           "grouped_check", "order"]
          + [f"{name}_{field}" for name in TIMINGS for field in ("p10_us", "p90_us", "samples", "stop")]
          + ["label"])
CHECK_MAX_REL = 0.02
EXPERT_KEYS = ("n_routed_experts", "num_experts", "num_local_experts")
WIDTH_KEYS = ("moe_intermediate_size", "intermediate_size")


class InputError(Exception):
    """A malformed input: `moe_prefill: <what>: <why>`, exit 2."""


class ContextLost(Exception):
    """The CUDA context is lost: every later launch in this process fails too; a fresh process is needed, exit 3."""


def read_moe(path):
    """(hidden, expert width, experts, top_k) of a HuggingFace config (its text_config where it has one)."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot read: {tc._one_line(e)}") from None
    if isinstance(doc, dict) and isinstance(doc.get("text_config"), dict):
        doc = doc["text_config"]

    def first(keys):
        for key in keys:
            value = doc.get(key) if isinstance(doc, dict) else None
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
        raise InputError(f"{path}: no positive integer {' or '.join(keys)}: not an MoE config")

    hidden, width, experts, top_k = (first(("hidden_size",)), first(WIDTH_KEYS), first(EXPERT_KEYS),
                                     first(("num_experts_per_tok",)))
    if top_k > experts:
        raise InputError(f"{path}: num_experts_per_tok {top_k} is more than the {experts} experts")
    return hidden, width, experts, top_k


def parse_shape(text):
    """HIDDEN:WIDTH:EXPERTS:TOP_K, e.g. 7168:2048:256:8 (DeepSeek-R1's config)."""
    parts = text.split(":")
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or min(values) <= 0:
        raise InputError(f"--shape {text}: expected HIDDEN:WIDTH:EXPERTS:TOP_K, four integers > 0")
    if values[3] > values[2]:
        raise InputError(f"--shape {text}: top-k {values[3]} is more than the {values[2]} experts")
    return tuple(values)


def parse_tokens(text):
    try:
        tokens = [int(t) for t in text.split(",")]
    except ValueError:
        tokens = []
    if not tokens or min(tokens) <= 0:
        raise InputError(f"--tokens {text}: expected a comma-separated list of integers > 0")
    return tokens


def route(tokens, top_k, experts, local, seed):
    """Rows each of the GPU's `local` experts (0 .. local - 1) receives when every token picks top_k distinct experts
    of `experts` uniformly: a list of `local` counts."""
    rng = random.Random(seed)
    counts = [0] * local
    for _ in range(tokens):
        for expert in rng.sample(range(experts), top_k):
            if expert < local:
                counts[expert] += 1
    return counts


def cases(counts, hidden, width):
    """The layer's two GEMMs over the active experts' counts: (gemm, k, n per expert, active counts, m_wide),
    m_wide = ceil(rows / active) as gemmcost rounds a GEMM's m."""
    active = [c for c in counts if c > 0]
    if not active:
        return []
    m_wide = max(1, math.ceil(sum(active) / len(active)))
    return [("up", hidden, 2 * width, active, m_wide), ("down", width, hidden, active, m_wide)]


def row(gemm, tokens, top_k, experts, local, k, n, active, m_wide, summaries, check, order):
    """One moe.csv row. summaries: {timing: time_shape's summary, or {"failed": why}}; a timing absent was not run
    (no _grouped_mm, or a grouped result that failed its check)."""
    medians = {name: summaries.get(name, {}).get("median_us") for name in TIMINGS}
    wide = medians["wide"]

    def ratio(x):
        return f"{x / wide:.4f}" if x is not None and wide else ""

    def spread(name):
        s = summaries.get(name)
        if s is None:
            return ["", "", "", ""]
        if "failed" in s:
            return ["", "", 0, "failed: " + s["failed"]]
        return [tc._us(s["p10_us"]), tc._us(s["p90_us"]), s["samples"], s["stop"]]

    return ([gemm, tokens, top_k, experts, local, len(active), sum(active), max(active), m_wide, k, n,
             n * len(active)] + [tc._us(medians[name]) if medians[name] else "" for name in TIMINGS]
            + [ratio(medians["grouped"]), ratio(medians["loop"]), check, " ".join(order)]
            + [cell for name in TIMINGS for cell in spread(name)] + ["measured"])


def summary(rows):
    """One line: grouped / wide (and loop / wide) per GEMM and token count, as measured; '-' where one is missing."""
    at = {name: HEADER.index(name) for name in ("gemm", "tokens", "grouped_over_wide", "loop_over_wide")}
    parts = [f"{r[at['gemm']]} {r[at['tokens']]}: {r[at['grouped_over_wide']] or '-'} / "
             f"{r[at['loop_over_wide']] or '-'}" for r in rows]
    return ("moe_prefill summary: grouped/wide / loop/wide of measured times: "
            + ("; ".join(parts) if parts else "no case ran"))


def rotated(names, first):
    """names from names[first % len(names)] on, going round: each case starts its timings one later."""
    start = first % len(names) if names else 0
    return names[start:] + names[:start]


def time_each(order, time_one, forget):
    """{name: time_one(name)} in order; where one raises RuntimeError (out of memory among them) it is
    {"failed": why}, forget() frees what it can, and the others go on, unless the error says the CUDA context is
    lost: then ContextLost, as every later launch would fail too."""
    summaries = {}
    for name in order:
        try:
            summaries[name] = time_one(name)
        except RuntimeError as e:
            why = tc._one_line(f"{type(e).__name__}: {e}")
            if tc.says_context_lost(why):
                raise ContextLost(why) from None
            forget()
            summaries[name] = {"failed": why}
    return summaries


# ---------------------------------------------------------------------------------------------------------------
# PyTorch side (imported lazily: everything above runs without torch)

class MoeBench:
    """Flush buffer, side stream and events (torch_compare's), and one case's operands at a time."""

    def __init__(self, torch, device_index):
        self.base = tc.TorchBench(torch, device_index, "bf16")
        self.torch = torch

    def timed_us(self, work):
        """Flush (before the start event, same stream), start, work(), stop, wait: elapsed GPU microseconds."""
        b, torch = self.base, self.torch
        with torch.cuda.stream(b.stream):
            b.flush_value ^= tc.FLUSH_XOR
            b.flush.fill_(b.flush_value)
            b.start.record(b.stream)
            work()
            b.stop.record(b.stream)
        b.stop.synchronize()
        return b.start.elapsed_time(b.stop) * 1000.0

    def measure(self, k, n, active, m_wide, rule, warmup_s, clock, first=0):
        """({timing: time_shape's summary or {"failed": why}}, the check's text, the order timed). Grouped is left
        out where torch has no _grouped_mm or its result fails the check; the timings start at TIMINGS[first] and go
        round, so that no timing always comes first while the clocks settle."""
        torch, dev = self.torch, self.base.dev
        bf16 = torch.bfloat16
        rows, g = sum(active), len(active)
        gen = torch.Generator(device=dev)
        gen.manual_seed(tc.SEED_A)
        with torch.cuda.stream(self.base.stream):
            a_wide = torch.randn(m_wide, k, generator=gen, device=dev, dtype=bf16)
            b_wide = torch.randn(k, n * g, generator=gen, device=dev, dtype=bf16)
            c_wide = torch.empty(m_wide, n * g, device=dev, dtype=bf16)
            x = torch.randn(rows, k, generator=gen, device=dev, dtype=bf16)
            w = torch.randn(g, n, k, generator=gen, device=dev, dtype=bf16).transpose(-2, -1)  # [g, k, n], n-major
            y = torch.empty(rows, n, device=dev, dtype=bf16)
            ends = torch.tensor([sum(active[:i + 1]) for i in range(g)], device=dev, dtype=torch.int32)
        self.base.stream.synchronize()
        starts = [0] + [sum(active[:i + 1]) for i in range(g - 1)]

        def loop():
            for i in range(g):
                torch.matmul(x[starts[i]:starts[i] + active[i]], w[i], out=y[starts[i]:starts[i] + active[i]])

        launches = {"wide": lambda: torch.matmul(a_wide, b_wide, out=c_wide), "loop": loop}
        grouped_mm = getattr(torch, "_grouped_mm", None)
        check = self.check_grouped(grouped_mm, x, w, ends, y, loop)
        if check.startswith("ok"):
            launches["grouped"] = lambda: grouped_mm(x, w, offs=ends)
        order = rotated([name for name in TIMINGS if name in launches], first)
        summaries = time_each(order, lambda name: tc.time_shape(lambda: self.timed_us(launches[name]), clock, rule,
                                                                warmup_s), torch.cuda.empty_cache)
        return summaries, check, order

    def check_grouped(self, grouped_mm, x, w, ends, y, loop):
        """The grouped result against the loop's: "ok: …" only when it may be timed."""
        torch = self.torch
        if grouped_mm is None:
            return "torch has no _grouped_mm"
        try:
            with torch.cuda.stream(self.base.stream):
                grouped = grouped_mm(x, w, offs=ends)
                loop()
            self.base.stream.synchronize()
            scale = float(y.abs().max())
            diff = float((grouped.float() - y.float()).abs().max()) / scale if scale > 0 else 0.0
        except Exception as e:  # an unsupported layout or device: reported, not measured
            why = tc._one_line(f"{type(e).__name__}: {e}")
            if tc.says_context_lost(why):
                raise ContextLost(why) from None
            return "grouped failed: " + why
        if diff > CHECK_MAX_REL:
            return f"grouped wrong: max |diff| {diff:.3g} of max |loop|"
        return f"ok: max |diff| {diff:.3g} of max |loop|"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="moe_prefill.py", description=__doc__.split("\n\n")[0])
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", metavar="CONFIG.json", help="a HuggingFace config of an MoE model")
    source.add_argument("--shape", metavar="H:W:E:K", help="hidden, expert width, experts, top-k")
    p.add_argument("--tokens", default="512,2048,8192,16384", help="prompt tokens of the step (default: %(default)s)")
    p.add_argument("--ep", type=int, default=8, help="expert-parallel GPUs: E/ep experts here (default: %(default)s)")
    p.add_argument("--tp", type=int, default=1, help="GPUs each expert is split over (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1, help="routing seed (default: %(default)s)")
    p.add_argument("--out", required=True, metavar="DIR", help="moe.csv and moe-meta.json go here")
    p.add_argument("--device", type=int, default=0, help="CUDA device ordinal (default: %(default)s)")
    p.add_argument("--budget-s", type=float, default=180.0, help="cases not started by then are left out "
                                                                 "(default: %(default)s)")
    p.add_argument("--warmup-ms", type=float, default=100.0, help="untimed launches before each timing "
                                                                  "(default: %(default)s)")
    p.add_argument("--device-warmup-s", type=float, default=5.0,
                   help="8192^3 matmuls before the first case, so that the clocks have settled (default: "
                        "%(default)s)")
    p.add_argument("--timeout-s", type=float, default=1.0, help="wall time per timing (default: %(default)s)")
    return p.parse_args(argv)


def fail(what):
    print(f"{PROG}: {what}", file=sys.stderr)
    return 2


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.perf_counter()
    try:
        hidden, width, experts, top_k = read_moe(args.config) if args.config else parse_shape(args.shape)
        tokens = parse_tokens(args.tokens)
        if args.ep < 1 or experts % args.ep:
            raise InputError(f"--ep {args.ep}: must divide the {experts} experts")
        if args.tp < 1 or width % args.tp:
            raise InputError(f"--tp {args.tp}: must divide the experts' width {width}")
        if not args.timeout_s > 0:
            raise InputError(f"--timeout-s {args.timeout_s}: must be > 0")
        tc.require_out_dir(args.out)
    except (InputError, tc.InputError) as e:
        return fail(e)
    rule = tc.StoppingRule(10, 0.005e6, 0.005, args.timeout_s * 1e6)
    torch, why = tc.load_torch()
    if torch is None:
        return tc.skip(args.out, why, PROG)
    count = torch.cuda.device_count()
    if not 0 <= args.device < count:
        return fail(f"--device {args.device}: this process sees {count} CUDA device(s)")
    os.makedirs(args.out, exist_ok=True)
    bench = MoeBench(torch, args.device)
    local, w = experts // args.ep, width // args.tp
    meta_path = os.path.join(args.out, "moe-meta.json")
    meta = {
        "tool": "scripts/moe_prefill.py", "argv": sys.argv if argv is None else argv, "started_utc": tc.utc_now(),
        "label": "measured: every time in moe.csv was measured by this run on this device",
        "torch_version": torch.__version__, "device": bench.base.device_info(), "dtype": "bf16",
        "moe": {"hidden": hidden, "expert_width": width, "experts": experts, "top_k": top_k, "ep": args.ep,
                "tp": args.tp, "seed": args.seed},
        "method": {"flush": "fill_ of max(2 x L2, 256 MiB) before every timed launch, outside the events",
                   "stopping_rule": rule.describe(), "statistic": "median (p10/p90)", "check_max_rel": CHECK_MAX_REL,
                   "order": "the three timings of a case in turn, each case starting one later (column order)",
                   "loop": "one eager torch.matmul per active expert between the events: where an expert's GEMM is "
                           "shorter than PyTorch's dispatch of it, loop_us is the host's pace, as an engine without "
                           "a grouped kernel would meet it"}}
    tc.write_json_atomic(meta_path, meta)
    try:
        meta["device_warmup"] = bench.base.warm_device(args.device_warmup_s, time.perf_counter)
    except RuntimeError as e:
        torch.cuda.empty_cache()
        meta["device_warmup"] = {"failed": tc._one_line(f"{type(e).__name__}: {e}")}
    tc.write_json_atomic(meta_path, meta)
    rows = []
    planned = failed = 0
    for t in tokens:
        for gemm, k, n, active, m_wide in cases(route(t, top_k, experts, local, args.seed), hidden, w):
            planned += 1
            if time.perf_counter() - t0 > args.budget_s:
                continue
            try:
                summaries, check, order = bench.measure(k, n, active, m_wide, rule, args.warmup_ms / 1e3,
                                                        time.perf_counter, first=len(rows))
            except (ContextLost, RuntimeError) as e:  # operands that do not fit fail this case, the others go on
                why = str(e) if isinstance(e, ContextLost) else tc._one_line(f"{type(e).__name__}: {e}")
                if isinstance(e, ContextLost) or tc.says_context_lost(why):
                    # recorded, so that first-contact.sh does not lose the context at the same case on every call
                    meta.update(finished_utc=tc.utc_now(), lost_context={"gemm": gemm, "tokens": t, "error": why},
                                cases={"planned": planned, "ran": len(rows), "failed": failed}, complete=False)
                    tc.write_json_atomic(meta_path, meta)
                    print(f"{PROG}: the CUDA context is lost ({why}) at the {gemm} GEMM of {t} tokens; the "
                          f"{len(rows)} case(s) done are in moe.csv", file=sys.stderr)
                    return 3
                torch.cuda.empty_cache()
                summaries, check, order = {}, "failed: " + why, []
            failed += check.startswith("failed:") or any("failed" in s for s in summaries.values())
            rows.append(row(gemm, t, top_k, experts, local, k, n, active, m_wide, summaries, check, order))
            tc.write_csv_atomic(os.path.join(args.out, "moe.csv"), HEADER, rows)
            print(",".join(str(c) for c in rows[-1]), flush=True)
    # complete: every case ran (a failed timing is a result too); first-contact.sh then keeps moe.csv on a second call
    meta.update(finished_utc=tc.utc_now(), cases={"planned": planned, "ran": len(rows), "failed": failed},
                complete=len(rows) == planned)
    tc.write_json_atomic(meta_path, meta)
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
