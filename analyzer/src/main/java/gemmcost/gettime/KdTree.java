package gemmcost.gettime;

import java.util.Arrays;

/**
 * A static 3-D k-d tree for k-nearest-neighbour queries, written by hand because a lookup must stay within
 * microseconds on tables of tens of thousands of points (a scan took ~25 µs on 20k points). Points are stored
 * in tree order in flat arrays; the tree is implicit (the median of each range is its node).
 */
final class KdTree {
    private final double[][] coords; // [axis][slot]
    private final int[] point;       // original index per slot
    private final byte[] splitAxis;  // split axis per slot (the node at the middle of a range)

    KdTree(double[] x, double[] y, double[] z) {
        int size = x.length;
        coords = new double[][] {x.clone(), y.clone(), z.clone()};
        point = new int[size];
        Arrays.setAll(point, i -> i);
        splitAxis = new byte[size];
        build(0, size);
    }

    private void build(int lo, int hi) {
        if (hi - lo <= 1) {
            return;
        }
        int axis = widestAxis(lo, hi);
        int mid = (lo + hi) >>> 1;
        select(axis, lo, hi - 1, mid);
        splitAxis[mid] = (byte) axis;
        build(lo, mid);
        build(mid + 1, hi);
    }

    private int widestAxis(int lo, int hi) {
        int best = 0;
        double widest = -1;
        for (int axis = 0; axis < 3; axis++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = lo; i < hi; i++) {
                min = Math.min(min, coords[axis][i]);
                max = Math.max(max, coords[axis][i]);
            }
            if (max - min > widest) {
                widest = max - min;
                best = axis;
            }
        }
        return best;
    }

    /** Quickselect: puts the element of rank {@code kth} at {@code kth}, smaller ones left, larger right. */
    private void select(int axis, int lo, int hi, int kth) {
        while (lo < hi) {
            double pivot = coords[axis][(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (coords[axis][i] < pivot) {
                    i++;
                }
                while (coords[axis][j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(i++, j--);
                }
            }
            if (kth <= j) {
                hi = j;
            } else if (kth >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private void swap(int a, int b) {
        for (double[] c : coords) {
            double t = c[a];
            c[a] = c[b];
            c[b] = t;
        }
        int t = point[a];
        point[a] = point[b];
        point[b] = t;
    }

    /**
     * A bounded max-heap of (squared distance, point): the k nearest found so far, farthest at the root. Equal
     * distances are ordered by point index, so the k nearest are one set whatever the order points are offered in.
     */
    static final class Nearest {
        final int[] points;
        final double[] dist2;
        int size;

        Nearest(int k) {
            points = new int[k];
            dist2 = new double[k];
        }

        double worst() {
            return size < points.length ? Double.POSITIVE_INFINITY : dist2[0];
        }

        void offer(int p, double d) {
            if (size < points.length) {
                points[size] = p;
                dist2[size] = d;
                int i = size++;
                while (i > 0 && closer(dist2[(i - 1) / 2], points[(i - 1) / 2], dist2[i], points[i])) {
                    swapEntries(i, (i - 1) / 2);
                    i = (i - 1) / 2;
                }
            } else if (closer(d, p, dist2[0], points[0])) {
                points[0] = p;
                dist2[0] = d;
                int i = 0;
                while (true) {
                    int left = 2 * i + 1;
                    int largest = i;
                    if (left < size && closer(dist2[largest], points[largest], dist2[left], points[left])) {
                        largest = left;
                    }
                    if (left + 1 < size && closer(dist2[largest], points[largest], dist2[left + 1], points[left + 1])) {
                        largest = left + 1;
                    }
                    if (largest == i) {
                        return;
                    }
                    swapEntries(i, largest);
                    i = largest;
                }
            }
        }

        /** Whether (d, p) comes before (e, q): nearer, or as near with the smaller index. */
        static boolean closer(double d, int p, double e, int q) {
            return d < e || d == e && p < q;
        }

        /** The entries nearest first (ties by index), as a new {@code Nearest} whose arrays are in that order. */
        Nearest sorted() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> closer(dist2[a], points[a], dist2[b], points[b]) ? -1
                    : closer(dist2[b], points[b], dist2[a], points[a]) ? 1 : 0);
            Nearest result = new Nearest(size);
            for (int i = 0; i < size; i++) {
                result.points[i] = points[order[i]];
                result.dist2[i] = dist2[order[i]];
            }
            result.size = size;
            return result;
        }

        private void swapEntries(int a, int b) {
            int p = points[a];
            points[a] = points[b];
            points[b] = p;
            double d = dist2[a];
            dist2[a] = dist2[b];
            dist2[b] = d;
        }
    }

    /** The {@code k} points nearest to q (fewer if the tree is smaller). */
    Nearest nearest(double qx, double qy, double qz, int k) {
        Nearest found = new Nearest(Math.min(k, point.length));
        search(0, point.length, new double[] {qx, qy, qz}, found);
        return found;
    }

    /** Indices of every point within {@code radius2} (squared) of q, in no particular order. */
    int[] within(double qx, double qy, double qz, double radius2) {
        int[] found = new int[16];
        int count = 0;
        int[] stack = new int[128];
        int top = 0;
        stack[top++] = 0;
        stack[top++] = point.length;
        double[] q = {qx, qy, qz};
        while (top > 0) {
            int hi = stack[--top];
            int lo = stack[--top];
            if (lo >= hi) {
                continue;
            }
            int mid = (lo + hi) >>> 1;
            double dx = coords[0][mid] - qx;
            double dy = coords[1][mid] - qy;
            double dz = coords[2][mid] - qz;
            if (dx * dx + dy * dy + dz * dz <= radius2) {
                if (count == found.length) {
                    found = Arrays.copyOf(found, 2 * count);
                }
                found[count++] = point[mid];
            }
            double delta = q[splitAxis[mid]] - coords[splitAxis[mid]][mid];
            if (top + 4 > stack.length) {
                stack = Arrays.copyOf(stack, 2 * stack.length);
            }
            if (delta <= 0 || delta * delta <= radius2) {
                stack[top++] = lo;
                stack[top++] = mid;
            }
            if (delta >= 0 || delta * delta <= radius2) {
                stack[top++] = mid + 1;
                stack[top++] = hi;
            }
        }
        return Arrays.copyOf(found, count);
    }

    private void search(int lo, int hi, double[] q, Nearest found) {
        if (lo >= hi) {
            return;
        }
        int mid = (lo + hi) >>> 1;
        double dx = coords[0][mid] - q[0];
        double dy = coords[1][mid] - q[1];
        double dz = coords[2][mid] - q[2];
        found.offer(point[mid], dx * dx + dy * dy + dz * dz);
        if (hi - lo == 1) {
            return;
        }
        int axis = splitAxis[mid];
        double delta = q[axis] - coords[axis][mid];
        boolean leftFirst = delta < 0;
        search(leftFirst ? lo : mid + 1, leftFirst ? mid : hi, q, found);
        if (delta * delta <= found.worst()) { // <=: an equally near point with a smaller index may be there
            search(leftFirst ? mid + 1 : lo, leftFirst ? hi : mid, q, found);
        }
    }
}
