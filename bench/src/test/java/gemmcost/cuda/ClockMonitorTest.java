package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClockMonitorTest {
    @TempDir
    Path dir;

    @Test
    void shouldParseClocksAndNameTheActiveReasons() {
        // 0x24 = sw_power_cap (0x4) | sw_thermal_slowdown (0x20)
        assertThat(ClockMonitor.parse("1755, 2619, 0x0000000000000024\n", 7))
                .contains(new ClockSample(7, 1755, 2619, List.of("sw_power_cap", "sw_thermal_slowdown")));
        assertThat(ClockMonitor.parse("1980, 2619, 0x0000000000000000", 8))
                .contains(new ClockSample(8, 1980, 2619, List.of()));
        assertThat(ClockMonitor.parse("[N/A], [N/A], [N/A]", 0)).isEmpty();
        assertThat(ClockMonitor.parse("NVIDIA-SMI has failed", 0)).isEmpty();
    }

    @Test
    void aWindowShouldHoldItsSamplesAfterTheOneItBeganIn() {
        try (ClockMonitor m = ClockMonitor.none("test")) {
            for (long t : new long[] {10, 20, 30, 40}) {
                m.add(new ClockSample(t, (int) (1000 + t), 2619, List.of()));
            }
            assertThat(m.between(25, 40)).extracting(ClockSample::nanoTime).containsExactly(20L, 30L, 40L);
            assertThat(m.between(21, 22)).extracting(ClockSample::nanoTime).containsExactly(20L);
            assertThat(m.between(0, 5)).isEmpty();
            assertThat(m.latest()).map(ClockSample::smMhz).contains(1040);
        }
    }

    @Test
    void shouldPollItsSourceUntilClosed() throws Exception {
        try (ClockMonitor m = ClockMonitor.polling("test", t -> Optional.of(new ClockSample(t, 1980, 2619, List.of())),
                1)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (m.between(0, Long.MAX_VALUE).size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(m.between(0, Long.MAX_VALUE)).hasSizeGreaterThanOrEqualTo(3);
            assertThat(m.source()).isEqualTo("test");
        }
    }

    /** A fake nvidia-smi: records its arguments, rejects the new field name like a driver older than 535. */
    private Path fakeSmi(String body) throws Exception {
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho \"$@\" >> " + dir.resolve("calls") + "\n" + body);
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwx------"));
        return smi;
    }

    @Test
    void oneNvidiaSmiProcessShouldStreamSamplesAddressingTheGpuByBusIdWithTheOlderFieldNameWhenNeeded()
            throws Exception {
        Path smi = fakeSmi("""
                case "$1" in
                  *clocks_event_reasons*) echo 'Field "clocks_event_reasons.active" is not a valid field to query.'; exit 2;;
                esac
                while true; do echo '1755, 2619, 0x8'; sleep 0.05; done
                """);
        try (ClockMonitor m = ClockMonitor.nvidiaSmi(List.of(smi.toString()), "0000:3B:00.0", 10)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (m.latest().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(m.latest()).map(ClockSample::reasons).contains(List.of("hw_slowdown"));
        }
        assertThat(Files.readAllLines(dir.resolve("calls"))).containsExactly(
                "--query-gpu=" + ClockMonitor.EVENT_FIELDS + " --format=csv,noheader,nounits -i 0000:3B:00.0 -lms 100",
                "--query-gpu=" + ClockMonitor.THROTTLE_FIELDS + " --format=csv,noheader,nounits -i 0000:3B:00.0 -lms 100");
    }

    @Test
    void aHungNvidiaSmiShouldBeGivenUpAfterTheTimeoutWithoutBlocking() throws Exception {
        Path smi = fakeSmi("exec sleep 600\n");
        try (ClockMonitor m = ClockMonitor.nvidiaSmi(List.of(smi.toString()), "0000:3B:00.0", 1)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (m.problem().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(m.problem()).contains("nvidia-smi gave no reading within 1 s");
            assertThat(m.latest()).isEmpty();
        }
    }
}
