package gemmcost.search;

import gemmcost.BadInputException;
import gemmcost.Limits;
import gemmcost.deploy.Parallelism;
import gemmcost.model.hf.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The serving plans of a HuggingFace model on N GPUs. Aggregated: {@code workers} identical engine instances, each
 * {@code pp} pipeline stages of {@code tp} GPUs, with, for a model with experts, every expert-parallel split
 * {@code ep} and every count of attention replicas {@code dp} that divide {@code tp} (a dense model's only replicas
 * are its workers). Disaggregated: every split of the GPUs between prefill and decode workers, each side any
 * aggregated plan of its GPUs. Whether a plan splits the model's heads and widths, and fits, is for its caller to
 * check.
 */
public final class ServingPlans {
    private ServingPlans() {
    }

    /** A plan {@code predict --gpus} ranks: aggregated ({@link Plan}) or disaggregated ({@link Split}). */
    public sealed interface Choice permits Plan, Split {
        int gpus();

        /** Whether every worker spans nodes of {@code gpusPerNode} as the one it is costed as (on GPU 0 on). */
        boolean workersSpanNodesAlike(int gpusPerNode);
    }

    /** {@code workers} engine instances laid out as {@code layout}. */
    public record Plan(int workers, Parallelism layout) implements Choice {
        public Plan {
            if (workers < 1)
                throw new IllegalArgumentException("must be >= 1: workers=" + workers);
            if (layout == null)
                throw new IllegalArgumentException("layout: null");
        }

        public int gpus() {
            return workers * layout.gpus();
        }

        /**
         * Whether the workers, back to back from GPU 0 on nodes of {@code gpusPerNode}, each span nodes as the first
         * does (as many GPUs on each node it touches, in either order): a worker is costed on GPUs 0 … tp·pp − 1.
         */
        @Override
        public boolean workersSpanNodesAlike(int gpusPerNode) {
            return workersSpanNodesAlike(0, gpusPerNode);
        }

        /** {@link #workersSpanNodesAlike(int)} for workers back to back from GPU {@code firstGpu}. */
        boolean workersSpanNodesAlike(int firstGpu, int gpusPerNode) {
            int g = layout.gpus();
            List<Long> costedOn = spread(0, g, gpusPerNode);
            for (int w = 0; w < workers; w++)
                if (!spread(firstGpu + w * g, g, gpusPerNode).equals(costedOn))
                    return false;
            return true;
        }

        /** The GPU counts per node of GPUs [start, start + count), smallest first. */
        private static List<Long> spread(int start, int count, int gpusPerNode) {
            return IntStream.range(start, start + count).boxed()
                    .collect(Collectors.groupingBy(gpu -> gpu / gpusPerNode, Collectors.counting()))
                    .values().stream().sorted().toList();
        }

        /** {@code tp=8, pp=1, ep=8, dp=8}, or {@code 2 x (tp=4, pp=1, ep=1, dp=1)} for several workers. */
        @Override
        public String toString() {
            return workers == 1 ? layout.toString() : workers + " x (" + layout + ")";
        }
    }

    /**
     * Disaggregated: {@code prefill}'s workers and {@code decode}'s on GPUs of their own, one side's back to back
     * after the other's.
     */
    public record Split(Plan prefill, Plan decode) implements Choice {
        public Split {
            if (prefill == null || decode == null)
                throw new IllegalArgumentException("prefill and decode plans: " + prefill + ", " + decode);
        }

        @Override
        public int gpus() {
            return prefill.gpus() + decode.gpus();
        }

        /** Whether the prefill workers first, or else the decode workers first, place every worker alike. */
        @Override
        public boolean workersSpanNodesAlike(int gpusPerNode) {
            return prefillFirst(gpusPerNode) || decode.workersSpanNodesAlike(0, gpusPerNode)
                    && prefill.workersSpanNodesAlike(decode.gpus(), gpusPerNode);
        }

        /** Whether the prefill workers on the first GPUs place every worker alike (then they go first). */
        public boolean prefillFirst(int gpusPerNode) {
            return prefill.workersSpanNodesAlike(0, gpusPerNode)
                    && decode.workersSpanNodesAlike(prefill.gpus(), gpusPerNode);
        }

        /** {@code prefill 2 x (tp=4, pp=1, ep=1, dp=1) + decode tp=8, pp=1, ep=1, dp=1}. */
        @Override
        public String toString() {
            return "prefill " + prefill + " + decode " + decode;
        }
    }

    /** Every plan that uses all {@code gpus}: fewer workers first, then fewer stages, then fewer expert groups. */
    public static List<Plan> enumerate(Architecture model, int gpus) {
        if (gpus < 1 || gpus > Limits.MAX_GPUS)
            throw new BadInputException("--gpus " + gpus + ": must be 1 to " + Limits.MAX_GPUS);
        boolean experts = model.experts() != null;
        List<Plan> plans = new ArrayList<>();
        for (int workers : divisors(gpus))
            for (int pp : divisors(gpus / workers)) {
                int tp = gpus / workers / pp;
                for (int ep : experts ? divisors(tp) : List.of(1))
                    for (int dp : experts ? divisors(tp) : List.of(1))
                        plans.add(new Plan(workers, new Parallelism(tp, pp, ep, dp)));
            }
        return plans;
    }

    /**
     * Every disaggregated plan that uses all {@code gpus}: fewer prefill GPUs first, each side's plans in
     * {@link #enumerate}'s order; refused, before any is made, where there would be more than {@code most}.
     */
    public static List<Split> enumerateSplits(Architecture model, int gpus, int most) {
        requireSplits(model, gpus, most);
        List<Split> splits = new ArrayList<>();
        for (int p = 1; p < gpus; p++) {
            List<Plan> decode = enumerate(model, gpus - p);
            for (Plan prefill : enumerate(model, p))
                for (Plan d : decode)
                    splits.add(new Split(prefill, d));
        }
        return splits;
    }

    /** Refuses {@code gpus} that cannot be split, or whose splits are more than {@code most} (counted, not made). */
    static void requireSplits(Architecture model, int gpus, int most) {
        if (gpus < 2 || gpus > Limits.MAX_GPUS)
            throw new BadInputException("--gpus " + gpus + ": must be 2 to " + Limits.MAX_GPUS + " for disaggregated"
                    + " plans (prefill and decode workers on GPUs of their own)");
        boolean experts = model.experts() != null;
        long count = 0;
        for (int p = 1; p < gpus && count <= most; p++)
            count += count(p, experts) * count(gpus - p, experts);
        if (count > most)
            throw new BadInputException(String.format(Locale.ROOT, "--gpus %d: more than %d disaggregated plans,"
                    + " the most ranked in one run; rank fewer GPUs (the plans of one node's GPUs are usually the"
                    + " question)", gpus, most));
    }

    /** {@code enumerate(model, gpus).size()} without making them: workers × stages × (ep × dp with experts). */
    static long count(int gpus, boolean experts) {
        long count = 0;
        for (int workers : divisors(gpus))
            for (int pp : divisors(gpus / workers)) {
                long splits = experts ? divisors(gpus / workers / pp).size() : 1;
                count += splits * splits;
            }
        return count;
    }

    /** The divisors of {@code n}, smallest first, found up to √n: {@link #requireSplits} counts many numbers'. */
    static List<Integer> divisors(int n) {
        List<Integer> small = new ArrayList<>();
        List<Integer> large = new ArrayList<>();
        for (int d = 1; (long) d * d <= n; d++)
            if (n % d == 0) {
                small.add(d);
                if (d != n / d)
                    large.addFirst(n / d);
            }
        small.addAll(large);
        return small;
    }
}
