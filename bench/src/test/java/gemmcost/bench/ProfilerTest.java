package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.cuda.ClockReader;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import gemmcost.table.ProfileJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilerTest {
    private static final StoppingRule RULE = new StoppingRule(10, 0, 0.005, 1e9);
    private static final GemmShape SHAPE = new GemmShape(2048, 1024, 512);

    @TempDir
    Path dir;

    @Test
    void shouldCheckMeasureAndWriteAMeasuredTableWithProvenance() {
        StringWriter log = new StringWriter();
        // read at the sweep's start and after its one shape
        List<ClockReader.Sample> readings = new ArrayList<>(List.of(new ClockReader.Sample(1980, 2619, List.of()),
                new ClockReader.Sample(1755, 2619, List.of("sw_power_cap"))));
        Profiler profiler = new Profiler(new CorrectnessCheckTest.FaithfulBackend(), RULE, 2, System::nanoTime,
                new PrintWriter(log, true), () -> Optional.of(readings.removeFirst()));

        List<Path> written = profiler.run(List.of(Dtype.BF16), List.of(SHAPE), dir);

        Path table = dir.resolve("simulated-gpu").resolve("bf16.json");
        assertThat(written).containsExactly(table);
        Profile p = ProfileJson.read(table);
        assertThat(p.provenance().kind()).isEqualTo(Profile.Kind.MEASURED);
        assertThat(p.device().name()).isEqualTo("Simulated GPU");
        assertThat(p.device().smCount()).isEqualTo(132);
        assertThat(p.timing().backend()).isEqualTo("simulated");
        assertThat(p.device().clocks()).isEqualTo(new Profile.Clocks(1980, 1755, 2619, 2619, List.of("sw_power_cap")));
        assertThat(p.timing().warmupIterations()).isEqualTo(2);
        double t = SweepTest.SimulatedBackend.timeUs(SHAPE); // 1 µs + 2·2048·1024·512 / 1e9 µs
        assertThat(p.entries()).containsExactly(
                new ProfileEntry(SHAPE, t, t, t, 10, List.of("noise_pct=0.000", "stop=noise",
                        "sm_clock_drop_pct=11.4"))); // 1 − 1755/1980
        assertThat(log.toString()).startsWith("bf16: relative Frobenius error ").contains("[1/1] " + SHAPE);
    }

    @Test
    void shouldNotTimeADtypeThatFailsTheCorrectnessCheck() {
        Profiler profiler = new Profiler(new CorrectnessCheckTest.ColumnMajorMixUp(), RULE, 0, System::nanoTime,
                new PrintWriter(new StringWriter()), Optional::empty);

        assertThatThrownBy(() -> profiler.run(List.of(Dtype.FP32), List.of(SHAPE), dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("correctness check failed, not timing fp32 on simulated: ");
        assertThat(Files.exists(dir.resolve("simulated-gpu").resolve("fp32.json"))).isFalse();
    }

    @Test
    void shouldSlugDeviceNames() {
        assertThat(Profiler.slug("NVIDIA H100 80GB HBM3")).isEqualTo("nvidia-h100-80gb-hbm3");
        assertThat(Profiler.slug("NVIDIA A100-SXM4-80GB")).isEqualTo("nvidia-a100-sxm4-80gb");
    }
}
