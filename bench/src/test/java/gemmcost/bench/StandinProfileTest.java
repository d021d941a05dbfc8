package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import gemmcost.table.ProfileJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gemmcost probe}, {@code profile} and {@code jmh} end to end, each in a fresh process on gemmcost's CUDA
 * stand-in, with its knobs set per process: what a first GPU run must survive (another driver, a huge shape, a full
 * GPU, several GPUs, kill -9, a lost context) and what the review found, with exit codes and messages asserted.
 * Every time here is simulated: the stand-in's virtual clock, never a measurement.
 */
class StandinProfileTest {
    private static final String SLUG = "gemmcost-cuda-stand-in-simulated-not-a-gpu";
    private static final double PEAK_16BIT_FLOPS = 989.4e12;
    private static final double PEAK_TF32_FLOPS = 494.7e12;
    private static final double PEAK_FP32_FLOPS = 66.9e12;

    @TempDir
    Path dir;

    private List<String> profile(Path libs, String shapes, String dtypes, String... more) {
        List<String> args = new ArrayList<>(List.of("profile", "--backend", "ffm", "--cuda-lib-dir", libs.toString(),
                "--out", dir.resolve("out").toString(), "--lock-dir", dir.toString(), "--shapes", shapes,
                "--dtype", dtypes, "--device-warmup-s", "0", "--warmup-ms", "1e-6", "--min-samples", "3",
                "--min-time-s", "0", "--timeout-s", "5"));
        args.addAll(List.of(more));
        return args;
    }

    private GemmcostProcess.Result run(Map<String, String> env, List<String> args) {
        return GemmcostProcess.run(dir, env, args.toArray(String[]::new));
    }

    private Path shapesFile(String... shapes) throws IOException {
        return Files.writeString(dir.resolve("shapes.csv"), "m,k,n\n" + String.join("\n", shapes) + "\n");
    }

    private Profile table(String dtype) {
        return ProfileJson.read(dir.resolve("out").resolve(SLUG).resolve(dtype + ".json"));
    }

    @Test
    void probeShouldFindTheStandInAndSayItIsASimulation() {
        Path libs = CudaStandin.libraries();
        GemmcostProcess.Result probe = run(Map.of(), List.of("probe", "--cuda-lib-dir", libs.toString()));

        assertThat(probe.status()).as(probe.toString()).isZero();
        assertThat(probe.out()).contains("cuda runtime: " + libs.resolve("libcudart.so.13") + " (13.0), the first whose"
                        + " cudaGetDeviceCount succeeds")
                .contains("devices: 1")
                .contains("cublas: " + libs.resolve("libcublas.so.13") + " (the runtime's major, loaded, after its"
                        + " sibling libcublasLt.so.13)")
                .contains("SIMULATED: gemmcost CUDA stand-in 13");
    }

    @Test
    void probeShouldLoadCublasAndSayWhyOneDoesNotLoad() throws IOException {
        // a shared object of that name that is no cuBLAS: the stand-in's runtime under cuBLAS's name
        Path libs = Files.createDirectories(dir.resolve("libs"));
        Path cudart = Files.copy(CudaStandin.libraries().resolve("libcudart.so.13"), libs.resolve("libcudart.so.13"));
        Path cublas = Files.copy(cudart, libs.resolve("libcublas.so.13"));

        GemmcostProcess.Result probe = run(Map.of(), List.of("probe", "--cuda-lib-dir", libs.toString()));

        assertThat(probe.status()).as(probe.toString()).isEqualTo(2);
        assertThat(probe.out()).contains("cublas: " + cublas + " (the runtime's major, found)");
        assertThat(probe.err()).isEqualTo("gemmcost: cannot load cuBLAS " + cublas + ": " + cublas
                + ": no symbol cublasCreate_v2\n");
    }

    /** Review 1: a CUDA 13 runtime on a driver that supports CUDA 12.4 fails; the node's CUDA 12 libraries work. */
    @Test
    void aRuntimeTooNewForTheDriverShouldGiveWayToOneOfAnOlderMajorWithItsOwnCublas() {
        Map<String, String> driver124 = Map.of("CUDA_STANDIN_DRIVER_VERSION", "12040");

        Path only13 = CudaStandin.libraries();
        GemmcostProcess.Result refused = run(driver124, List.of("probe", "--cuda-lib-dir", only13.toString()));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).startsWith("gemmcost: no GPU: cudaGetDeviceCount returned"
                + " cudaErrorInsufficientDriver (35)").hasLineCount(1);

        Path both = CudaStandin.bothMajors();
        GemmcostProcess.Result probe = run(driver124, List.of("probe", "--cuda-lib-dir", both.toString()));
        assertThat(probe.status()).as(probe.toString()).isZero();
        assertThat(probe.out()).contains("cuda runtime: " + both.resolve("libcudart.so.12") + " (12.8), the first")
                .contains("  skipped " + both.resolve("libcudart.so.13") + ": no GPU: cudaGetDeviceCount returned"
                        + " cudaErrorInsufficientDriver (35)")
                .contains("driver: supports CUDA 12.4")
                .contains("cublas: " + both.resolve("libcublas.so.12") + " (the runtime's major");
    }

    /** The seed's 15 shapes in four dtypes: every time is 2mnk / peak, huge ones summed over m-chunks. */
    @Test
    void shouldProfileTheSeedShapesInAllFourDtypesChunkingTheHugeOnes() {
        GemmcostProcess.Result result = run(Map.of(), profile(CudaStandin.libraries(), "seed", "bf16,fp16,tf32,fp32"));

        assertThat(result.status()).as(result.toString()).isZero();
        Map<String, Double> peaks = Map.of("bf16", PEAK_16BIT_FLOPS, "fp16", PEAK_16BIT_FLOPS, "tf32", PEAK_TF32_FLOPS,
                "fp32", PEAK_FP32_FLOPS);
        peaks.forEach((dtype, peak) -> {
            Profile p = table(dtype);
            assertThat(p.provenance().kind()).isEqualTo(Profile.Kind.SIMULATED);
            assertThat(p.device().name()).contains("stand-in");
            assertThat(p.entries()).hasSize(15);
            // the copy of 2 GiB reads and writes it at the stand-in's 3.35 TB/s
            assertThat(p.device().memoryBandwidthBytesPerSec()).isCloseTo(3.35e12, within(3.35e12 * 1e-5));
            for (ProfileEntry e : p.entries()) {
                double expectedUs = e.shape().flops() / peak * 1e6;
                assertThat(e.timeUs()).as("%s %s", dtype, e.shape()).isCloseTo(expectedUs, within(expectedUs * 1e-5));
            }
        });
        // fp32 accumulation throughout; tf32 on TF32 tensor cores, as its cuBLAS compute type says
        assertThat(table("tf32").computeType()).isEqualTo("fp32_fast_tf32");
        assertThat(table("bf16").computeType()).isEqualTo("fp32");
        ProfileEntry embedding = table("bf16").entries().stream()
                .filter(e -> e.shape().equals(new GemmShape(2097152, 50265, 4096))).findFirst().orElseThrow();
        // (0.8 · 80 GiB − 352 MiB kept by the backend − B) / ((50265 + 4096) · 2 B per row) = 624,884 → 2^19
        assertThat(embedding.flagTexts()).startsWith("m_chunked", "chunk_m=524288", "chunks=4", "linearity=1.0000");
        assertThat(result.err()).contains("SIMULATED: gemmcost CUDA stand-in").contains("us simulated, 3 samples")
                .contains("backend: ffm (FFM binding of " + CudaStandin.libraries().resolve("libcudart.so.13"));
    }

    /** Another process holds 6 of the 8 GiB: the shape the budget thought fits runs out of memory and is halved. */
    @Test
    void outOfMemoryShouldHalveTheChunkUntilTheShapeFits() throws IOException {
        Map<String, String> crowded = Map.of("CUDA_STANDIN_MEMORY_BYTES", Long.toString(8L << 30),
                "CUDA_STANDIN_USED_BYTES", Long.toString(6L << 30));
        GemmcostProcess.Result result = run(crowded, profile(CudaStandin.libraries(),
                shapesFile("131072,4096,4096").toString(), "bf16"));

        assertThat(result.status()).as(result.toString()).isZero();
        ProfileEntry e = table("bf16").entries().getFirst();
        // whole: A and C 1 GiB each + B 32 MiB > the 1.65 GiB left; 65,536 rows: 1.03 GiB fits
        assertThat(e.flagTexts()).startsWith("m_chunked", "chunk_m=65536", "chunks=2", "linearity=1.0000");
        assertThat(e.timeUs()).isCloseTo(e.shape().flops() / PEAK_16BIT_FLOPS * 1e6, within(1e-3));
        // the bandwidth copy: 2^30 (a quarter of the budget, rounded down) needs two 1 GiB buffers > the 1.65 GiB left
        // beside the backend's 352 MiB, so it is halved to 512 MiB
        assertThat(result.err()).contains("memory bandwidth: 3350 GB/s simulated (device-to-device copy of 512 MiB");
    }

    /**
     * Two GPUs: one child each, shown only its own GPU by UUID (review 2), its clocks read by bus id (review 4: the
     * stand-in enumerates CUDA devices in the reverse of NVML's order and gives each its own SM clock), then merged.
     */
    @Test
    void devicesAllShouldProfileEachGpuInItsOwnProcessAndMerge() throws IOException {
        Path shapes = shapesFile("1024,1024,1024", "2048,1024,512");
        GemmcostProcess.Result result = run(Map.of("CUDA_STANDIN_DEVICES", "2"),
                profile(CudaStandin.libraries(), shapes.toString(), "bf16", "--devices", "all"));

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.err()).contains("started: CUDA_VISIBLE_DEVICES=GPU-5a7d1e00-0000-4000-8000-000000000001")
                .contains("started: CUDA_VISIBLE_DEVICES=GPU-5a7d1e00-0000-4000-8000-000000000000")
                .contains("gpu 0: exit 0").contains("gpu 1: exit 0");
        Path perGpu = dir.resolve("out/per-gpu");
        // CUDA device 0 is PCI index 1 (bus 0x28, SM 1980 − 15 MHz); device 1 is PCI index 0 (bus 0x18, 1980 MHz)
        assertThat(Files.readString(perGpu.resolve("gpu0/profile.log"))).contains("devices: 1")
                .contains("locked GPU 0000:28:00.0");
        assertThat(ProfileJson.read(perGpu.resolve("gpu0").resolve(SLUG).resolve("bf16.json")).device().clocks()
                .smMhzEnd()).isEqualTo(1965);
        assertThat(ProfileJson.read(perGpu.resolve("gpu1").resolve(SLUG).resolve("bf16.json")).device().clocks()
                .smMhzEnd()).isEqualTo(1980);
        Profile merged = table("bf16");
        assertThat(merged.entries()).hasSize(2);
        assertThat(merged.provenance().kind()).isEqualTo(Profile.Kind.SIMULATED);
    }

    /** A GPU whose run did not finish leaves every table unmerged: a stale one may be in its folder. */
    @Test
    void devicesAllShouldMergeNothingWhenAGpusRunFails() throws IOException {
        Path shapes = shapesFile("1024,1024,1024", "2048,1024,512");
        // each GPU's context is lost after its correctness check and device warm-up
        GemmcostProcess.Result result = run(Map.of("CUDA_STANDIN_DEVICES", "2", "CUDA_STANDIN_STICKY_AFTER", "2"),
                profile(CudaStandin.libraries(), shapes.toString(), "bf16", "--devices", "all"));

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("gpu 0: exit 3").contains("not merged: not every GPU's run finished");
        assertThat(result.out()).isEmpty();
        assertThat(dir.resolve("out").resolve(SLUG).resolve("bf16.json")).doesNotExist();
    }

    /** kill -9 mid-sweep, then the same command: every remaining shape measured exactly once, none twice. */
    @Test
    void aKilledSweepShouldResumeMeasuringEachRemainingShapeExactlyOnce() throws Exception {
        List<String> shapes = new ArrayList<>();
        for (int m = 1; m <= 8; m++) {
            shapes.add(m * 64 + ",512,512");
        }
        List<String> args = profile(CudaStandin.libraries(), shapesFile(shapes.toArray(String[]::new)).toString(),
                "bf16");
        Path journal = dir.resolve("out").resolve(SLUG).resolve("bf16.journal");
        Process slow = GemmcostProcess.builder(dir, Map.of("CUDA_STANDIN_GEMM_DELAY_MS", "25"), args)
                .redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lines(journal) < 3 && System.nanoTime() < deadline) { // the header and two shapes
            Thread.sleep(20);
        }
        slow.destroyForcibly(); // SIGKILL
        slow.waitFor();
        int done = lines(journal) - 1;
        assertThat(done).as(Files.readString(dir.resolve("killed.log"))).isBetween(2, 7);

        GemmcostProcess.Result resumed = run(Map.of(), args);

        assertThat(resumed.status()).as(resumed.toString()).isZero();
        List<String> measured = progressShapes(resumed.err(), 8 - done);
        assertThat(measured).hasSize(8 - done).doesNotHaveDuplicates();
        assertThat(table("bf16").entries()).hasSize(8);
    }

    /** Review 9: a sticky error ends the sweep at once with exit 3 and one line; a fresh process resumes. */
    @Test
    void aLostContextShouldStopWithExitThreeAndResumeInAFreshProcess() throws IOException {
        List<String> args = profile(CudaStandin.libraries(),
                shapesFile("256,256,256", "512,256,256", "768,256,256", "1024,256,256").toString(), "bf16");
        // GEMMs before the fault: 1 correctness check + 1 device warm-up + 2 shapes × (3 warm-up + 3 timed)
        GemmcostProcess.Result lost = run(Map.of("CUDA_STANDIN_STICKY_AFTER", "14"), args);

        assertThat(lost.status()).as(lost.toString()).isEqualTo(3);
        String last = lost.err().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(last).startsWith("gemmcost: the GPU's CUDA context is lost (cudaEventSynchronize:"
                + " cudaErrorIllegalAddress (700)").contains(" at " + new GemmShape(768, 256, 256) + "; the 2 shapes"
                + " done are in the journal and in " + dir.resolve("out").resolve(SLUG).resolve("bf16.json") + ": run"
                + " the same command again to resume in a fresh process, which passes this shape over (delete its"
                + " lost_context line from ");
        // review: the shapes done make a table at once, for what follows (first-contact's validate and claim) to use
        Profile partial = table("bf16");
        assertThat(partial.entries()).hasSize(2);
        assertThat(partial.provenance().source()).contains("; partial: the CUDA context lost at "
                + new GemmShape(768, 256, 256) + " (not measured; a resume passes it over) stopped it with 1 shapes of"
                + " the set not started");

        GemmcostProcess.Result resumed = run(Map.of(), args);
        assertThat(resumed.status()).as(resumed.toString()).isZero();
        // the shape the context was lost at is passed over, not lost at again
        assertThat(progressShapes(resumed.err(), 2)).containsExactly(new GemmShape(768, 256, 256).toString(),
                new GemmShape(1024, 256, 256).toString());
        assertThat(resumed.err()).contains(new GemmShape(768, 256, 256) + ": PASSED OVER: the CUDA context was lost"
                + " at it in an earlier run");
        assertThat(table("bf16").entries()).extracting(ProfileEntry::shape).doesNotContain(new GemmShape(768, 256,
                256)).hasSize(3);
    }

    /** Review 3: a mismatched libcublasLt on LD_LIBRARY_PATH is not picked up: cuBLAS's own sibling is loaded first. */
    @Test
    void aStrayLibcublasLtOnTheLibraryPathShouldNotBePickedUp() throws IOException {
        Path stray = CudaStandin.mismatchedLt();
        GemmcostProcess.Result result = run(Map.of("LD_LIBRARY_PATH", stray.toString()),
                profile(CudaStandin.libraries(), shapesFile("256,256,256").toString(), "bf16"));

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(table("bf16").entries()).hasSize(1);
    }

    /** Reviews 12 and 13: a device CUDA refuses is one line and exit 2, found before any lock or context. */
    @Test
    void aDeviceCudaRefusesShouldBeOneLineAndExitTwo() {
        GemmcostProcess.Result result = run(Map.of(), profile(CudaStandin.libraries(), "seed", "bf16",
                "--devices", "3"));

        assertThat(result.status()).as(result.toString()).isEqualTo(2);
        assertThat(result.err().lines().reduce((a, b) -> b).orElseThrow()).isEqualTo("gemmcost: CUDA device 3:"
                + " cudaDeviceGetPCIBusId(3): cudaErrorInvalidDevice (101): invalid device ordinal");
    }

    @Test
    void aRunThatMeasuresNoShapeShouldExitTwoWithoutATable() {
        // the time limit has passed before the first shape starts: nothing measured, nothing written
        GemmcostProcess.Result result = run(Map.of(), profile(CudaStandin.libraries(), "seed", "bf16",
                "--time-limit-s", "1e-9"));

        assertThat(result.status()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains("bf16: no shape measured, no table written");
        assertThat(result.err().lines().reduce((a, b) -> b).orElseThrow()).isEqualTo("gemmcost: no table written: no"
                + " shape was measured (the lines above say why)");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void jmhGemmBenchmarkShouldRunOneShapeOnTheStandIn() {
        GemmcostProcess.Result result = run(Map.of(), List.of("jmh", "GemmBenchmark.gemm", "-p", "shape=1024x1024x1024",
                "-p", "backend=ffm", "-p", "cudaLibDir=" + CudaStandin.libraries(), "-f", "1", "-wi", "1", "-i", "1",
                "-w", "100ms", "-r", "100ms"));

        assertThat(result.status()).as(result.toString()).isZero();
        // the stand-in's virtual clock is never a measurement: the unit says so
        assertThat(result.out()).containsPattern("gpu\\.median\\.us\\s.*us simulated");
    }

    private static int lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(file)) {
            return (int) lines.count();
        }
    }

    /** The shapes of the progress lines {@code [i/total] (m=…): …} of a run, in order. */
    private static List<String> progressShapes(String log, int total) {
        Matcher m = Pattern.compile("^\\[\\d+/" + total + "] (\\(m=[^)]*\\)):", Pattern.MULTILINE).matcher(log);
        List<String> shapes = new ArrayList<>();
        while (m.find()) {
            shapes.add(m.group(1));
        }
        return shapes;
    }

    /**
     * Reviews 5, 7 and 8 on the trace of executed operations: the NVML slowdown the stand-in reports during the
     * timed launches flags every shape; the random operands are uploaded once per dtype (two 32 MiB pools), never
     * per shape; every GEMM runs on the backend's one stream.
     */
    @Test
    void operandsShouldBeUploadedOncePerDtypeOnOneStreamWithClocksSampledUnderLoad() throws IOException {
        Path trace = dir.resolve("trace.txt");
        GemmcostProcess.Result result = run(Map.of("CUDA_STANDIN_TRACE", trace.toString(),
                "CUDA_STANDIN_CLOCK_EVENT_REASONS", "0x8"), profile(CudaStandin.libraries(),
                shapesFile("1024,1024,1024", "2048,1024,512", "4096,4096,4096").toString(), "bf16"));

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(table("bf16").entries()).allSatisfy(e -> assertThat(e.flagTexts()).contains("throttled=hw_slowdown"));
        List<String> ops = Files.readAllLines(trace);
        long poolUploads = ops.stream().filter(l -> l.contains("op=memcpy_h2d") && l.contains("bytes=33554432"))
                .count();
        assertThat(poolUploads).isEqualTo(2);
        // the correctness check uploads its own small A and B; nothing else goes host to device
        assertThat(ops.stream().filter(l -> l.contains("op=memcpy_h2d")).count()).isEqualTo(4);
        assertThat(ops.stream().filter(l -> l.contains("op=gemm")).map(l -> l.replaceAll(".*(stream=\\d+).*", "$1"))
                .distinct()).hasSize(1);
    }

    /** Review 13: the GPU is locked by bus id before anything runs on it: a second profiler is refused first. */
    @Test
    void aGpuLockedByAnotherProfilerShouldBeRefusedBeforeItsContextExists() throws IOException {
        Path trace = dir.resolve("trace.txt");
        try (GpuLock held = GpuLock.acquire(dir, "0000:18:00.0")) {
            GemmcostProcess.Result result = run(Map.of("CUDA_STANDIN_TRACE", trace.toString()),
                    profile(CudaStandin.libraries(), "seed", "bf16"));

            assertThat(result.status()).as(result.toString()).isEqualTo(2);
            assertThat(result.err().lines().reduce((a, b) -> b).orElseThrow()).startsWith("gemmcost: GPU 0000:18:00.0"
                    + " is already being profiled by another gemmcost process (pid " + ProcessHandle.current().pid()
                    + "); lock: ");
            assertThat(result.err()).doesNotContain("backend: ");
            // no memory was ever allocated, so no context existed (the stand-in traces every cudaMalloc at the call)
            assertThat(trace.toFile().length()).isZero();
        }
    }
}
