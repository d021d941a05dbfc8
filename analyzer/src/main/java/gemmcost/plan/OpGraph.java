package gemmcost.plan;

import gemmcost.dag.Dag;
import gemmcost.dag.DagBuilder;
import gemmcost.dag.Work;
import java.util.stream.IntStream;

/** A {@link DagBuilder} for generated plans, whose ids are unique by construction: each op is added with the ops it
 * waits for. */
final class OpGraph {
    private final DagBuilder builder = new DagBuilder(false);

    int op(String id, String name, int[] gpus, Work work, int... after) {
        int v = builder.addNode(id, name, gpus, work);
        for (int u : after)
            builder.addEdge(u, v);
        return v;
    }

    /** The id prefix of micro-batch {@code mb}. */
    static String microBatch(int mb) {
        return "mb" + mb;
    }

    /**
     * Turns the ops added so far, micro-batch 0 (every id starting with {@code mb0.}), into {@code microBatches}
     * micro-batches: the same ops on the same GPUs, ids starting {@code mb1.}, {@code mb2.}, …; no edges between
     * them, so they meet only on the GPUs' streams. Copying arrays instead of generating each micro-batch again is
     * what a plan search gains here.
     */
    void repeatMicroBatches(int microBatches) {
        String first = microBatch(0) + ".";
        builder.repeat(microBatches, (copy, id) -> {
            if (!id.startsWith(first))
                throw new IllegalStateException("op outside micro-batch 0: " + id);
            return microBatch(copy) + id.substring(first.length() - 1);
        });
    }

    Dag build(String source) {
        return builder.build(source);
    }

    static int[] gpus(int first, int count) {
        return IntStream.range(first, first + count).toArray();
    }

    static int[] union(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).distinct().sorted().toArray();
    }
}
