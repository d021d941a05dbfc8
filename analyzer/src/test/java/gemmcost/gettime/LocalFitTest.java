package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LocalFitTest {
    /** Residual = x on the grid {0..4}³: a fit follows the slope inside, and outside the neighbours' range holds it. */
    private static final LocalFit FIT = gridWithResidualX();

    @Test
    void insideTheDataShouldFollowTheLocalSlope() {
        assertThat(FIT.answerAt(2.5, 2, 2).residual()).isCloseTo(2.5, within(1e-2));
        assertThat(FIT.answerAt(0.75, 1.5, 3).residual()).isCloseTo(0.75, within(1e-2));
    }

    @Test
    void beyondTheDataShouldHoldTheNeighboursHighestOrLowestResidual() {
        // the 12 nearest of (4.4, 2, 2): nine at x = 4, three at x = 3; the slope says 4.4, held at 4, exactly
        assertThat(FIT.answerAt(4.4, 2, 2).residual()).isEqualTo(4.0);
        assertThat(FIT.answerAt(-0.4, 2, 2).residual()).isEqualTo(0.0);
        // beyond the lattice (a margin of one octave), from the k-d tree's neighbours: (3, 2, 2) is among them
        assertThat(FIT.answerAt(5.4, 2, 2).residual()).isEqualTo(4.0);
    }

    @Test
    void fartherThanTwoOctavesFromEveryPointShouldHoldTheNeighboursMeanNotASlope() {
        // (-1, -1, -1) is 1.7 octaves from (0, 0, 0): the slope says -1, held at the lowest neighbour, 0
        assertThat(FIT.answerAt(-1, -1, -1).residual()).isEqualTo(0.0);
        // (-3, -3, -3) is 5.2 octaves from it: the neighbours' weighted mean; among the 12 nearest, (0, 0, 0) and
        // five more have x = 0, the others x = 1 or 2, so the mean lies strictly between (the slope would say 0)
        assertThat(FIT.answerAt(-3, -3, -3).residual()).isStrictlyBetween(0.0, 1.0);
    }

    @Test
    void theBoundsShouldBeTheLongestTimeOfASmallerNeighbourAndTheShortestOfALargerOne() {
        // time = x + y + z + 1 on the grid: of the 12 nearest of (2.5, 2, 2), (2, 2, 2) is the largest no larger on
        // every axis (7), (3, 2, 2) the smallest no smaller (8)
        double[][] grid = grid();
        double[] time = new double[grid[0].length];
        for (int p = 0; p < time.length; p++)
            time[p] = grid[0][p] + grid[1][p] + grid[2][p] + 1;
        LocalFit.Answer a = new LocalFit(grid[0], grid[1], grid[2], grid[0].clone(), time).answerAt(2.5, 2, 2);
        assertThat(a.lowerUs()).isEqualTo(7.0);
        assertThat(a.upperUs()).isEqualTo(8.0);
        // beyond the grid nothing among the neighbours is larger on every axis
        LocalFit.Answer beyond = new LocalFit(grid[0], grid[1], grid[2], grid[0].clone(), time).answerAt(4.5, 4, 4);
        assertThat(beyond.lowerUs()).isEqualTo(13.0);
        assertThat(beyond.upperUs()).isInfinite();
    }

    private static double[][] grid() {
        int size = 125;
        double[][] xyz = new double[3][size];
        for (int p = 0; p < size; p++) {
            xyz[0][p] = p / 25;
            xyz[1][p] = p / 5 % 5;
            xyz[2][p] = p % 5;
        }
        return xyz;
    }

    private static LocalFit gridWithResidualX() {
        double[][] grid = grid();
        return new LocalFit(grid[0], grid[1], grid[2], grid[0].clone(), new double[grid[0].length]);
    }
}
