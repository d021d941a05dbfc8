package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import gemmcost.ResumableFailure;
import gemmcost.cuda.ClockSample;
import gemmcost.cuda.DeviceProperties;
import gemmcost.cuda.GemmBackend;
import gemmcost.cuda.GpuException;
import gemmcost.device.Dtype;
import gemmcost.table.EntryFlag;
import gemmcost.table.GemmShape;
import gemmcost.table.ProfileEntry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
    /** Deterministic timings: 1 µs + 1 µs per GFLOP, every launch alike; shapes with m = 13 fail to execute. */
    static class SimulatedBackend implements GemmBackend {
        final List<GemmShape> opened = new ArrayList<>();
        int launches;
        boolean contextLost;

        static double timeUs(GemmShape s) {
            return 1 + s.flops() / 1e9;
        }

        @Override
        public String name() {
            return "simulated";
        }

        @Override
        public DeviceProperties device() {
            return new DeviceProperties("Simulated GPU", "9.0", 132, 80_000_000_000L, 50_000_000L, null, null, null,
                    "0000:3B:00.0", null, false);
        }

        @Override
        public GemmTrial open(GemmShape shape, Dtype dtype) {
            if (shape.m() == 13) {
                throw new GpuException("cublasGemmEx: CUBLAS_STATUS_EXECUTION_FAILED (13)", false);
            }
            opened.add(shape);
            return new FixedTrial(() -> {
                launches++;
                return timeUs(shape);
            });
        }

        /** A copy reads and writes its bytes at {@value #COPY_BYTES_PER_SEC} bytes/s. */
        @Override
        public GemmTrial openCopy(long bytes) {
            return new FixedTrial(() -> 2.0 * bytes / COPY_BYTES_PER_SEC * 1e6);
        }

        static final double COPY_BYTES_PER_SEC = 3.0e12;

        @Override
        public float[] multiply(GemmShape shape, Dtype dtype, float[] a, float[] b) {
            throw new UnsupportedOperationException("timing only");
        }

        /** A 256 MiB flush buffer, a 32 MiB workspace and two 32 MiB operand pools, as a real backend keeps. */
        @Override
        public long reservedBytes() {
            return (256L + 32 + 64) << 20;
        }

        @Override
        public void checkContext() {
            if (contextLost) {
                throw new GpuException("cudaDeviceSynchronize: cudaErrorIllegalAddress (700)", false, true);
            }
        }

        @Override
        public void close() {
        }
    }

    private static final PrintWriter QUIET = new PrintWriter(Writer.nullWriter());
    /** Exactly {@code minLaunches}: the clock below moves 1 ns per read, and 1 ns is the minimum wall time. */
    static final Warmup THREE_LAUNCHES = new Warmup(3, 1e-6);
    private static final StoppingRule RULE = new StoppingRule(10, 0, 0.005, 1e9);
    private static final GemmShape SMALL = new GemmShape(1024, 1024, 1024);
    private static final GemmShape LARGE = new GemmShape(4096, 4096, 4096);
    private static final GemmShape TOO_BIG = new GemmShape(13, 1, 1);

    @TempDir
    Path dir;

    /** A sweep on a clock that moves 1 ns per read. */
    static Sweep sweep(GemmBackend backend, StoppingRule rule, Sweep.Clocks clocks) {
        long[] now = {0};
        return new Sweep(backend, Dtype.BF16, rule, THREE_LAUNCHES, () -> ++now[0], clocks, OptionalInt.of(1980));
    }

    private static Journal journal(Path file) {
        return Journal.open(file, Map.of("backend", "simulated"));
    }

    @Test
    void shouldStartNoShapeAfterTheDeadlineAndResumeTheRestLater() {
        SimulatedBackend backend = new SimulatedBackend();
        long[] now = {0};
        // the clock jumps past the deadline once the first shape's 3 warm-up + 10 timed launches are done
        Sweep sweep = new Sweep(backend, Dtype.BF16, RULE, THREE_LAUNCHES,
                () -> backend.launches >= 13 ? 2_000_000 : ++now[0], Sweep.Clocks.NONE, OptionalInt.of(1980));
        try (Journal journal = journal(dir.resolve("j"))) {
            Sweep.Result cut = sweep.run(List.of(SMALL, LARGE), journal, QUIET, 1_000_000);

            assertThat(cut.entries()).extracting(ProfileEntry::shape).containsExactly(SMALL);
            assertThat(cut.notStarted()).isEqualTo(1);
        }
        try (Journal journal = journal(dir.resolve("j"))) {
            Sweep.Result resumed = sweep(backend, RULE, Sweep.Clocks.NONE).run(List.of(SMALL, LARGE), journal, QUIET);

            assertThat(resumed.entries()).extracting(ProfileEntry::shape).containsExactly(SMALL, LARGE);
            assertThat(resumed.notStarted()).isZero();
            assertThat(backend.launches).isEqualTo(2 * 13);
        }
    }

    @Test
    void shouldMeasureEachShapeAfterWarmUpAndStopOnNoise() {
        SimulatedBackend backend = new SimulatedBackend();
        Sweep sweep = sweep(backend, RULE, Sweep.Clocks.NONE);
        try (Journal journal = journal(dir.resolve("j"))) {
            Sweep.Result result = sweep.run(List.of(SMALL, LARGE), journal, QUIET);

            // zero noise: stops at the 10-sample minimum; 3 warm-up + 10 timed launches per shape
            assertThat(result.entries()).containsExactly(
                    new ProfileEntry(SMALL, SimulatedBackend.timeUs(SMALL), SimulatedBackend.timeUs(SMALL),
                            SimulatedBackend.timeUs(SMALL), 10, EntryFlag.parseAll(List.of("noise_pct=0.000", "stop=noise"))),
                    new ProfileEntry(LARGE, 1 + 2.0 * 4096 * 4096 * 4096 / 1e9, 1 + 2.0 * 4096 * 4096 * 4096 / 1e9,
                            1 + 2.0 * 4096 * 4096 * 4096 / 1e9, 10, EntryFlag.parseAll(List.of("noise_pct=0.000", "stop=noise"))));
            assertThat(backend.launches).isEqualTo(2 * 13);
        }
    }

    @Test
    void theClocksShouldBeThoseOfTheTimedLaunchesNotTheWarmUp() {
        long[] now = {0};
        List<Long> launchedAt = new ArrayList<>();
        List<long[]> asked = new ArrayList<>();
        Sweep sweep = new Sweep(new SimulatedBackend(), Dtype.BF16, RULE, THREE_LAUNCHES, () -> ++now[0],
                (from, to) -> {
                    asked.add(new long[] {from, to});
                    return List.of();
                }, OptionalInt.of(1980));

        Samples.Summary s = sweep.sampleWithClocks(() -> {
            launchedAt.add(++now[0]);
            return 1.0;
        });

        // 3 warm-up launches, then the timed ones: the one window asked for starts after the last warm-up launch
        // and ends at or after the last timed one
        assertThat(asked).hasSize(1);
        assertThat(asked.getFirst()[0]).isGreaterThan(launchedAt.get(2)).isLessThan(launchedAt.get(3));
        assertThat(asked.getFirst()[1]).isGreaterThan(launchedAt.getLast());
        assertThat(launchedAt).hasSize(3 + s.samples());
    }

    @Test
    void shouldFlagAShapeThatFinishedOnAThrottledGpuInEntryAndJournal() {
        java.util.Iterator<List<ClockSample>> windows = List.of(
                List.of(new ClockSample(0, 1980, 2619, List.of("sw_power_cap"))),      // while SMALL ran
                List.of(new ClockSample(0, 1980, 2619, List.of()),                     // while LARGE ran
                        new ClockSample(0, 1600, 2619, List.of("hw_slowdown")))).iterator();
        Sweep sweep = sweep(new SimulatedBackend(), RULE, (from, to) -> windows.next());
        try (Journal journal = journal(dir.resolve("j"))) {
            Sweep.Result result = sweep.run(List.of(SMALL, LARGE), journal, QUIET);

            assertThat(result.entries().get(0).flagTexts()).containsExactly("noise_pct=0.000", "stop=noise",
                    "sm_mhz=1980/1980/1980");
            // 1 − 1600/1980 = 19.2 % below the baseline under load
            assertThat(result.entries().get(1).flagTexts()).containsExactly("noise_pct=0.000", "stop=noise",
                    "sm_mhz=1600/1980/1980", "throttled=hw_slowdown", "sm_clock_drop_pct=19.2");
            assertThat(result.reasonsSeen()).containsExactlyInAnyOrder("sw_power_cap", "hw_slowdown");
            assertThat(result.lastClocks()).map(ClockSample::smMhz).contains(1600);
        }
        try (Journal reopened = journal(dir.resolve("j"))) {
            assertThat(reopened.done().get(1).flagTexts()).contains("throttled=hw_slowdown");
        }
    }

    @Test
    void shouldResumeFromTheJournalAndRecordFailuresWithoutStopping() {
        Path file = dir.resolve("j");
        try (Journal journal = journal(file)) {
            sweep(new SimulatedBackend(), RULE, Sweep.Clocks.NONE).run(List.of(SMALL), journal, QUIET);
        }
        SimulatedBackend backend = new SimulatedBackend();
        StringWriter log = new StringWriter();
        try (Journal journal = journal(file)) {
            Sweep.Result result = sweep(backend, RULE, Sweep.Clocks.NONE)
                    .run(List.of(SMALL, TOO_BIG, LARGE), journal, new PrintWriter(log));

            assertThat(backend.opened).containsExactly(LARGE); // SMALL came from the journal
            assertThat(result.entries()).extracting(ProfileEntry::shape).containsExactly(SMALL, LARGE);
            assertThat(result.failures()).containsExactly(new Sweep.Failure(TOO_BIG,
                    "cublasGemmEx: CUBLAS_STATUS_EXECUTION_FAILED (13)"));
            // progress counts only the shapes left to measure
            assertThat(log.toString().lines()).hasSize(2).satisfiesExactly(
                    first -> assertThat(first).startsWith("[1/2] " + TOO_BIG + ": FAILED: cublasGemmEx: "),
                    second -> assertThat(second).startsWith("[2/2] " + LARGE + ": "
                            + String.format(Locale.ROOT, "%.4g", SimulatedBackend.timeUs(LARGE)) + " us measured, 10 samples"));
        }
    }

    @Test
    void shouldStopAtTheWallTimeoutAndSaySo() {
        long[] now = {0};
        StoppingRule rule = new StoppingRule(10, 0, 0.005, 5); // 5 µs of wall time
        // 1 µs per clock read
        Sweep sweep = new Sweep(new SimulatedBackend(), Dtype.BF16, rule, new Warmup(1, 1e-3), () -> now[0] += 1000,
                Sweep.Clocks.NONE, OptionalInt.empty());
        ProfileEntry entry = sweep.measure(SMALL);
        // warm-up: 1 launch, then 1 µs ≥ 1e-3 ms; sampling: a read per sample, 5 µs at the 5th
        assertThat(entry.samples()).isEqualTo(5);
        assertThat(entry.flagTexts()).containsExactly("noise_pct=0.000", "stop=timeout");
    }

    @Test
    void shouldMeasureShapesLargerThanMemoryInMChunksWithLinearityEvidence() {
        GemmShape huge = new GemmShape(2097152, 50265, 4096); // the seed's embedding: A alone is 211 GB in bf16
        Sweep sweep = sweep(new SimulatedBackend(), RULE, Sweep.Clocks.NONE);
        // (0.8·80e9 − 352 MiB reserved − 50265·4096·2 B of B) / ((50265 + 4096)·2 B per row) = 581,475 rows → 2^19
        assertThat(sweep.rowsThatFit(huge)).isEqualTo(524288);

        ProfileEntry e = sweep.measure(huge);

        double chunk = 1 + 2.0 * 524288 * 50265 * 4096 / 1e9;
        double half = 1 + 2.0 * 262144 * 50265 * 4096 / 1e9;
        assertThat(e.timeUs()).isCloseTo(4 * chunk, within(1e-6));
        assertThat(e.flagTexts()).containsExactly("m_chunked", "chunk_m=524288", "chunks=4",
                String.format(Locale.ROOT, "linearity=%.4f", chunk / (2 * half)), "stop=noise");
    }

    @Test
    void shouldHalveTheChunkWhileTheDeviceRunsOutOfMemory() {
        SimulatedBackend tight = new SimulatedBackend() {
            @Override
            public GemmTrial open(GemmShape shape, Dtype dtype) {
                if (shape.m() > 100_000) {
                    throw new GpuException("cudaMalloc: out of memory", true);
                }
                return super.open(shape, dtype);
            }
        };
        Sweep sweep = sweep(tight, RULE, Sweep.Clocks.NONE);

        ProfileEntry e = sweep.measure(new GemmShape(300_000, 1024, 1024));

        // 2^18 and 2^17 rows fail, 2^16 fits: 4 chunks of 65,536 rows + 37,856 rows
        double chunk = SimulatedBackend.timeUs(new GemmShape(65536, 1024, 1024));
        double rest = SimulatedBackend.timeUs(new GemmShape(37856, 1024, 1024));
        assertThat(e.timeUs()).isCloseTo(4 * chunk + rest, within(1e-9));
        assertThat(e.flagTexts()).startsWith("m_chunked", "chunk_m=65536", "chunks=4+37856_rows");
    }

    @Test
    void theClocksOfAnAttemptThatRanOutOfMemoryShouldNotFlagTheEntryKept() {
        SimulatedBackend tight = new SimulatedBackend() {
            @Override
            public GemmTrial open(GemmShape shape, Dtype dtype) {
                if (shape.m() == 300_000 || shape.m() == 131_072) { // the 2^18-row attempt times its chunk, then fails
                    throw new GpuException("cudaMalloc: out of memory", true);
                }
                return super.open(shape, dtype);
            }
        };
        int[] windows = {0};
        Sweep sweep = sweep(tight, RULE, (from, to) -> windows[0]++ == 0
                ? List.of(new ClockSample(0, 1600, 2619, List.of("hw_slowdown")))
                : List.of(new ClockSample(0, 1980, 2619, List.of())));
        try (Journal journal = journal(dir.resolve("j"))) {
            ProfileEntry e = sweep.run(List.of(new GemmShape(300_000, 1024, 1024)), journal, QUIET).entries().getFirst();

            assertThat(windows[0]).isEqualTo(4); // 2^18 rows, then 2^16, 2^15 and the 37,856 rows left
            assertThat(e.flagTexts()).contains("chunk_m=65536", "sm_mhz=1980/1980/1980")
                    .noneMatch(f -> f.startsWith("throttled"));
        }
    }

    @Test
    void aStickyErrorShouldStopTheSweepResumablyKeepingWhatIsDone() {
        SimulatedBackend lost = new SimulatedBackend() {
            @Override
            public GemmTrial open(GemmShape shape, Dtype dtype) {
                if (shape.equals(LARGE)) {
                    throw new GpuException("cudaEventSynchronize: cudaErrorIllegalAddress (700)", false, true);
                }
                return super.open(shape, dtype);
            }
        };
        try (Journal journal = journal(dir.resolve("j"))) {
            assertThatThrownBy(() -> sweep(lost, RULE, Sweep.Clocks.NONE).run(List.of(SMALL, LARGE, TOO_BIG),
                    journal, QUIET)).isInstanceOf(ResumableFailure.class).hasMessage("the GPU's CUDA context is lost"
                    + " (cudaEventSynchronize: cudaErrorIllegalAddress (700)) at " + LARGE + "; the 1 shapes done are in"
                    + " the journal: run the same command again to resume in a fresh process, which passes this shape"
                    + " over (delete its lost_context line from " + dir.resolve("j") + " to retry it)")
                    .satisfies(e -> assertThat(((Sweep.ContextLost) e).partial).satisfies(partial -> {
                        assertThat(partial.entries()).extracting(ProfileEntry::shape).containsExactly(SMALL);
                        assertThat(partial.notStarted()).isEqualTo(1); // TOO_BIG
                        assertThat(partial.stoppedBy()).contains("the CUDA context lost at " + LARGE
                                + " (not measured; a resume passes it over)");
                    }));
        }
        // review: a fresh process would most likely lose the context at the same shape again: it is passed over
        try (Journal reopened = journal(dir.resolve("j"))) {
            assertThat(reopened.done()).extracting(ProfileEntry::shape).containsExactly(SMALL);
            assertThat(reopened.lostAt()).containsExactly(java.util.Map.entry(LARGE,
                    "cudaEventSynchronize: cudaErrorIllegalAddress (700)"));
            Sweep.Result resumed = sweep(new SimulatedBackend(), RULE, Sweep.Clocks.NONE).run(List.of(SMALL, LARGE),
                    reopened, QUIET);
            assertThat(resumed.entries()).extracting(ProfileEntry::shape).containsExactly(SMALL);
            assertThat(resumed.failures()).containsExactly(new Sweep.Failure(LARGE, "an earlier run lost the CUDA"
                    + " context at this shape (cudaEventSynchronize: cudaErrorIllegalAddress (700)); passed over:"
                    + " delete its lost_context line from " + dir.resolve("j") + " to retry it"));
            assertThat(resumed.stoppedBy()).isEmpty(); // every shape started: not partial
        }
    }

    /** Review: a cuBLAS error says nothing of the context; a check after it does (ProfileCommand exits 3 on it). */
    @Test
    void aBackendShouldFindTheContextLostBehindAnErrorThatDoesNotSaySo() {
        GpuException blas = new GpuException("cublasGemmEx: CUBLAS_STATUS_EXECUTION_FAILED (13)", false);
        SimulatedBackend backend = new SimulatedBackend();

        assertThat(backend.lostContext(blas)).isNull();
        backend.contextLost = true;
        // out of memory leaves the context as it was: no check, so not lost (a smaller allocation may succeed)
        assertThat(backend.lostContext(new GpuException("cudaMalloc: out of memory", true))).isNull();
        assertThat(backend.lostContext(blas)).isNotNull().satisfies(lost -> {
            assertThat(lost.sticky()).isTrue();
            assertThat(lost.getMessage()).contains("cudaErrorIllegalAddress (700)");
        });
        GpuException sticky = new GpuException("cudaEventSynchronize: cudaErrorContained (226)", false, true);
        assertThat(backend.lostContext(sticky)).isSameAs(sticky);
    }

    @Test
    void aFailureThatLeftTheContextLostShouldStopTooWhileAnOrdinaryOneDoesNot() {
        SimulatedBackend backend = new SimulatedBackend();
        backend.contextLost = true;
        try (Journal journal = journal(dir.resolve("j"))) {
            assertThatThrownBy(() -> sweep(backend, RULE, Sweep.Clocks.NONE).run(List.of(TOO_BIG), journal, QUIET))
                    .isInstanceOf(ResumableFailure.class).hasMessageContaining("cudaErrorIllegalAddress (700)) at "
                            + TOO_BIG);
        }
    }
}
