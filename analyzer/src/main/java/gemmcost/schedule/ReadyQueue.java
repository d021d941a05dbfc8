package gemmcost.schedule;

/**
 * The nodes whose inputs are ready: first the one ready earliest, then the one with the longer path to the end of
 * the DAG, then the lower index. Each node is added at most once.
 *
 * <p>Two parts: a <em>run</em> of entries that were each added after the run's last one, taken from its front in
 * O(1), and a binary min-heap for the others. A list schedule adds about half its nodes in order (a node becomes
 * ready when its last input finishes, which is mostly after everything already queued), so the run takes half the
 * heap's work, and its unpredictable comparisons, away. Written by hand because this is where a plan search spends
 * most of its scheduling time, and because java.util.PriorityQueue would box every index; entries carry their keys so
 * that comparisons read the queue's own arrays, not the nodes'.
 */
final class ReadyQueue {
    private final double[] readyUs;
    private final double[] tailUs;
    private final int[] run;
    private final double[] runReadyUs;
    private final double[] runTailUs;
    private int runHead;
    private int runEnd;
    private final int[] heap;
    private final double[] heapReadyUs;
    private final double[] heapTailUs;
    private int heapSize;

    /** @param nodes how many nodes there are; each may be added once */
    ReadyQueue(int nodes, double[] readyUs, double[] tailUs) {
        this.readyUs = readyUs;
        this.tailUs = tailUs;
        this.run = new int[nodes];
        this.runReadyUs = new double[nodes];
        this.runTailUs = new double[nodes];
        this.heap = new int[nodes];
        this.heapReadyUs = new double[nodes];
        this.heapTailUs = new double[nodes];
    }

    boolean isEmpty() {
        return runHead == runEnd && heapSize == 0;
    }

    /** Queues node {@code v} with its current ready time and path to the end. */
    void add(int v) {
        double ready = readyUs[v];
        double tail = tailUs[v];
        int last = runEnd - 1;
        if (runHead == runEnd || before(runReadyUs[last], runTailUs[last], run[last], ready, tail, v)) {
            run[runEnd] = v;
            runReadyUs[runEnd] = ready;
            runTailUs[runEnd] = tail;
            runEnd++;
        } else {
            siftUp(heapSize++, v, ready, tail);
        }
    }

    /** Removes and returns the first node; the queue must not be empty. */
    int poll() {
        if (runHead < runEnd && (heapSize == 0 || before(runReadyUs[runHead], runTailUs[runHead], run[runHead],
                heapReadyUs[0], heapTailUs[0], heap[0])))
            return run[runHead++];
        return pollHeap();
    }

    private int pollHeap() {
        int top = heap[0];
        int last = --heapSize;
        double ready = heapReadyUs[last];
        double tail = heapTailUs[last];
        int v = heap[last];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last)
                break;
            if (child + 1 < last && goesFirst(child + 1, child))
                child++;
            if (!before(heapReadyUs[child], heapTailUs[child], heap[child], ready, tail, v))
                break;
            move(child, i);
            i = child;
        }
        set(i, v, ready, tail);
        return top;
    }

    private void siftUp(int slot, int v, double ready, double tail) {
        int i = slot;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(ready, tail, v, heapReadyUs[parent], heapTailUs[parent], heap[parent]))
                break;
            move(parent, i);
            i = parent;
        }
        set(i, v, ready, tail);
    }

    private boolean goesFirst(int slot, int other) {
        return before(heapReadyUs[slot], heapTailUs[slot], heap[slot], heapReadyUs[other], heapTailUs[other],
                heap[other]);
    }

    /** Whether node {@code v} with keys {@code ready} and {@code tail} goes before node {@code w}. */
    private static boolean before(double ready, double tail, int v, double wReady, double wTail, int w) {
        if (ready != wReady)
            return ready < wReady;
        if (tail != wTail)
            return tail > wTail;
        return v < w;
    }

    private void move(int from, int to) {
        set(to, heap[from], heapReadyUs[from], heapTailUs[from]);
    }

    private void set(int slot, int v, double ready, double tail) {
        heap[slot] = v;
        heapReadyUs[slot] = ready;
        heapTailUs[slot] = tail;
    }
}
