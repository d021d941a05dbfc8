package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.cuda.ClockSample;
import gemmcost.table.EntryFlag;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ThrottleFlagsTest {
    private static final OptionalInt BASELINE = OptionalInt.of(1980);

    private static ClockSample at(int smMhz, String... reasons) {
        return new ClockSample(0, smMhz, 2619, List.of(reasons));
    }

    @Test
    void shouldGiveTheWindowsSmClockRangeAndFlagSlowdownsButNotSteadyPowerCapping() {
        assertThat(flagTexts(BASELINE, List.of(at(1980, "sw_power_cap")))).containsExactly("sm_mhz=1980/1980/1980");
        assertThat(flagTexts(BASELINE, List.of(at(1980, "sw_power_cap", "hw_thermal_slowdown"),
                at(1965, "hw_slowdown"), at(1950))))
                .containsExactly("sm_mhz=1950/1965/1980", "throttled=hw_thermal_slowdown+hw_slowdown");
    }

    @Test
    void shouldFlagAMinimumSmClockMoreThanTenPercentBelowTheBaselineUnderLoad() {
        // 1980 → 1782 is exactly 10 %: not flagged; 1980 → 1700 is 14.1 %
        assertThat(flagTexts(BASELINE, List.of(at(1782), at(1980)))).containsExactly("sm_mhz=1782/1980/1980");
        assertThat(flagTexts(BASELINE, List.of(at(1980), at(1700))))
                .containsExactly("sm_mhz=1700/1980/1980", "sm_clock_drop_pct=14.1");
    }

    @Test
    void shouldFlagNothingWithoutSamplesAndNoDropWithoutABaseline() {
        assertThat(flagTexts(BASELINE, List.of())).isEmpty();
        assertThat(flagTexts(OptionalInt.empty(), List.of(at(1000, "hw_slowdown"))))
                .containsExactly("sm_mhz=1000/1000/1000", "throttled=hw_slowdown");
    }

    private static List<String> flagTexts(OptionalInt baselineSmMhz, List<ClockSample> window) {
        return ThrottleFlags.of(baselineSmMhz, window).stream().map(EntryFlag::text).toList();
    }
}
