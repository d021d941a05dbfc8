package gemmcost.dag;

import gemmcost.BadInputException;
import gemmcost.Limits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.IntFunction;

/**
 * Collects nodes and edges, then {@link #build} checks the graph (no cycles) and packs it into a {@link Dag}. Each
 * edge may carry the input line it came from, so refusals can say {@code file:line: what}.
 */
public final class DagBuilder {
    /** Id → node, or null when the caller guarantees unique ids (generated plans: hashing every id is a third of
     * the time a plan search spends building DAGs). */
    private final Map<String, Integer> index;
    // growable arrays rather than lists: a plan search builds thousands of DAGs a second; one micro-batch of a
    // generated plan is a few hundred nodes
    private static final int INITIAL_CAPACITY = 256;
    private static final int EDGES_PER_NODE = 2;
    private String[] ids = new String[INITIAL_CAPACITY];
    private String[] names = new String[INITIAL_CAPACITY];
    private Work[] work = new Work[INITIAL_CAPACITY];
    private int[] gpuStart = new int[INITIAL_CAPACITY + 1];
    private int[] gpuList = new int[INITIAL_CAPACITY];
    private int nodes;
    private int[] edgeFrom = new int[EDGES_PER_NODE * INITIAL_CAPACITY];
    private int[] edgeTo = new int[EDGES_PER_NODE * INITIAL_CAPACITY];
    private int[] edgeLine = new int[EDGES_PER_NODE * INITIAL_CAPACITY];
    private int edges;
    /** Set by {@link #repeat}: how ids of copies are made, the size of the block copied, where the copies end. */
    private CopyId copyId;
    private int copiedBlock;
    private int copiesEnd;

    public DagBuilder() {
        this(true);
    }

    /** @param indexIds false when ids are unique by construction and {@link #find} is never needed */
    public DagBuilder(boolean indexIds) {
        this.index = indexIds ? new HashMap<>() : null;
    }

    /**
     * Adds a node and returns its index.
     *
     * @param name  op name for reports, or null to show the id
     * @param gpus  GPUs it occupies (none: it runs without a resource)
     * @throws IllegalArgumentException if the id is taken or a GPU is negative
     */
    public int addNode(String id, String name, int[] gpus, Work work) {
        for (int g : gpus)
            if (g < 0 || g >= Limits.MAX_GPUS)
                throw new IllegalArgumentException("must be 0 to " + (Limits.MAX_GPUS - 1) + ": gpu=" + g);
        int v = nodes;
        if (index != null && index.putIfAbsent(id, v) != null)
            throw new IllegalArgumentException("duplicate node id: " + id);
        if (v == ids.length) {
            requireRoom(v + 1);
            ids = Arrays.copyOf(ids, 2 * v);
            names = Arrays.copyOf(names, 2 * v);
            this.work = Arrays.copyOf(this.work, 2 * v);
            gpuStart = Arrays.copyOf(gpuStart, 2 * v + 1);
        }
        int used = gpuStart[v];
        if (used + gpus.length > gpuList.length)
            gpuList = Arrays.copyOf(gpuList, Math.max(2 * gpuList.length, used + gpus.length));
        for (int i = 0; i < gpus.length; i++) // most nodes name one GPU: a loop is faster than System.arraycopy
            gpuList[used + i] = gpus[i];
        ids[v] = id;
        names[v] = name;
        this.work[v] = work;
        gpuStart[v + 1] = used + gpus.length;
        nodes++;
        return v;
    }

    public int addNode(String id, String name, int gpu, Work work) {
        return addNode(id, name, new int[] {gpu}, work);
    }

    /** The index of the node with this id, if one was added. */
    public OptionalInt find(String id) {
        if (index == null)
            throw new IllegalStateException("find on a builder that does not index ids");
        Integer v = index.get(id);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    public int size() {
        return nodes;
    }

    /** How a copy's node is named: {@code id} is the node's id in the original. */
    @FunctionalInterface
    public interface CopyId {
        String id(int copy, String id);
    }

    /**
     * Appends copies 1 … {@code copies}−1 of every node and edge added so far (copy 0): the same names, work and
     * GPUs, edges within each copy, none between copies; node {@code v} of copy {@code c} is {@code c·size() + v},
     * its id {@code idOfCopy(c, id of v)}, made only when asked for (a plan search never asks). Only for a builder
     * that does not index ids, once.
     */
    public void repeat(int copies, CopyId idOfCopy) {
        if (index != null || copyId != null)
            throw new IllegalStateException("repeat on a builder that indexes ids or has repeated already");
        int block = nodes;
        int blockGpus = gpuStart[block];
        int blockEdges = edges;
        requireRoom((long) block * copies);
        reserve(block * copies, arraySize((long) blockGpus * copies, "GPU entries"),
                arraySize((long) blockEdges * copies, "edges"));
        for (int c = 1; c < copies; c++) {
            int offset = c * block;
            for (int v = 0; v < block; v++)
                gpuStart[offset + v + 1] = gpuStart[v + 1] + c * blockGpus;
            System.arraycopy(names, 0, names, offset, block);
            System.arraycopy(work, 0, work, offset, block);
            System.arraycopy(gpuList, 0, gpuList, c * blockGpus, blockGpus);
            for (int e = 0; e < blockEdges; e++) {
                edgeFrom[c * blockEdges + e] = edgeFrom[e] + offset;
                edgeTo[c * blockEdges + e] = edgeTo[e] + offset;
                edgeLine[c * blockEdges + e] = edgeLine[e];
            }
        }
        nodes = block * copies;
        edges = blockEdges * copies;
        copyId = idOfCopy;
        copiedBlock = block;
        copiesEnd = nodes;
    }

    /** Node ids by index: those added, and those of copies made on demand. */
    private IntFunction<String> idFunction() {
        String[] added = ids;
        if (copyId == null)
            return v -> added[v];
        CopyId copied = copyId;
        int block = copiedBlock;
        int end = copiesEnd;
        return v -> v < block || v >= end ? added[v] : copied.id(v / block, added[v % block]);
    }

    /** More operators than gemmcost analyses in memory (a million-node DAG takes about 2.5 s): surely not meant. */
    public static final int MAX_NODES = 10_000_000;

    private static void requireRoom(long nodeCount) {
        if (nodeCount > MAX_NODES)
            throw new BadInputException("the DAG would have more than " + MAX_NODES + " operators (" + nodeCount
                    + " or more), beyond what gemmcost analyses in memory");
    }

    /** {@code n} as an array size, or bad input saying what is too many. */
    private static int arraySize(long n, String what) {
        if (n > Integer.MAX_VALUE - 8)
            throw new BadInputException("the DAG would have " + n + " " + what + ", beyond what gemmcost analyses in"
                    + " memory");
        return (int) n;
    }

    private void reserve(int nodeCount, int gpuEntries, int edgeCount) {
        if (nodeCount > ids.length) {
            ids = Arrays.copyOf(ids, nodeCount);
            names = Arrays.copyOf(names, nodeCount);
            work = Arrays.copyOf(work, nodeCount);
            gpuStart = Arrays.copyOf(gpuStart, nodeCount + 1);
        }
        if (gpuEntries > gpuList.length)
            gpuList = Arrays.copyOf(gpuList, gpuEntries);
        if (edgeCount > edgeFrom.length) {
            edgeFrom = Arrays.copyOf(edgeFrom, edgeCount);
            edgeTo = Arrays.copyOf(edgeTo, edgeCount);
            edgeLine = Arrays.copyOf(edgeLine, edgeCount);
        }
    }

    /** Adds an edge {@code from → to} between added nodes; parallel edges are kept. */
    public void addEdge(int from, int to, int line) {
        if (from < 0 || from >= nodes || to < 0 || to >= nodes)
            throw new IllegalArgumentException("no such node: from=" + from + ", to=" + to);
        if (edges == edgeFrom.length) {
            edgeFrom = Arrays.copyOf(edgeFrom, edges * 2);
            edgeTo = Arrays.copyOf(edgeTo, edges * 2);
            edgeLine = Arrays.copyOf(edgeLine, edges * 2);
        }
        edgeFrom[edges] = from;
        edgeTo[edges] = to;
        edgeLine[edges] = line;
        edges++;
    }

    public void addEdge(int from, int to) {
        addEdge(from, to, 0);
    }

    /**
     * The packed DAG.
     *
     * @param source the input's name for error messages (a file name)
     * @throws BadInputException {@code source:line: cycle: a -> b -> a} if the graph has a cycle
     */
    public Dag build(String source) {
        int n = nodes;
        int[] succStart = new int[n + 1];
        for (int e = 0; e < edges; e++)
            succStart[edgeFrom[e] + 1]++;
        for (int v = 0; v < n; v++)
            succStart[v + 1] += succStart[v];
        int[] succList = new int[edges];
        int[] fill = Arrays.copyOf(succStart, n);
        int[] predCount = new int[n];
        boolean forward = true;
        for (int e = 0; e < edges; e++) {
            int slot = fill[edgeFrom[e]]++;
            succList[slot] = edgeTo[e];
            predCount[edgeTo[e]]++;
            forward &= edgeFrom[e] < edgeTo[e];
        }
        // nodes added after their inputs (generated plans, most files) are in topological order already, and a
        // graph whose every edge goes forward has no cycle
        int[] topo = forward ? null : topologicalOrder(n, succStart, succList, predCount);
        if (topo != null && topo.length < n)
            throw cycle(source, topo);
        // the node arrays are handed over, not copied: adding to this builder afterwards writes past the DAG's nodes
        return new Dag(n, idFunction(), names, work, gpuStart, gpuList, succStart, succList, predCount, topo);
    }

    /** Kahn's algorithm; returns fewer than n nodes iff there is a cycle. */
    private static int[] topologicalOrder(int n, int[] succStart, int[] succList, int[] predCount) {
        int[] remaining = predCount.clone();
        int[] order = new int[n];
        int head = 0;
        int tail = 0;
        for (int v = 0; v < n; v++)
            if (remaining[v] == 0)
                order[tail++] = v;
        while (head < tail) {
            int v = order[head++];
            for (int i = succStart[v]; i < succStart[v + 1]; i++)
                if (--remaining[succList[i]] == 0)
                    order[tail++] = succList[i];
        }
        return tail == n ? order : Arrays.copyOf(order, tail);
    }

    /** Finds one cycle among the nodes Kahn's algorithm could not order and names it. */
    private BadInputException cycle(String source, int[] ordered) {
        int n = nodes;
        boolean[] done = new boolean[n];
        for (int v : ordered)
            done[v] = true;
        // every unordered node keeps an unordered predecessor, so walking those backwards must revisit a node
        int[] inEdge = new int[n];
        Arrays.fill(inEdge, -1);
        for (int e = 0; e < edges; e++)
            if (!done[edgeFrom[e]] && !done[edgeTo[e]])
                inEdge[edgeTo[e]] = e;
        int[] seenAt = new int[n];
        Arrays.fill(seenAt, -1);
        List<Integer> walk = new ArrayList<>();
        int v = 0;
        while (done[v])
            v++;
        while (seenAt[v] < 0) {
            seenAt[v] = walk.size();
            walk.add(v);
            v = edgeFrom[inEdge[v]];
        }
        List<Integer> loop = new ArrayList<>(walk.subList(seenAt[v], walk.size()));
        Collections.reverse(loop);
        Collections.rotate(loop, 1);
        IntFunction<String> id = idFunction();
        StringBuilder text = new StringBuilder();
        for (int u : loop)
            text.append(id.apply(u)).append(" -> ");
        text.append(id.apply(loop.get(0)));
        int line = edgeLine[inEdge[loop.get(0)]];
        return new BadInputException(source + (line > 0 ? ":" + line : "") + ": cycle: " + text);
    }
}
