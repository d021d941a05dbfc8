package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ErrorStatsTest {
    @Test
    void shouldInterpolatePercentilesBetweenOrderStatistics() {
        ErrorStats s = ErrorStats.of(new double[] {5, 1, 4, 2, 3});
        assertThat(s.count()).isEqualTo(5);
        assertThat(s.medianApePct()).isEqualTo(3.0);
        assertThat(s.p90ApePct()).isCloseTo(4.6, within(1e-12)); // rank 0.9·4 = 3.6 → 4 + 0.6·(5 − 4)
        assertThat(s.maxApePct()).isEqualTo(5.0);
    }

    @Test
    void shouldMeasureErrorRelativeToTheMeasurement() {
        assertThat(ErrorStats.apePct(90, 100)).isCloseTo(10.0, within(1e-12));
        assertThat(ErrorStats.apePct(120, 100)).isCloseTo(20.0, within(1e-12));
    }
}
