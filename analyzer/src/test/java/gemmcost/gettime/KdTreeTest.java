package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KdTreeTest {
    @Test
    void shouldFindTheSameNeighbourDistancesAsAFullScan() {
        SplittableRandom random = new SplittableRandom(7);
        int size = 3000;
        double[][] p = new double[3][size];
        for (int i = 0; i < size; i++) {
            for (int axis = 0; axis < 3; axis++) {
                // a coarse lattice, so that many points tie on a coordinate as in real tables
                p[axis][i] = random.nextInt(16) + (axis == 0 ? random.nextDouble() : 0);
            }
        }
        KdTree tree = new KdTree(p[0], p[1], p[2]);
        for (int q = 0; q < 200; q++) {
            double[] query = {random.nextDouble(-2, 18), random.nextDouble(-2, 18), random.nextDouble(-2, 18)};
            KdTree.Nearest found = tree.nearest(query[0], query[1], query[2], 12);

            double[] scan = new double[size];
            for (int i = 0; i < size; i++) {
                scan[i] = dist2(p, i, query);
            }
            Arrays.sort(scan);
            double[] fromTree = Arrays.copyOf(found.dist2, found.size);
            Arrays.sort(fromTree);
            assertThat(fromTree).containsExactly(Arrays.copyOf(scan, 12));
            for (int i = 0; i < found.size; i++) {
                assertThat(dist2(p, found.points[i], query)).isEqualTo(found.dist2[i]);
            }
        }
    }

    @Test
    void shouldReturnEveryPointWhenFewerThanAsked() {
        KdTree tree = new KdTree(new double[] {0, 1}, new double[] {0, 1}, new double[] {0, 1});
        assertThat(tree.nearest(5, 5, 5, 12).size).isEqualTo(2);
    }

    private static double dist2(double[][] p, int i, double[] q) {
        double dx = p[0][i] - q[0];
        double dy = p[1][i] - q[1];
        double dz = p[2][i] - q[2];
        return dx * dx + dy * dy + dz * dz;
    }
}
