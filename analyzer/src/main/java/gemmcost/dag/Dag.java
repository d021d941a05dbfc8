package gemmcost.dag;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * An immutable operator DAG in compressed-sparse-row form. Node {@code v} (0 ≤ v < {@link #size()}) has an id, a
 * display name, the GPUs it occupies, its {@link Work} and its successors; {@link #topologicalOrder()} is found
 * once when the DAG is built (the nodes' own order where every edge goes forward), which is also where cycles are
 * refused.
 */
public final class Dag {
    private final int size;
    private final IntFunction<String> ids;
    private final String[] names;
    private final Work[] work;
    private final int[] gpuStart;
    private final int[] gpuList;
    private final int[] succStart;
    private final int[] succList;
    private final int[] predCount;
    /** Null when the nodes' own order is topological. */
    private final int[] topo;
    private final int gpuCount;
    /** Per node, whether it runs on a communication stream: read once per node by every schedule. */
    private final boolean[] communication;

    /** The node arrays may be longer than {@code size} (a builder's, handed over uncopied); the rest is unused. */
    Dag(int size, IntFunction<String> ids, String[] names, Work[] work, int[] gpuStart, int[] gpuList, int[] succStart,
        int[] succList, int[] predCount, int[] topo) {
        this.size = size;
        this.ids = ids;
        this.names = names;
        this.work = work;
        this.gpuStart = gpuStart;
        this.gpuList = gpuList;
        this.succStart = succStart;
        this.succList = succList;
        this.predCount = predCount;
        this.topo = topo;
        int largest = -1;
        for (int i = 0; i < gpuStart[size]; i++)
            largest = Math.max(largest, gpuList[i]);
        this.gpuCount = largest + 1;
        this.communication = new boolean[size];
        for (int v = 0; v < size; v++)
            communication[v] = work[v] instanceof Work.Comm;
    }

    public int size() {
        return size;
    }

    public int edgeCount() {
        return succList.length;
    }

    /** GPUs are numbered 0 … gpuCount−1; the count is one more than the largest GPU any node names. */
    public int gpuCount() {
        return gpuCount;
    }

    public String id(int v) {
        return ids.apply(v);
    }

    /** What the node does in words (an op name); the id when none was given. */
    public String name(int v) {
        return names[v] == null ? id(v) : names[v];
    }

    /** Whether node {@code v} runs on a communication stream rather than a compute stream. */
    public boolean communication(int v) {
        return communication[v];
    }

    public Work work(int v) {
        return work[v];
    }

    /** How many GPUs node {@code v} occupies; 0 for a node that names none (it runs without a resource). */
    public int gpuCountOf(int v) {
        return gpuStart[v + 1] - gpuStart[v];
    }

    /** The {@code i}-th GPU of node {@code v}. */
    public int gpu(int v, int i) {
        return gpuList[gpuStart[v] + i];
    }

    /** The GPUs of node {@code v}, ascending as given; a copy. */
    public int[] gpus(int v) {
        return Arrays.copyOfRange(gpuList, gpuStart[v], gpuStart[v + 1]);
    }

    /** {@code 3}, {@code 0-7} for a contiguous set, {@code 12 GPUs} otherwise, {@code -} for none. */
    public static String describeGpus(int[] gpus) {
        if (gpus.length == 0)
            return "-";
        boolean contiguous = IntStream.range(0, gpus.length).allMatch(i -> gpus[i] == gpus[0] + i);
        return gpus.length == 1 ? Integer.toString(gpus[0])
                : contiguous ? gpus[0] + "-" + gpus[gpus.length - 1] : gpus.length + " GPUs";
    }

    public int successorCount(int v) {
        return succStart[v + 1] - succStart[v];
    }

    public int successor(int v, int i) {
        return succList[succStart[v] + i];
    }

    public int predecessorCount(int v) {
        return predCount[v];
    }

    /** Node indexes such that every edge goes from an earlier to a later one. A copy. */
    public int[] topologicalOrder() {
        return topo == null ? IntStream.range(0, size).toArray() : topo.clone();
    }

    /** The {@code i}-th node of the topological order, without copying. */
    public int topological(int i) {
        return topo == null ? i : topo[i];
    }

    /** The ids of {@code path}, for output. */
    public List<String> ids(List<Integer> nodes) {
        return nodes.stream().map(this::id).toList();
    }
}
