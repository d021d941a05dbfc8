package gemmcost.claim;

import gemmcost.cost.CostModel;
import gemmcost.deploy.Afd;
import gemmcost.deploy.Fit;
import gemmcost.deploy.Layout;
import gemmcost.deploy.MemoryFootprint;
import gemmcost.deploy.Parallelism;
import gemmcost.device.Device;
import gemmcost.device.Dtype;
import gemmcost.gettime.Label;
import gemmcost.model.Phase;
import gemmcost.model.hf.Architecture;
import gemmcost.plan.Step;
import gemmcost.serving.Request;
import gemmcost.serving.StepCost;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where attention–FFN disaggregation wins for a real MoE model, in decode: the same GPUs as two or more
 * expert-parallel engines with attention DP (one per node), or as one AFD engine of attention GPUs and FFN GPUs
 * with ping-pong micro-batches, over a sweep of concurrency. As MegaScale-Infer reports it: decoding throughput per
 * GPU (concurrency / TPOT / GPUs), with TPOT one decode step at the mean KV length; prefill runs elsewhere.
 */
public record AfdSweep(Afd afd, List<Point> points) {
    /** MegaScale-Infer (arXiv 2504.02263, abstract): up to 1.90× per-GPU decoding throughput. */
    public static final double MEGASCALE_INFER_CLAIMED_GAIN = 1.90;

    public AfdSweep {
        points = List.copyOf(points);
    }

    /** One plan at one concurrency: its decode step, or why it does not fit. */
    public record Result(StepCost step, int concurrency, int gpus, String misfit) {
        public Result {
            if ((step == null) == (misfit == null))
                throw new IllegalArgumentException("a result has a step or a misfit, not both or neither");
        }

        public double tpotMs() {
            return step.stepUs() / 1e3;
        }

        public double tokensPerSecPerGpu() {
            return concurrency / (step.stepUs() / 1e6) / gpus;
        }

        public boolean fits() {
            return misfit == null;
        }
    }

    /** Both plans at one concurrency. */
    public record Point(int concurrency, Result baseline, Result afd) {
        /** AFD's tokens/s/GPU over the baseline's; NaN when either does not fit. */
        public double gain() {
            return baseline.fits() && afd.fits() ? afd.tokensPerSecPerGpu() / baseline.tokensPerSecPerGpu()
                    : Double.NaN;
        }

        public Set<Label> labels() {
            Set<Label> labels = EnumSet.noneOf(Label.class);
            for (Result r : List.of(baseline, afd))
                if (r.fits())
                    labels.addAll(r.step().labels());
            return labels;
        }
    }

    /**
     * Decode steps of {@code model} on {@code device}: {@code engines} baseline engines of {@code baseline} against
     * {@code afd} (the same GPUs in all), at each concurrency, requests of {@code isl} tokens in and {@code osl}
     * out: a step reads the mean KV cache, isl + osl/2, and the memory must hold isl + osl per sequence
     * (in {@code kv}).
     */
    public static AfdSweep run(Architecture model, Device device, CostModel cost, Parallelism baseline, int engines,
                               Afd afd, List<Integer> concurrencies, int isl, int osl, Dtype kv) {
        if (baseline.gpus() * engines != afd.gpus())
            throw new IllegalArgumentException("the plans must use the same GPUs: " + engines + " x "
                    + baseline.gpus() + " against " + afd.gpus());
        List<Point> points = new ArrayList<>();
        for (int c : concurrencies) {
            Request request = new Request(c, isl, osl);
            Result base = result(model, device, cost, baseline, Math.ceilDiv(c, engines), request, kv, afd.gpus());
            Result split = result(model, device, cost, afd, c, request, kv, afd.gpus());
            points.add(new Point(c, base, split));
        }
        return new AfdSweep(afd, points);
    }

    private static Result result(Architecture model, Device device, CostModel cost, Layout layout, int sequences,
                                 Request request, Dtype kv, int gpus) {
        String misfit = layout.misfit(model);
        if (misfit == null) {
            Optional<MemoryFootprint> f = Fit.footprint(model, layout, sequences,
                    (long) request.isl() + request.osl(), kv);
            if (f.isEmpty())
                misfit = "does not fit: a KV cache beyond 2^63 bytes";
            else if (!f.get().fits(device))
                misfit = "does not fit: " + f.get().describe() + " (modeled)";
        }
        if (misfit != null)
            return new Result(null, request.concurrency(), gpus, misfit);
        Step step = new Step(Phase.DECODE, sequences, request.meanKvTokens(), kv.elementBytes(), 0, request.isl());
        return new Result(StepCost.of(layout.toString(), model, layout, step, cost), request.concurrency(), gpus, null);
    }

    /** The labels of every point's numbers. */
    public Set<Label> labels() {
        Set<Label> labels = EnumSet.noneOf(Label.class);
        points.forEach(p -> labels.addAll(p.labels()));
        return labels;
    }

    /** The first concurrency from which AFD's tokens/s/GPU stay above the baseline's (or only AFD fits), or null. */
    public Point firstWin() {
        Point win = null;
        for (Point p : points.reversed()) {
            boolean wins = p.gain() > 1 || Double.isNaN(p.gain()) && p.afd().fits();
            if (!wins)
                break;
            if (p.gain() > 1)
                win = p;
        }
        return win;
    }
}
