package gemmcost.schedule;

import gemmcost.dag.Dag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The longest path through a DAG whose nodes take {@code durationUs[v]}, with unlimited resources: every node starts
 * as soon as its last predecessor finishes. One pass in topological order, O(V + E).
 *
 * @param lengthUs the path's total duration
 * @param path     its nodes, first to last
 */
public record CriticalPath(double lengthUs, List<Integer> path) {
    public CriticalPath {
        path = List.copyOf(path);
    }

    public static CriticalPath of(Dag dag, double[] durationUs) {
        int n = dag.size();
        double[] startUs = new double[n];
        int[] via = new int[n];
        Arrays.fill(via, -1);
        int last = -1;
        double lastFinishUs = 0;
        for (int i = 0; i < n; i++) {
            int v = dag.topological(i);
            double finishUs = startUs[v] + durationUs[v];
            // a node of no time after the path's end ends the path too (a trailing marker is on it)
            if (last < 0 || finishUs > lastFinishUs || finishUs == lastFinishUs && via[v] == last) {
                last = v;
                lastFinishUs = finishUs;
            }
            for (int s = 0; s < dag.successorCount(v); s++) {
                int w = dag.successor(v, s);
                if (via[w] < 0 || finishUs > startUs[w]) {
                    startUs[w] = finishUs;
                    via[w] = v;
                }
            }
        }
        List<Integer> path = new ArrayList<>();
        for (int v = last; v >= 0; v = via[v])
            path.add(v);
        Collections.reverse(path);
        return new CriticalPath(lastFinishUs, path);
    }
}
