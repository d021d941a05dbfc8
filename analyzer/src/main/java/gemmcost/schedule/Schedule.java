package gemmcost.schedule;

import gemmcost.dag.Dag;

/**
 * A list schedule of a costed DAG on its GPUs. Each GPU has one compute stream and one communication stream; an
 * operation occupies the matching stream of every GPU it names for its whole duration, so two GEMMs on one GPU run
 * one after the other, not in parallel for free. Each stream runs its operations in the order their inputs
 * become ready (FIFO, like work queued on a CUDA stream), ties going to the operation with the longer path to the
 * end of the DAG. Operations that name no GPU wait for nothing but their inputs.
 */
public final class Schedule {
    private final double[] startUs;
    private final double[] finishUs;
    private final double[] computeBusyUs;
    private final double[] commBusyUs;
    private final double makespanUs;

    private Schedule(double[] startUs, double[] finishUs, double[] computeBusyUs, double[] commBusyUs,
                     double makespanUs) {
        this.startUs = startUs;
        this.finishUs = finishUs;
        this.computeBusyUs = computeBusyUs;
        this.commBusyUs = commBusyUs;
        this.makespanUs = makespanUs;
    }

    public static Schedule of(Dag dag, double[] durationUs) {
        int n = dag.size();
        int gpus = dag.gpuCount();
        double[] tailUs = pathToEnd(dag, durationUs);
        double[] readyUs = new double[n];
        double[] startUs = new double[n];
        double[] finishUs = new double[n];
        double[] computeFreeUs = new double[gpus];
        double[] commFreeUs = new double[gpus];
        double[] computeBusyUs = new double[gpus];
        double[] commBusyUs = new double[gpus];
        int[] waiting = new int[n];
        double makespanUs = 0;
        ReadyQueue queue = new ReadyQueue(n, readyUs, tailUs);
        for (int v = 0; v < n; v++) {
            waiting[v] = dag.predecessorCount(v);
            if (waiting[v] == 0)
                queue.add(v);
        }
        while (!queue.isEmpty()) {
            int v = queue.poll();
            boolean comm = dag.communication(v);
            double[] freeUs = comm ? commFreeUs : computeFreeUs;
            double[] busyUs = comm ? commBusyUs : computeBusyUs;
            double start = readyUs[v];
            for (int i = 0; i < dag.gpuCountOf(v); i++)
                start = Math.max(start, freeUs[dag.gpu(v, i)]);
            double finish = start + durationUs[v];
            for (int i = 0; i < dag.gpuCountOf(v); i++) {
                freeUs[dag.gpu(v, i)] = finish;
                busyUs[dag.gpu(v, i)] += durationUs[v];
            }
            startUs[v] = start;
            finishUs[v] = finish;
            makespanUs = Math.max(makespanUs, finish);
            for (int s = 0; s < dag.successorCount(v); s++) {
                int w = dag.successor(v, s);
                readyUs[w] = Math.max(readyUs[w], finish);
                if (--waiting[w] == 0)
                    queue.add(w);
            }
        }
        return new Schedule(startUs, finishUs, computeBusyUs, commBusyUs, makespanUs);
    }

    /** For each node, the longest duration from its start to the end of the DAG (its "bottom level"). */
    private static double[] pathToEnd(Dag dag, double[] durationUs) {
        double[] tailUs = new double[dag.size()];
        for (int i = dag.size() - 1; i >= 0; i--) {
            int v = dag.topological(i);
            double longest = 0;
            for (int s = 0; s < dag.successorCount(v); s++)
                longest = Math.max(longest, tailUs[dag.successor(v, s)]);
            tailUs[v] = durationUs[v] + longest;
        }
        return tailUs;
    }

    public double makespanUs() {
        return makespanUs;
    }

    public double startUs(int v) {
        return startUs[v];
    }

    public double finishUs(int v) {
        return finishUs[v];
    }

    /** Time GPU {@code g}'s compute stream is busy. */
    public double computeBusyUs(int g) {
        return computeBusyUs[g];
    }

    /** Time GPU {@code g}'s communication stream is busy. */
    public double commBusyUs(int g) {
        return commBusyUs[g];
    }

    public int gpuCount() {
        return computeBusyUs.length;
    }
}
