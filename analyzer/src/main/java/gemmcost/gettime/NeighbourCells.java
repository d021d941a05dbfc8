package gemmcost.gettime;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;

/**
 * The k nearest points of a query in 3-D, fast: a lattice of cubic cells over the points' bounding box (one octave
 * of margin on every side), each holding, once first asked, every point that can be among the k nearest of any
 * query inside it. With c the cell's centre, d_k(c) its k-th nearest distance and h the cell's half-diagonal, a
 * query q of the cell has its k nearest within d_k(c) + h of q, hence within d_k(c) + 2h of c: that ball, trimmed by
 * the cell's box ({@link #inReach}), is the cell's list, and a scan of it returns exactly the k nearest (ties by
 * index, as {@link KdTree.Nearest} orders them). Written by hand because a lookup must take a fraction of a
 * microsecond: a cell's points sit side by side in one pool (coordinates, distance from the centre and index
 * together), nearest its centre first, so a query reads one short run of memory and stops early. Queries outside the
 * lattice, and cells beyond the pool's budget, go to the k-d tree.
 */
final class NeighbourCells {
    /**
     * Cell edge in log2 units; coarser where the box would need more than {@link #MAX_CELLS}. Only the cells built
     * take memory, and a finer cell has a shorter list to scan and to build (docs/get-time.md, Performance).
     */
    static final double CELL_OCTAVES = 0.0625;
    /** Cells of the lattice at most (beyond, cells are coarsened): cell numbers stay far inside an int. */
    static final int MAX_CELLS = 1 << 26;
    /** Pool entries (one per point of a cell's list, and two per list) kept at most: 40 MB. */
    static final int MAX_POOL_ENTRIES = 1 << 20;
    private static final double MARGIN_OCTAVES = 1;
    /**
     * A pool entry: x, y, z, the distance from the cell's centre, the point's index. A cell's list starts with a
     * header entry holding the centre and ends with a sentinel whose index is -1.
     */
    private static final int STRIDE = 5;
    private static final int ID = 4;
    private static final int FROM_CENTRE = 3;

    private final int poolBudget;
    private final double[] x;
    private final double[] y;
    private final double[] z;
    private final KdTree tree;
    private final int k;
    private final double[] origin = new double[3];
    private final int[] cellsPerAxis = new int[3];
    private final double edge;
    /**
     * 1 / {@link #edge}: a query rounded into the next cell is still within the slack its list was made with, so a
     * multiply serves as well as a division.
     */
    private final double perEdge;
    /** Per cell built: 1 + the pool entry where its list starts (0: not built). */
    private final Starts start = new Starts();
    private volatile double[] pool = new double[STRIDE * 1024];
    /** Set once a list did not fit the pool's budget: cells not built by then go to the tree, unbuilt, unrecorded. */
    private volatile boolean poolFull;
    private int used; // pool entries, guarded by this

    /** Over points (x, y, z), for queries of the {@code k} nearest. */
    NeighbourCells(double[] x, double[] y, double[] z, int k) {
        this(x, y, z, k, MAX_POOL_ENTRIES);
    }

    /** As above, with at most {@code poolBudget} pool entries (tests: a pool that fills). */
    NeighbourCells(double[] x, double[] y, double[] z, int k, int poolBudget) {
        this.poolBudget = poolBudget;
        this.x = x;
        this.y = y;
        this.z = z;
        this.tree = new KdTree(x, y, z);
        this.k = Math.min(k, x.length);
        double[][] axes = {x, y, z};
        double[] extent = new double[3];
        for (int axis = 0; axis < 3; axis++) {
            double lo = Arrays.stream(axes[axis]).min().orElseThrow();
            double hi = Arrays.stream(axes[axis]).max().orElseThrow();
            origin[axis] = lo - MARGIN_OCTAVES;
            extent[axis] = hi - lo + 2 * MARGIN_OCTAVES;
        }
        double size = CELL_OCTAVES;
        while (cells(extent, size) > MAX_CELLS) {
            size *= 1.25;
        }
        this.edge = size;
        this.perEdge = 1 / size;
        for (int axis = 0; axis < 3; axis++) {
            cellsPerAxis[axis] = (int) Math.ceil(extent[axis] / edge);
        }
    }

    private static long cells(double[] extent, double edge) {
        long count = 1;
        for (double e : extent) {
            count *= (long) Math.ceil(e / edge);
        }
        return count;
    }

    /** The lattice's cell edge, in the points' units. */
    double edge() {
        return edge;
    }

    /** The lattice's lowest corner on {@code axis}: cell boundaries lie at it plus multiples of {@link #edge()}. */
    double origin(int axis) {
        return origin[axis];
    }

    /** Whether a list did not fit the pool's budget, so that cells not built by then go to the k-d tree. */
    boolean poolFull() {
        return poolFull;
    }

    /** The k nearest points of q, nearest first (ties by index). */
    KdTree.Nearest nearest(double qx, double qy, double qz) {
        int cell = cellOf(qx, qy, qz);
        int first = cell < 0 ? -1 : start.get(cell);
        if (first == 0) {
            first = poolFull ? -1 : build(cell);
        }
        if (first < 0) {
            return tree.nearest(qx, qy, qz, k).sorted();
        }
        return scan(pool, first - 1, qx, qy, qz);
    }

    /** The number of q's cell, -1 outside the lattice. */
    int cellOf(double qx, double qy, double qz) {
        int ix = (int) Math.floor((qx - origin[0]) * perEdge);
        int iy = (int) Math.floor((qy - origin[1]) * perEdge);
        int iz = (int) Math.floor((qz - origin[2]) * perEdge);
        if (ix < 0 || iy < 0 || iz < 0 || ix >= cellsPerAxis[0] || iy >= cellsPerAxis[1] || iz >= cellsPerAxis[2]) {
            return -1;
        }
        return (ix * cellsPerAxis[1] + iy) * cellsPerAxis[2] + iz;
    }

    /** Builds the cell's list into the pool and returns its {@link #start} value; -1 (the tree answers): no room. */
    private synchronized int build(int cell) {
        int known = start.get(cell);
        if (known != 0) {
            return known;
        }
        if (poolFull) {
            return -1;
        }
        int iz = cell % cellsPerAxis[2];
        int iy = (cell / cellsPerAxis[2]) % cellsPerAxis[1];
        int ix = cell / cellsPerAxis[2] / cellsPerAxis[1];
        double cx = origin[0] + (ix + 0.5) * edge;
        double cy = origin[1] + (iy + 0.5) * edge;
        double cz = origin[2] + (iz + 0.5) * edge;
        KdTree.Nearest nearest = tree.nearest(cx, cy, cz, k);
        double radius = Math.sqrt(nearest.dist2[0]) + edge * Math.sqrt(3); // dist2[0]: the heap's farthest; + 2h
        int[] candidates = tree.within(cx, cy, cz, radius * radius * (1 + 1e-9) + 1e-12);
        int[] points = byDistance(inReach(candidates, cx, cy, cz), cx, cy, cz);
        if (used + points.length + 2 > poolBudget) {
            poolFull = true;
            return -1;
        }
        double[] p = pool;
        if (STRIDE * (used + points.length + 2) > p.length) {
            p = Arrays.copyOf(p, Math.max(2 * p.length, STRIDE * (used + points.length + 2)));
        }
        int first = used;
        put(p, used++, cx, cy, cz, 0, -2);
        for (int point : points) {
            double fromCentre = Math.sqrt(sq(x[point] - cx) + sq(y[point] - cy) + sq(z[point] - cz));
            put(p, used++, x[point], y[point], z[point], fromCentre, point);
        }
        put(p, used++, 0, 0, 0, Double.POSITIVE_INFINITY, -1);
        pool = p; // published before the cell's start (both volatile)
        start.put(cell, first + 1);
        return first + 1;
    }

    /**
     * The starts of the cells built so far, in an open-addressing table of ((cell + 1) << 32 | start) at most half
     * full. Written by hand, not as an array over every cell, because that array (an int per cell: megabytes) made
     * reading a start a cache miss on every lookup; this one is as small as the cells built. Readers take no lock: a
     * cell they miss, in a table being filled or replaced, they build under the lock, which finds it.
     */
    private static final class Starts {
        private volatile AtomicLongArray slots = new AtomicLongArray(64);
        private int count; // guarded by the NeighbourCells' lock

        /** The cell's start, 0 if it is not built (or not seen yet). */
        int get(int cell) {
            AtomicLongArray s = slots;
            int mask = s.length() - 1;
            for (int i = ValueFilter.topBits(cell, Integer.bitCount(mask)); ; i = (i + 1) & mask) {
                long entry = s.get(i);
                if (entry == 0 || (int) (entry >>> 32) == cell + 1) {
                    return (int) entry;
                }
            }
        }

        /** Records a start; the caller holds the NeighbourCells' lock. */
        void put(int cell, int start) {
            if (2 * (count + 1) > slots.length()) {
                AtomicLongArray larger = new AtomicLongArray(2 * slots.length());
                for (int i = 0; i < slots.length(); i++) {
                    long entry = slots.get(i);
                    if (entry != 0) {
                        insert(larger, entry);
                    }
                }
                slots = larger;
            }
            insert(slots, (long) (cell + 1) << 32 | start & 0xFFFFFFFFL);
            count++;
        }

        private static void insert(AtomicLongArray s, long entry) {
            int mask = s.length() - 1;
            int i = ValueFilter.topBits((int) (entry >>> 32) - 1, Integer.bitCount(mask));
            while (s.get(i) != 0) {
                i = (i + 1) & mask;
            }
            s.set(i, entry);
        }
    }

    /**
     * Those of the candidates (a superset: every point within d_k(c) + 2h of the centre) that can be among the k
     * nearest of a query in the cell, tighter than that ball: with R the k-th smallest farthest distance from a
     * candidate to the cell, every query of the cell has k points within R, so only points whose nearest distance to
     * the cell is at most R can be among its k nearest (ties included).
     */
    private int[] inReach(int[] candidates, double cx, double cy, double cz) {
        if (candidates.length <= k) {
            return candidates;
        }
        double half = edge / 2;
        double[] far2 = new double[candidates.length];
        double[] near2 = new double[candidates.length];
        for (int i = 0; i < candidates.length; i++) {
            int p = candidates[i];
            double ax = Math.abs(x[p] - cx);
            double ay = Math.abs(y[p] - cy);
            double az = Math.abs(z[p] - cz);
            far2[i] = sq(ax + half) + sq(ay + half) + sq(az + half);
            near2[i] = sq(Math.max(0, ax - half)) + sq(Math.max(0, ay - half)) + sq(Math.max(0, az - half));
        }
        double[] sorted = far2.clone();
        Arrays.sort(sorted);
        double reach2 = sorted[k - 1] * (1 + 1e-9) + 1e-12;
        return IntStream.range(0, candidates.length).filter(i -> near2[i] <= reach2).map(i -> candidates[i]).toArray();
    }

    private static double sq(double v) {
        return v * v;
    }

    private static void put(double[] p, int entry, double px, double py, double pz, double fromCentre, int id) {
        int at = STRIDE * entry;
        p[at] = px;
        p[at + 1] = py;
        p[at + 2] = pz;
        p[at + FROM_CENTRE] = fromCentre;
        p[at + ID] = id;
    }

    /** The points nearest the centre first: a query's k nearest then come early, and few later ones displace them. */
    private int[] byDistance(int[] points, double cx, double cy, double cz) {
        double[] d2 = new double[points.length];
        Integer[] order = new Integer[points.length];
        for (int i = 0; i < points.length; i++) {
            int p = points[i];
            d2[i] = (x[p] - cx) * (x[p] - cx) + (y[p] - cy) * (y[p] - cy) + (z[p] - cz) * (z[p] - cz);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(d2[a], d2[b]) != 0 ? Double.compare(d2[a], d2[b])
                : Integer.compare(points[a], points[b]));
        int[] sorted = new int[points.length];
        for (int i = 0; i < points.length; i++) {
            sorted[i] = points[order[i]];
        }
        return sorted;
    }

    /**
     * The k nearest of q among a cell's list, kept sorted by insertion (nearest first, ties by index). The list is in
     * order of distance from the centre c, so the scan stops at the first point farther from c than the k-th nearest
     * found so far plus |q − c|: by the triangle inequality it and every later one are strictly farther from q (the
     * bound is rounded up by far more than the arithmetic's error).
     */
    private KdTree.Nearest scan(double[] p, int first, double qx, double qy, double qz) {
        KdTree.Nearest found = new KdTree.Nearest(k);
        int[] ids = found.points;
        double[] d2 = found.dist2;
        int at = STRIDE * first;
        double offset = Math.sqrt(sq(qx - p[at]) + sq(qy - p[at + 1]) + sq(qz - p[at + 2]));
        int size = 0;
        // the first k points all enter, each in its place
        for (at += STRIDE; size < k; at += STRIDE) {
            int id = (int) p[at + ID];
            if (id < 0) {
                found.size = size;
                return found;
            }
            double d = sq(p[at] - qx) + sq(p[at + 1] - qy) + sq(p[at + 2] - qz);
            insert(d2, ids, size++, d, id);
        }
        found.size = k;
        // later ones displace the farthest until the list is beyond reach (the sentinel's +inf is)
        double limit = (Math.sqrt(d2[k - 1]) + offset) * (1 + 1e-9) + 1e-9;
        for (; p[at + FROM_CENTRE] <= limit; at += STRIDE) {
            int id = (int) p[at + ID];
            double d = sq(p[at] - qx) + sq(p[at + 1] - qy) + sq(p[at + 2] - qz);
            if (!KdTree.Nearest.closer(d, id, d2[k - 1], ids[k - 1])) {
                continue;
            }
            insert(d2, ids, k - 1, d, id);
            limit = (Math.sqrt(d2[k - 1]) + offset) * (1 + 1e-9) + 1e-9;
        }
        return found;
    }

    /** Puts (d, id) in its place among the sorted first {@code j} entries, moving the farther ones up by one. */
    private static void insert(double[] d2, int[] ids, int j, double d, int id) {
        while (j > 0 && KdTree.Nearest.closer(d, id, d2[j - 1], ids[j - 1])) {
            d2[j] = d2[j - 1];
            ids[j] = ids[j - 1];
            j--;
        }
        d2[j] = d;
        ids[j] = id;
    }
}
