package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
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
            int[] scan = IntStream.range(0, size).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> dist2(p, i, query)).thenComparingInt(i -> i))
                    .limit(12).mapToInt(Integer::intValue).toArray();

            assertThat(Arrays.copyOf(found.points, found.size)).as("query %s", Arrays.toString(query))
                    .containsExactly(scan);
            for (int i = 0; i < found.size; i++) {
                assertThat(found.dist2[i]).isEqualTo(dist2(p, scan[i], query));
            }
        }
    }

    @Test
    void fewerPointsThanAskedShouldAllBeFound() {
        NeighbourCells cells = new NeighbourCells(new double[] {0, 1}, new double[] {0, 1}, new double[] {0, 1}, 12);
        assertThat(cells.nearest(0.2, 0.2, 0.2).size).isEqualTo(2);
        assertThat(cells.nearest(50, 50, 50).points).startsWith(1, 0);
    }

    private static double dist2(double[][] p, int i, double[] q) {
        double dx = p[0][i] - q[0];
        double dy = p[1][i] - q[1];
        double dz = p[2][i] - q[2];
        return dx * dx + dy * dy + dz * dz;
    }
}
