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

    private static LocalFit gridWithResidualX() {
        int size = 125;
        double[] x = new double[size];
        double[] y = new double[size];
        double[] z = new double[size];
        for (int p = 0; p < size; p++) {
            x[p] = p / 25;
            y[p] = p / 5 % 5;
            z[p] = p % 5;
        }
        return new LocalFit(x, y, z, x.clone());
    }
}
