package gemmcost.schedule;

import java.util.Arrays;

/**
 * A binary min-heap of node indexes ordered by ready time, then by longer path to the end first. Written by hand
 * because a million-node schedule would otherwise box every index (java.util.PriorityQueue of Integer).
 */
final class ReadyQueue {
    private final double[] readyUs;
    private final double[] tailUs;
    private int[] heap;
    private int size;

    ReadyQueue(int capacity, double[] readyUs, double[] tailUs) {
        this.heap = new int[Math.max(1, capacity)];
        this.readyUs = readyUs;
        this.tailUs = tailUs;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(int v) {
        if (size == heap.length)
            heap = Arrays.copyOf(heap, size * 2);
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(v, heap[parent]))
                break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
    }

    int poll() {
        int top = heap[0];
        int last = heap[--size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size)
                break;
            if (child + 1 < size && before(heap[child + 1], heap[child]))
                child++;
            if (!before(heap[child], last))
                break;
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = last;
        return top;
    }

    private boolean before(int a, int b) {
        if (readyUs[a] != readyUs[b])
            return readyUs[a] < readyUs[b];
        if (tailUs[a] != tailUs[b])
            return tailUs[a] > tailUs[b];
        return a < b;
    }
}
