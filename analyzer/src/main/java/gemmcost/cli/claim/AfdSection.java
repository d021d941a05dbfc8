package gemmcost.cli.claim;

import gemmcost.BadInputException;
import gemmcost.claim.AfdSweep;
import gemmcost.cli.Options;
import gemmcost.comm.Network;
import gemmcost.cost.CostModels;
import gemmcost.dag.WorkKind;
import gemmcost.deploy.Afd;
import gemmcost.deploy.Parallelism;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.gettime.Label;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.HfConfigReader;
import gemmcost.serving.StepCost;
import java.io.PrintWriter;
import java.util.Locale;

/** {@code check-claim --afd-model}: the decode throughput of baseline engines against AFD over a concurrency sweep. */
final class AfdSection {
    /** Per node, and so per baseline engine: the HGX/DGX nodes the comm model's tiers describe. */
    private static final int GPUS_PER_ENGINE = 8;
    /** Step-3's setting (4K context): a request of 4,096 tokens in and 1,024 out, KV cache in fp8. */
    private static final int ISL = 4096;
    private static final int OSL = 1024;
    private static final Dtype KV = Dtype.FP8;

    private AfdSection() {
    }

    /** The section's inputs, checked before anything is printed. */
    record Prepared(CheckClaimCommand.AfdOptions options, Architecture model, Device device, Afd afd,
                    Parallelism engine, CostModels.Opened costs) {
    }

    /** Reads and checks the options: a one-line refusal (exit 2) for any that cannot be, before the claim's screen. */
    static Prepared prepare(CheckClaimCommand.AfdOptions o) {
        Architecture model = HfConfigReader.read(o.model, o.weights, "--afd-weights");
        Device device = DeviceCatalog.require(o.gpu);
        if (!Network.modelsLinksOf(device.id()))
            throw new BadInputException(Network.linksNotModeled("--afd-gpu", device.id())
                    + ", and both AFD and its baseline communicate");
        Options.requirePositive("--afd-micro-batches", o.microBatches);
        Afd afd;
        try {
            afd = new Afd(o.split.attention(), 1, o.split.ffn(), o.microBatches);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--afd-split " + o.split + ": " + e.getMessage());
        }
        int gpus = afd.gpus();
        if (gpus % GPUS_PER_ENGINE != 0)
            throw new BadInputException("--afd-split " + o.split + ": " + gpus + " GPUs are not whole "
                    + GPUS_PER_ENGINE + "-GPU nodes, which the baseline engines need");
        for (int c : o.concurrency)
            Options.requirePositive("--afd-concurrency", c);
        Parallelism engine = new Parallelism(GPUS_PER_ENGINE, 1, GPUS_PER_ENGINE, GPUS_PER_ENGINE);
        // a model neither plan can lay out (a dense one has no experts to separate) is no question for the sweep
        String misfit = afd.misfit(model);
        if (misfit == null)
            misfit = engine.misfit(model);
        if (misfit != null)
            throw new BadInputException("--afd-model " + o.model + ": " + misfit);
        return new Prepared(o, model, device, afd, engine, CostModels.forServing(device, model.weights().id(), null,
                o.gemmCsv));
    }

    static void print(PrintWriter out, Prepared prepared) {
        CheckClaimCommand.AfdOptions o = prepared.options();
        Architecture model = prepared.model();
        Device device = prepared.device();
        Afd afd = prepared.afd();
        Parallelism engine = prepared.engine();
        CostModels.Opened costs = prepared.costs();
        int gpus = afd.gpus();
        AfdSweep sweep = AfdSweep.run(model, device, costs.model(), engine, gpus / GPUS_PER_ENGINE, afd,
                o.concurrency, ISL, OSL, KV);
        out.printf(Locale.ROOT, "%nwhere attention-FFN disaggregation wins: %s (%s, %s weights) decoding on %d x %s,"
                        + " isl %d, osl %d, KV cache fp8%n", o.model, model.name(), model.weights().id(), gpus,
                device.id(), ISL, OSL);
        out.printf(Locale.ROOT, "baseline: %d engines of %s (one per node); %s, %s%n", gpus / GPUS_PER_ENGINE, engine,
                afd, afd.attentionGpus() % GPUS_PER_ENGINE == 0 ? "the attention and FFN GPUs on different nodes"
                        : "attention and FFN GPUs sharing a node");
        out.println("GEMMs: " + costs.model().getTime().source());
        out.println("TPOT = one decode step at the mean KV length (prefill elsewhere); tokens/s/GPU = concurrency /"
                + " TPOT / GPUs, MegaScale-Infer's per-GPU decoding throughput");
        String row = "  %11s %14s %16s %12s %14s %9s  %s%n";
        out.printf(Locale.ROOT, row, "concurrency", "base_TPOT_ms", "base_tok/s/GPU", "AFD_TPOT_ms", "AFD_tok/s/GPU",
                "AFD/base", "label");
        for (AfdSweep.Point p : sweep.points())
            out.printf(Locale.ROOT, row, p.concurrency(), tpot(p.baseline()), throughput(p.baseline()),
                    tpot(p.afd()), throughput(p.afd()), Double.isNaN(p.gain()) ? "-"
                            : String.format(Locale.ROOT, "%.2fx", p.gain()), Label.join(p.labels()));
        out.printf(Locale.ROOT, row, "", "", "", "", "", String.format(Locale.ROOT, "%.2fx",
                AfdSweep.MEGASCALE_INFER_CLAIMED_GAIN), "claimed: MegaScale-Infer (arXiv 2504.02263), up to, per-GPU"
                + " decoding throughput against the state of the art, MoE models of 132B-317B, own M2N library");
        for (AfdSweep.Point p : sweep.points())
            for (AfdSweep.Result r : new AfdSweep.Result[] {p.baseline(), p.afd()})
                if (!r.fits())
                    out.printf(Locale.ROOT, "  -: at concurrency %d, %s%n", p.concurrency(), r.misfit());
        out.println(verdict(sweep) + " [" + Label.join(sweep.labels()) + "]");
    }

    private static String tpot(AfdSweep.Result r) {
        return r.fits() ? String.format(Locale.ROOT, "%.2f", r.tpotMs()) : "-";
    }

    private static String throughput(AfdSweep.Result r) {
        return r.fits() ? String.format(Locale.ROOT, "%.1f", r.tokensPerSecPerGpu()) : "-";
    }

    /** One line: from which concurrency AFD wins under this model, and what sets the two steps there. */
    static String verdict(AfdSweep sweep) {
        AfdSweep.Point win = sweep.firstWin();
        AfdSweep.Point shown = win != null ? win : best(sweep);
        if (shown == null)
            return "AFD: no concurrency of the sweep where both plans fit";
        String why = String.format(Locale.ROOT, "at %d, AFD's step is %s; the baseline's %s",
                shown.concurrency(), anatomy(shown.afd().step(), sweep.afd().attentionGpus()),
                anatomy(shown.baseline().step(), -1));
        String verdict = win != null
                ? String.format(Locale.ROOT, "AFD wins from concurrency %d on (%.2fx tokens/s/GPU): %s.",
                win.concurrency(), win.gain(), why)
                : String.format(Locale.ROOT, "AFD does not win where both fit (best %.2fx, at %d): %s.", shown.gain(),
                shown.concurrency(), why);
        for (AfdSweep.Point p : sweep.points())
            if (p.afd().fits() && !p.baseline().fits())
                return verdict + String.format(Locale.ROOT, " Only AFD fits from concurrency %d (its attention GPUs"
                        + " hold no routed experts, so more KV cache): %.1f tokens/s/GPU against the baseline's best"
                        + " %.1f.", p.concurrency(), p.afd().tokensPerSecPerGpu(), bestBaseline(sweep));
        return verdict;
    }

    private static double bestBaseline(AfdSweep sweep) {
        double best = 0;
        for (AfdSweep.Point p : sweep.points())
            if (p.baseline().fits())
                best = Math.max(best, p.baseline().tokensPerSecPerGpu());
        return best;
    }

    private static AfdSweep.Point best(AfdSweep sweep) {
        AfdSweep.Point best = null;
        for (AfdSweep.Point p : sweep.points())
            if (!Double.isNaN(p.gain()) && (best == null || p.gain() > best.gain()))
                best = p;
        return best;
    }

    /**
     * {@code 41.20 ms, set by an FFN GPU's compute, with 29 % of a micro-batch's path in communication and 50 % in
     * GEMMs}; GPUs below {@code attentionGpus} are AFD's attention GPUs (-1: not an AFD step).
     */
    private static String anatomy(StepCost s, int attentionGpus) {
        double comm = s.criticalPathByKind().get(WorkKind.COMMUNICATION);
        double gemm = s.criticalPathByKind().get(WorkKind.GEMM);
        String gpu = attentionGpus < 0 ? "a GPU's" : s.busiestGpu() < attentionGpus ? "an attention GPU's"
                : "an FFN GPU's";
        return String.format(Locale.ROOT, "%.2f ms, set by %s, with %.0f %% of a micro-batch's path in communication"
                        + " and %.0f %% in GEMMs", s.stepUs() / 1e3,
                s.criticalPathUs() >= s.busiestGpuUs() ? "one micro-batch's critical path" : gpu + " compute",
                100 * comm / s.criticalPathUs(), 100 * gemm / s.criticalPathUs());
    }
}
