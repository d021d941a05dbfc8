package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClockReaderTest {
    @Test
    void shouldParseClocksAndNameTheActiveReasons() {
        // 0x24 = sw_power_cap (0x4) | sw_thermal_slowdown (0x20)
        assertThat(ClockReader.parse("1755, 2619, 0x0000000000000024\n"))
                .contains(new ClockReader.Sample(1755, 2619, List.of("sw_power_cap", "sw_thermal_slowdown")));
        assertThat(ClockReader.parse("1980, 2619, 0x0000000000000000"))
                .contains(new ClockReader.Sample(1980, 2619, List.of()));
    }

    @Test
    void shouldTreatAnythingElseAsUnknown() {
        assertThat(ClockReader.parse("[N/A], [N/A], [N/A]")).isEmpty();
        assertThat(ClockReader.parse("NVIDIA-SMI has failed")).isEmpty();
        assertThat(new ClockReader(command -> Optional.empty()).read(0)).isEmpty();
    }

    @Test
    void shouldQueryTheGivenDeviceReadOnly() {
        List<List<String>> asked = new ArrayList<>();
        new ClockReader(command -> {
            asked.add(command);
            return Optional.of("1980, 2619, 0x0");
        }).read(3);
        assertThat(asked).containsExactly(List.of("nvidia-smi",
                "--query-gpu=clocks.sm,clocks.mem,clocks_event_reasons.active", "--format=csv,noheader,nounits", "-i", "3"));
    }
}
