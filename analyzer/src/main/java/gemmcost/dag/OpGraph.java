package gemmcost.dag;

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
