package gemmcost.schedule;

import java.util.Arrays;

/**
 * A binary min-heap of node indexes ordered by ready time, then by longer path to the end first, then by index.
 * Written by hand because a million-node schedule would otherwise box every index (java.util.PriorityQueue of
 * Integer); each entry carries its two keys so that comparisons read the heap's own arrays, not the nodes'.
 */
final class ReadyQueue {
    private final double[] readyUs;
    private final double[] tailUs;
    private double[] heapReadyUs;
    private double[] heapTailUs;
    private int[] heap;
    private int size;

    ReadyQueue(int capacity, double[] readyUs, double[] tailUs) {
        int slots = Math.max(1, capacity);
        this.heap = new int[slots];
        this.heapReadyUs = new double[slots];
        this.heapTailUs = new double[slots];
        this.readyUs = readyUs;
        this.tailUs = tailUs;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(int v) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
            heapReadyUs = Arrays.copyOf(heapReadyUs, size * 2);
            heapTailUs = Arrays.copyOf(heapTailUs, size * 2);
        }
        double ready = readyUs[v];
        double tail = tailUs[v];
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(ready, tail, v, parent))
                break;
            move(parent, i);
            i = parent;
        }
        set(i, v, ready, tail);
    }

    int poll() {
        int top = heap[0];
        int last = heap[--size];
        double ready = heapReadyUs[size];
        double tail = heapTailUs[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size)
                break;
            if (child + 1 < size && before(heapReadyUs[child + 1], heapTailUs[child + 1], heap[child + 1], child))
                child++;
            if (!before(heapReadyUs[child], heapTailUs[child], heap[child], size))
                break;
            move(child, i);
            i = child;
        }
        set(i, last, ready, tail);
        return top;
    }

    /** Whether node {@code v} with these keys goes before the entry in slot {@code slot}. */
    private boolean before(double ready, double tail, int v, int slot) {
        if (ready != heapReadyUs[slot])
            return ready < heapReadyUs[slot];
        if (tail != heapTailUs[slot])
            return tail > heapTailUs[slot];
        return v < heap[slot];
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
