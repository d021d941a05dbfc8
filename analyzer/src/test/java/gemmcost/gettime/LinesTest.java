package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinesTest {
    /**
     * Three m-lines, a step of 1 octave apart in n or k: the query's line (k = n = 1024) has m = 16 and 32; its two
     * neighbours also measured m = 20, where both show a bump above their chord.
     */
    private static final long[][] SHAPES = {
            {16, 1024, 1024}, {32, 1024, 1024},
            {16, 1024, 2048}, {20, 1024, 2048}, {32, 1024, 2048},
            {16, 2048, 1024}, {20, 2048, 1024}, {32, 2048, 1024}};
    private static final double[] RESIDUALS = {0.5, 1.0, 0.0, 0.6, 0.2, 0.1, 0.9, 0.3};

    @Test
    void aStepTheNeighbouringLinesShowShouldBeBlendedFromTheChordPlusTheirDetailAndTheirShiftedValues() {
        double f = Math.log(20.0 / 16) / Math.log(2); // m = 20 between m = 16 and 32, in log2
        // along the line: its chord 0.5 + 0.5 f, plus the median (here the mean) of the neighbours' departures from
        // their own chords at m = 20: 0.6 - (0 + 0.2 f) and 0.9 - (0.1 + 0.2 f); 1.30, within the line's range 0.5 to
        // 1.0 widened by how far the neighbours' bumps lie above their own ranges (0.4 and 0.6: median 0.5)
        double along = 0.5 + 0.5 * f + ((0.6 - 0.2 * f) + (0.8 - 0.2 * f)) / 2;
        // across lines: each neighbour's value at m = 20 plus its offset from the line at m = 16 (the only common
        // coordinate within half an octave of m = 20): 0.6 + 0.5 and 0.9 + 0.4
        double across = (1.1 + 1.3) / 2;

        assertBlendAt20(RESIDUALS, along, across);
    }

    /**
     * The neighbours step up between m = 16 and 32, at m = 20; the query's line is flat there. Their step lies within
     * their own two points' range, so the detail it brings may not take the line past its own two points.
     */
    @Test
    void aDetailShouldNotTakeTheLinePastItsOwnPointsWhereTheNeighboursStayWithinTheirs() {
        double[] residuals = {0.5, 0.52, 0.0, 0.8, 1.0, 0.1, 0.9, 1.1};
        // the chord 0.5 + 0.02 f plus the departures 0.8 - f would be 1.3 - 0.98 f = 0.98; the range ends at 0.52
        double along = 0.52;
        // across: 0.8 + (0.5 - 0.0) and 0.9 + (0.5 - 0.1), from the offsets at m = 16
        double across = 1.3;

        assertBlendAt20(residuals, along, across);
    }

    /**
     * The neighbours dip at m = 20 to 0.2 below the lower of their own two points: the line may go as far below its
     * own, and no further.
     */
    @Test
    void aDetailShouldTakeTheLineBelowItsOwnPointsAsFarAsTheNeighboursDipBelowTheirs() {
        double[] residuals = {1.0, 1.4, 0.5, 0.1, 0.3, 0.6, 0.2, 0.4};
        // the chord 1.0 + 0.4 f plus the departures 0.1 - (0.5 - 0.2 f) and 0.2 - (0.6 - 0.2 f) is 0.6 + 0.6 f = 0.793
        // (f = log2 1.25 = 0.322): below the range 1.0 - 0.2 to 1.4
        double along = 0.8;
        // across: 0.1 + (1.0 - 0.5) and 0.2 + (1.0 - 0.6)
        double across = 0.6;

        assertBlendAt20(residuals, along, across);
    }

    @Test
    void aLineWithoutNeighboursShouldBeInterpolatedAlongItsChord() {
        Lines alone = new Lines(new long[][] {{16, 1024, 1024}, {32, 1024, 1024}}, new double[] {0.5, 1.0});
        double f = Math.log(20.0 / 16) / Math.log(2);

        assertThat(at(alone, 20, 1024, 1024)).isCloseTo(0.5 + 0.5 * f, within(1e-12));
        assertThat(at(alone, 64, 1024, 1024)).isNaN(); // beyond the line: not bracketed
        assertThat(at(alone, 20, 1024, 4096)).isNaN(); // on no line
    }

    /**
     * More than the kept 64 near lines, none of which measured the query's m: the farther lines that did still give
     * the step, exactly as if the near ones were not there.
     */
    @Test
    void linesBeyondTheKeptNearOnesShouldStillBeFound() {
        List<long[]> far = new ArrayList<>();
        List<Double> farResiduals = new ArrayList<>();
        far.add(new long[] {16, 1024, 1024});
        far.add(new long[] {32, 1024, 1024});
        farResiduals.addAll(List.of(0.5, 1.0));
        for (int i = 1; i <= 12; i++) { // 1 to 1.2 octaves away in k, with the step at m = 20
            for (long m : new long[] {16, 20, 32}) {
                far.add(new long[] {m, 2048 + 16L * i, 1024});
                farResiduals.add(m == 20 ? 0.9 : 0.1);
            }
        }
        List<long[]> all = new ArrayList<>(far);
        List<Double> allResiduals = new ArrayList<>(farResiduals);
        for (int i = 1; i <= 70; i++) { // nearer (k within 0.1 octave) but never measured at m = 20
            for (long m : new long[] {16, 32}) {
                all.add(new long[] {m, 1024 + i, 1024});
                allResiduals.add(0.3);
            }
        }

        double withNear = at(lines(all, allResiduals), 20, 1024, 1024);

        assertThat(withNear).isEqualTo(at(lines(far, farResiduals), 20, 1024, 1024));
        assertThat(withNear).isGreaterThan(1.0); // the step (0.8 above the chord) is there
    }

    /**
     * The residual at m = 20 on the line k = n = 1024 of {@code SHAPES} is the blend of {@code along} and
     * {@code across}: weights 1 / (bracket width 1 octave)^2 and 1 / (0.1 x distance^2 of the median neighbour,
     * 1 octave^2).
     */
    private static void assertBlendAt20(double[] residuals, double along, double across) {
        double expected = (1 * along + 10 * across) / 11;
        assertThat(at(new Lines(SHAPES, residuals), 20, 1024, 1024)).isCloseTo(expected, within(1e-12));
    }

    /** The residual at (m, k, n), as TableGetTime asks for it. */
    private static double at(Lines lines, long m, long k, long n) {
        return lines.residualAt(m, k, n, lines.knownAxes(m, k, n));
    }

    private static Lines lines(List<long[]> shapes, List<Double> residuals) {
        return new Lines(shapes.toArray(long[][]::new), residuals.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
