package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import gemmcost.BadInputException;
import gemmcost.cuda.ClockSample;
import gemmcost.cuda.DeviceProperties;
import gemmcost.device.Dtype;
import gemmcost.table.EntryFlag;
import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import gemmcost.table.ProfileJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        // one window under the device warm-up, one while the shape ran
        List<List<ClockSample>> windows = new ArrayList<>(List.of(
                List.of(new ClockSample(0, 1980, 2619, List.of())),
                List.of(new ClockSample(0, 1755, 2600, List.of("sw_power_cap")))));
        Profiler profiler = new Profiler(new CorrectnessCheckTest.FaithfulBackend(), RULE, new Warmup(2, 1e-6), 0,
                ticking(), new PrintWriter(log, true), (from, to) -> windows.removeFirst());

        List<Path> written = profiler.run(List.of(Dtype.BF16), List.of(SHAPE), dir);

        Path table = dir.resolve("simulated-gpu").resolve("bf16.json");
        assertThat(written).containsExactly(table);
        Profile p = ProfileJson.read(table);
        assertThat(p.provenance().kind()).isEqualTo(Profile.Kind.MEASURED);
        assertThat(p.device().name()).isEqualTo("Simulated GPU");
        assertThat(p.device().smCount()).isEqualTo(132);
        assertThat(p.timing().backend()).isEqualTo("simulated");
        // 2 GiB copied at the simulated backend's 3 TB/s
        assertThat(p.device().memoryBandwidthBytesPerSec()).isCloseTo(3.0e12, within(1.0));
        // the SM and memory clocks under the warm-up's load, the last sample, and every reason seen
        assertThat(p.device().clocks()).isEqualTo(new Profile.Clocks(1980, 1755, 2619, 2600, List.of("sw_power_cap")));
        assertThat(p.timing().warmupIterations()).isEqualTo(2);
        double t = SweepTest.SimulatedBackend.timeUs(SHAPE); // 1 µs + 2·2048·1024·512 / 1e9 µs
        assertThat(p.entries()).containsExactly(
                new ProfileEntry(SHAPE, t, t, t, 10, EntryFlag.parseAll(List.of("noise_pct=0.000", "stop=noise",
                        "sm_mhz=1755/1755/1755", "sm_clock_drop_pct=11.4")))); // 1 − 1755/1980
        assertThat(log.toString()).startsWith("bf16: relative Frobenius error ")
                .contains("memory bandwidth: 3000 GB/s measured (device-to-device copy of 2048 MiB, read + written;"
                        + " median of 10, p10-p90 1432-1432 us)")
                .contains("device warm-up: 1 launches of (m=8192, k=8192, n=8192) bf16 in 0.0 s; SM clock under load: 1980 MHz measured")
                .contains("[1/1] " + SHAPE + ": " + String.format(java.util.Locale.ROOT, "%.4g", t) + " us measured");
    }

    @Test
    void shouldNotTimeADtypeThatFailsTheCorrectnessCheck() {
        Profiler profiler = new Profiler(new CorrectnessCheckTest.ColumnMajorMixUp(), RULE, new Warmup(1, 1e-6), 0,
                ticking(), new PrintWriter(new StringWriter()), Sweep.Clocks.NONE);

        assertThatThrownBy(() -> profiler.run(List.of(Dtype.FP32), List.of(SHAPE), dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("correctness check failed, not timing fp32 on simulated: ");
        assertThat(Files.exists(dir.resolve("simulated-gpu").resolve("fp32.json"))).isFalse();
    }

    private static java.util.function.LongSupplier ticking() {
        long[] now = {0};
        return () -> ++now[0];
    }

    @Test
    void aTableMadeOnTheStandInShouldSaySimulated() {
        SweepTest.SimulatedBackend standin = new CorrectnessCheckTest.FaithfulBackend() {
            @Override
            public DeviceProperties device() {
                return new DeviceProperties("gemmcost CUDA stand-in (simulated, not a GPU)", "9.0", 132, 80L << 30,
                        50L << 20, "13.0", "13.0", "13.0.0", "0000:18:00.0", null, true);
            }
        };
        Profiler profiler = new Profiler(standin, RULE, new Warmup(1, 1e-6), 0, ticking(),
                new PrintWriter(new StringWriter()), Sweep.Clocks.NONE);

        Profile p = ProfileJson.read(profiler.run(List.of(Dtype.BF16), List.of(SHAPE), dir).getFirst());

        assertThat(p.provenance().kind()).isEqualTo(Profile.Kind.SIMULATED);
        assertThat(p.provenance().source()).startsWith("SIMULATED on gemmcost's CUDA stand-in (no GPU)");
        assertThat(p.device().name()).contains("stand-in");
    }

    @Test
    void aTableCutShortByTheTimeLimitShouldSayPartialAndTheLogHowToResume() {
        new Profiler(new CorrectnessCheckTest.FaithfulBackend(), RULE, new Warmup(1, 1e-6), 0, ticking(),
                new PrintWriter(new StringWriter()), Sweep.Clocks.NONE).run(List.of(Dtype.BF16), List.of(SHAPE), dir);
        StringWriter log = new StringWriter();
        GemmShape more = new GemmShape(4096, 1024, 512);

        // the deadline has passed before the second run starts a shape: the table holds the journal's one entry
        Path table = new Profiler(new CorrectnessCheckTest.FaithfulBackend(), RULE, new Warmup(1, 1e-6), 0, ticking(),
                new PrintWriter(log, true), Sweep.Clocks.NONE).run(List.of(Dtype.BF16), List.of(SHAPE, more), dir, 0)
                .getFirst();

        Profile p = ProfileJson.read(table);
        assertThat(p.entries()).extracting(ProfileEntry::shape).containsExactly(SHAPE);
        assertThat(p.provenance().source()).endsWith("; partial: the time limit stopped it with 1 shapes of the set not"
                + " started (the same command resumes them from the journal)");
        assertThat(log.toString()).contains("bf16: time limit reached, 1 of 2 shapes not started; the journal holds the"
                + " 1 done: run the same command again to resume");
    }

    @Test
    void aLaterDtypesJournalOfAnotherSetupShouldBeRefusedBeforeTheFirstDtypeIsMeasured() throws IOException {
        Path journal = dir.resolve("simulated-gpu").resolve("fp32.journal");
        Files.createDirectories(journal.getParent());
        Files.writeString(journal, "{\"schema\":\"gemmcost.journal\",\"schema_version\":1,"
                + "\"setup\":{\"backend\":\"jcuda\"}}\n");
        StringWriter log = new StringWriter();
        Profiler profiler = new Profiler(new CorrectnessCheckTest.FaithfulBackend(), RULE, new Warmup(1, 1e-6), 0,
                ticking(), new PrintWriter(log, true), Sweep.Clocks.NONE);

        assertThatThrownBy(() -> profiler.run(List.of(Dtype.BF16, Dtype.FP32), List.of(SHAPE), dir))
                .isInstanceOf(BadInputException.class)
                .hasMessage(journal + ": started with backend jcuda, this run has simulated; resume with the same"
                        + " setup, or move the journal away to start anew");
        assertThat(log.toString()).doesNotContain("device warm-up");
        assertThat(dir.resolve("simulated-gpu").resolve("bf16.json")).doesNotExist();
    }

    @Test
    void shouldSlugDeviceNames() {
        assertThat(Profiler.slug("NVIDIA H100 80GB HBM3")).isEqualTo("nvidia-h100-80gb-hbm3");
        assertThat(Profiler.slug("NVIDIA A100-SXM4-80GB")).isEqualTo("nvidia-a100-sxm4-80gb");
    }
}
