package gemmcost.schedule;

import gemmcost.dag.Dag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The schedule's own critical chain: the operations that set its makespan. From the operation that ends last, back
 * through what each one started after: an input that finished just then, else the operation before it on a GPU
 * stream it shares (it waited for the stream, not for data). Unlike the unlimited-resources critical path, it is
 * unbroken on the schedule's timeline and ends at the makespan.
 */
public final class CriticalChain {
    private CriticalChain() {
    }

    /** The chain in time order. Computed after the fact, so the schedule itself (a search's hot loop) pays nothing. */
    public static List<Integer> of(Dag dag, Schedule s) {
        int n = dag.size();
        if (n == 0)
            return List.of();
        int[] waitedFor = new int[n];
        Arrays.fill(waitedFor, -1);
        for (int u = 0; u < n; u++)
            for (int i = 0; i < dag.successorCount(u); i++) {
                int v = dag.successor(u, i);
                if (waitedFor[v] < 0 && s.finishUs(u) == s.startUs(v) && s.startUs(v) > 0)
                    waitedFor[v] = u;
            }
        streamPredecessors(dag, s, waitedFor);
        int last = 0;
        for (int v = 1; v < n; v++)
            if (s.finishUs(v) > s.finishUs(last))
                last = v;
        List<Integer> chain = new ArrayList<>();
        boolean[] seen = new boolean[n];
        for (int v = last; v >= 0 && !seen[v]; v = waitedFor[v]) {
            seen[v] = true;
            chain.add(v);
        }
        Collections.reverse(chain);
        return chain;
    }

    /** For an op that waited for no input, the op before it on one of its GPU streams that ended when it began. */
    private static void streamPredecessors(Dag dag, Schedule s, int[] waitedFor) {
        int streams = 2 * dag.gpuCount(); // compute and communication per GPU
        int[] lastOnStream = new int[streams];
        Arrays.fill(lastOnStream, -1);
        Integer[] byStart = new Integer[dag.size()];
        for (int v = 0; v < byStart.length; v++)
            byStart[v] = v;
        Arrays.sort(byStart, (a, b) -> Double.compare(s.startUs(a), s.startUs(b)));
        for (int v : byStart) {
            int lane = dag.communication(v) ? 1 : 0;
            for (int i = 0; i < dag.gpuCountOf(v); i++) {
                int stream = 2 * dag.gpu(v, i) + lane;
                int before = lastOnStream[stream];
                if (waitedFor[v] < 0 && before >= 0 && s.finishUs(before) == s.startUs(v) && s.startUs(v) > 0)
                    waitedFor[v] = before;
                lastOnStream[stream] = v;
            }
        }
    }
}
