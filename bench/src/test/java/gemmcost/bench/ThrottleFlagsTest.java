package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.cuda.ClockReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThrottleFlagsTest {
    private static Optional<ClockReader.Sample> at(int smMhz, String... reasons) {
        return Optional.of(new ClockReader.Sample(smMhz, 2619, List.of(reasons)));
    }

    @Test
    void shouldFlagSlowdownReasonsButNotSteadyPowerCapping() {
        assertThat(ThrottleFlags.of(at(1980), at(1980, "sw_power_cap"))).isEmpty();
        assertThat(ThrottleFlags.of(at(1980), at(1980, "sw_power_cap", "hw_thermal_slowdown", "hw_slowdown")))
                .containsExactly("throttled=hw_thermal_slowdown+hw_slowdown");
    }

    @Test
    void shouldFlagAnSmClockMoreThanTenPercentBelowTheSweepsStart() {
        // 1980 → 1782 is exactly 10 %: not flagged; 1980 → 1700 is 14.1 %
        assertThat(ThrottleFlags.of(at(1980), at(1782))).isEmpty();
        assertThat(ThrottleFlags.of(at(1980), at(1700))).containsExactly("sm_clock_drop_pct=14.1");
    }

    @Test
    void shouldFlagNothingWithoutAReading() {
        assertThat(ThrottleFlags.of(Optional.empty(), Optional.empty())).isEmpty();
        assertThat(ThrottleFlags.of(Optional.empty(), at(1000, "hw_slowdown")))
                .containsExactly("throttled=hw_slowdown");
    }
}
