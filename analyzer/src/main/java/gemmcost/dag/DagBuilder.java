package gemmcost.dag;

import gemmcost.BadInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Collects nodes and edges, then {@link #build} checks the graph (no cycles) and packs it into a {@link Dag}. Each
 * edge may carry the input line it came from, so refusals can say {@code file:line: what}.
 */
public final class DagBuilder {
    private static final int[] NO_GPUS = {};

    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<Work> work = new ArrayList<>();
    private final List<int[]> gpus = new ArrayList<>();
    private int[] edgeFrom = new int[16];
    private int[] edgeTo = new int[16];
    private int[] edgeLine = new int[16];
    private int edges;

    /**
     * Adds a node and returns its index.
     *
     * @param name  op name for reports, or null to show the id
     * @param gpus  GPUs it occupies (none: it runs without a resource)
     * @throws IllegalArgumentException if the id is taken or a GPU is negative
     */
    public int addNode(String id, String name, int[] gpus, Work work) {
        for (int g : gpus)
            if (g < 0)
                throw new IllegalArgumentException("must be >= 0: gpu=" + g);
        int v = ids.size();
        if (index.putIfAbsent(id, v) != null)
            throw new IllegalArgumentException("duplicate node id: " + id);
        ids.add(id);
        names.add(name);
        this.work.add(work);
        this.gpus.add(gpus.length == 0 ? NO_GPUS : gpus.clone());
        return v;
    }

    public int addNode(String id, String name, int gpu, Work work) {
        return addNode(id, name, new int[] {gpu}, work);
    }

    /** The index of the node with this id, if one was added. */
    public OptionalInt find(String id) {
        Integer v = index.get(id);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    public int size() {
        return ids.size();
    }

    /** Adds an edge {@code from → to} between added nodes; parallel edges are kept. */
    public void addEdge(int from, int to, int line) {
        if (from < 0 || from >= ids.size() || to < 0 || to >= ids.size())
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
        int n = ids.size();
        int[] succStart = new int[n + 1];
        for (int e = 0; e < edges; e++)
            succStart[edgeFrom[e] + 1]++;
        for (int v = 0; v < n; v++)
            succStart[v + 1] += succStart[v];
        int[] succList = new int[edges];
        int[] fill = Arrays.copyOf(succStart, n);
        int[] predCount = new int[n];
        for (int e = 0; e < edges; e++) {
            int slot = fill[edgeFrom[e]]++;
            succList[slot] = edgeTo[e];
            predCount[edgeTo[e]]++;
        }
        int[] topo = topologicalOrder(n, succStart, succList, predCount);
        if (topo.length < n)
            throw cycle(source, topo);
        int[] gpuStart = new int[n + 1];
        for (int v = 0; v < n; v++)
            gpuStart[v + 1] = gpuStart[v] + gpus.get(v).length;
        int[] gpuList = new int[gpuStart[n]];
        for (int v = 0; v < n; v++)
            System.arraycopy(gpus.get(v), 0, gpuList, gpuStart[v], gpus.get(v).length);
        return new Dag(ids.toArray(String[]::new), names.toArray(String[]::new), work.toArray(Work[]::new),
                gpuStart, gpuList, succStart, succList, predCount, topo);
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
        return Arrays.copyOf(order, tail);
    }

    /** Finds one cycle among the nodes Kahn's algorithm could not order and names it. */
    private BadInputException cycle(String source, int[] ordered) {
        int n = ids.size();
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
        StringBuilder text = new StringBuilder();
        for (int u : loop)
            text.append(ids.get(u)).append(" -> ");
        text.append(ids.get(loop.get(0)));
        int line = edgeLine[inEdge[loop.get(0)]];
        return new BadInputException(source + (line > 0 ? ":" + line : "") + ": cycle: " + text);
    }
}
