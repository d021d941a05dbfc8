package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NeighbourCellsTest {
    /** The lattice's answers are a full scan's: the same points, nearest first, ties by index, inside it and out. */
    @Test
    void shouldFindExactlyTheNeighboursAFullScanFinds() {
        SplittableRandom random = new SplittableRandom(3);
        int size = 2000;
        double[][] p = new double[3][size];
        for (int i = 0; i < size; i++) {
            for (int axis = 0; axis < 3; axis++) {
                // a coarse lattice, so that distances tie as they do on real tables' grids
                p[axis][i] = random.nextInt(12) * 0.5 + (axis == 0 && i % 3 == 0 ? random.nextDouble() : 0);
            }
        }
        NeighbourCells cells = new NeighbourCells(p[0], p[1], p[2], 12);
        for (int q = 0; q < 2000; q++) {
            // on lattice points, between them, and beyond the margin
            double[] query = new double[3];
            for (int axis = 0; axis < 3; axis++) {
                query[axis] = q % 2 == 0 ? random.nextInt(-6, 20) * 0.25 : random.nextDouble(-4, 10);
            }
            KdTree.Nearest found = cells.nearest(query[0], query[1], query[2]);
            int[] scan = fullScan(p, query);

            assertThat(Arrays.copyOf(found.points, found.size)).as("query %s", Arrays.toString(query))
                    .containsExactly(scan);
            for (int i = 0; i < found.size; i++) {
                assertThat(found.dist2[i]).isEqualTo(dist2(p, scan[i], query));
            }
        }
    }

    /** A box too large for 1/16-octave cells gets coarser ones: queries on their boundaries get a full scan's. */
    @Test
    void queriesOnTheBoundariesOfCoarsenedCellsShouldGetAFullScansAnswer() {
        SplittableRandom random = new SplittableRandom(9);
        double[][] p = randomPoints(random, 2000, 60);
        NeighbourCells cells = new NeighbourCells(p[0], p[1], p[2], 12);
        assertThat(cells.edge()).isGreaterThan(NeighbourCells.CELL_OCTAVES);
        for (int q = 0; q < 2000; q++) {
            double[] query = new double[3];
            for (int axis = 0; axis < 3; axis++) {
                query[axis] = cells.origin(axis) + random.nextInt(1, 300) * cells.edge();
            }
            int[] scan = fullScan(p, query);
            KdTree.Nearest found = cells.nearest(query[0], query[1], query[2]);
            assertThat(Arrays.copyOf(found.points, found.size)).as("query %s", Arrays.toString(query))
                    .containsExactly(scan);
        }
    }

    /**
     * Coarser cells' edge is not a power of two: a query's cell is then found by a subtraction and a multiply that
     * may round a query beside a boundary into the neighbouring cell, which its list still covers. Queries one ulp
     * either side of each boundary on x, against the exact cell (a BigDecimal division), include such roundings, and
     * get a full scan's answer.
     */
    @Test
    void queriesRoundedIntoTheNeighbouringCoarsenedCellShouldGetAFullScansAnswer() {
        SplittableRandom random = new SplittableRandom(9);
        double[][] p = randomPoints(random, 2000, 60);
        NeighbourCells cells = new NeighbourCells(p[0], p[1], p[2], 12);
        double edge = cells.edge();
        assertThat(edge / Math.scalb(1.0, Math.getExponent(edge))).as("not a power of two").isNotEqualTo(1.0);
        double y = cells.origin(1) + 40.5 * edge;
        double z = cells.origin(2) + 40.5 * edge;
        int rounded = 0;
        for (int n = 1; n < 300; n++) {
            double boundary = cells.origin(0) + n * edge;
            for (double x : new double[] {Math.nextDown(boundary), boundary, Math.nextUp(boundary)}) {
                long exact = new BigDecimal(x).subtract(new BigDecimal(cells.origin(0)))
                        .divide(new BigDecimal(edge), 0, RoundingMode.FLOOR).longValueExact();
                if (cells.cellOf(x, y, z) == cells.cellOf(cells.origin(0) + (exact + 0.5) * edge, y, z))
                    continue;
                rounded++;
                double[] query = {x, y, z};
                KdTree.Nearest found = cells.nearest(x, y, z);
                assertThat(Arrays.copyOf(found.points, found.size)).as("query %s", Arrays.toString(query))
                        .containsExactly(fullScan(p, query));
            }
        }
        assertThat(rounded).as("queries put in a neighbouring cell").isPositive();
    }

    /** Once the pool's budget is spent, cells not built yet are answered by the k-d tree: the same points. */
    @Test
    void cellsBeyondAFullPoolShouldGetAFullScansAnswer() {
        SplittableRandom random = new SplittableRandom(11);
        double[][] p = randomPoints(random, 2000, 12);
        NeighbourCells cells = new NeighbourCells(p[0], p[1], p[2], 12, 400);
        cells.nearest(6, 6, 6);
        assertThat(cells.poolFull()).as("after the first cell").isFalse();
        for (int q = 0; q < 500; q++) {
            double[] query = {random.nextDouble(0, 12), random.nextDouble(0, 12), random.nextDouble(0, 12)};
            KdTree.Nearest found = cells.nearest(query[0], query[1], query[2]);
            assertThat(Arrays.copyOf(found.points, found.size)).as("query %s", Arrays.toString(query))
                    .containsExactly(fullScan(p, query));
        }
        assertThat(cells.poolFull()).isTrue();
    }

    /** Cells built while other threads read (and the index of cells grows) give every thread the same answers. */
    @Test
    void threadsAskingAtOnceShouldGetTheAnswersOfOneThread() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        double[][] p = randomPoints(random, 3000, 12);
        double[][] queries = new double[4000][];
        Arrays.setAll(queries, q -> new double[] {random.nextDouble(-1, 13), random.nextDouble(-1, 13),
                random.nextDouble(-1, 13)});
        NeighbourCells alone = new NeighbourCells(p[0], p[1], p[2], 12);
        List<int[]> expected = Arrays.stream(queries).map(q -> nearest(alone, q)).toList();

        NeighbourCells shared = new NeighbourCells(p[0], p[1], p[2], 12);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<List<int[]>>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = 1000 * t; // each thread starts elsewhere, so that they build different cells at once
                runs.add(pool.submit(() -> IntStream.range(0, queries.length)
                        .mapToObj(i -> nearest(shared, queries[(i + offset) % queries.length])).toList()));
            }
            for (int t = 0; t < 4; t++) {
                List<int[]> got = runs.get(t).get();
                for (int i = 0; i < queries.length; i++) {
                    assertThat(got.get(i)).isEqualTo(expected.get((i + 1000 * t) % queries.length));
                }
            }
        }
    }

    private static int[] nearest(NeighbourCells cells, double[] q) {
        KdTree.Nearest found = cells.nearest(q[0], q[1], q[2]);
        return Arrays.copyOf(found.points, found.size);
    }

    @Test
    void fewerPointsThanAskedShouldAllBeFound() {
        NeighbourCells cells = new NeighbourCells(new double[] {0, 1}, new double[] {0, 1}, new double[] {0, 1}, 12);
        assertThat(cells.nearest(0.2, 0.2, 0.2).size).isEqualTo(2);
        assertThat(cells.nearest(50, 50, 50).points).startsWith(1, 0);
    }

    /** {@code size} points uniform in [0, extent)³, as {x[], y[], z[]}. */
    private static double[][] randomPoints(SplittableRandom random, int size, double extent) {
        double[][] p = new double[3][size];
        for (int i = 0; i < size; i++) {
            for (int axis = 0; axis < 3; axis++) {
                p[axis][i] = random.nextDouble(0, extent);
            }
        }
        return p;
    }

    /** The 12 nearest of q by a scan of every point, nearest first, ties by index. */
    private static int[] fullScan(double[][] p, double[] q) {
        return IntStream.range(0, p[0].length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> dist2(p, i, q)).thenComparingInt(i -> i))
                .limit(12).mapToInt(Integer::intValue).toArray();
    }

    private static double dist2(double[][] p, int i, double[] q) {
        double dx = p[0][i] - q[0];
        double dy = p[1][i] - q[1];
        double dz = p[2][i] - q[2];
        return dx * dx + dy * dy + dz * dz;
    }
}
