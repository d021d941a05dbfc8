package gemmcost.search;

import gemmcost.BadInputException;
import gemmcost.Limits;
import gemmcost.deploy.Parallelism;
import gemmcost.model.hf.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The aggregated serving plans of a HuggingFace model on N GPUs: {@code workers} identical engine instances, each
 * {@code pp} pipeline stages of {@code tp} GPUs, with, for a model with experts, every expert-parallel split
 * {@code ep} and every count of attention replicas {@code dp} that divide {@code tp} (a dense model's only replicas
 * are its workers). Whether a plan splits the model's heads and widths, and fits, is for its caller to check.
 */
public final class ServingPlans {
    private ServingPlans() {
    }

    /** {@code workers} engine instances laid out as {@code layout}. */
    public record Plan(int workers, Parallelism layout) {
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
        public boolean workersSpanNodesAlike(int gpusPerNode) {
            int g = layout.gpus();
            List<Long> first = spread(0, g, gpusPerNode);
            for (int w = 1; w < workers; w++)
                if (!spread(w * g, g, gpusPerNode).equals(first))
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

    static List<Integer> divisors(int n) {
        return IntStream.rangeClosed(1, n).filter(d -> n % d == 0).boxed().toList();
    }
}
