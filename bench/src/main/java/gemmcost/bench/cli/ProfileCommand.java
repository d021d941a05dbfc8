package gemmcost.bench.cli;

import gemmcost.bench.DeviceFanOut;
import gemmcost.bench.GpuLock;
import gemmcost.bench.Profiler;
import gemmcost.bench.ShapeSets;
import gemmcost.bench.StoppingRule;
import gemmcost.bench.Warmup;

import gemmcost.BadInputException;
import gemmcost.ResumableFailure;
import gemmcost.cuda.Backends;
import gemmcost.cuda.ClockMonitor;
import gemmcost.cuda.CudaProbe;
import gemmcost.cuda.GemmBackend;
import gemmcost.cuda.GpuException;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost profile}: measure Get_Time tables on this node's GPU. */
@Command(name = "profile",
        header = "Measure GEMM times on this node's GPU into tables.",
        description = {"Measure GEMM times on a GPU and write one table per dtype to OUT/<gpu>/<dtype>.json.",
                "Each dtype is first checked against an fp64 CPU reference; each shape is journaled as it finishes,",
                "so rerunning the same command after an interruption resumes. Exits 2 without a usable GPU or when no",
                "table was written (no shape measured), 3 when the GPU's CUDA context is lost mid-sweep (run the same",
                "command again to resume); with several --devices, the first failing GPU's run's status."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost profile                      # bf16, seed shapes + grid",
                "  scripts/gemmcost profile --dtype bf16 --shapes seed",
                "  scripts/gemmcost profile --dtype bf16,fp16,tf32 --shapes offgrid --out held-out/   # not into"
                        + " the tables it checks"})
final class ProfileCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dtype", split = ",", defaultValue = "bf16", paramLabel = "DTYPE",
            description = "Comma-separated: bf16, fp16, tf32, fp32. Default: ${DEFAULT-VALUE}.")
    List<String> dtypes;

    @Option(names = "--shapes", defaultValue = "all", paramLabel = ShapeSets.NAMES,
            description = "Shape set (see the shapes command); all = the seed's shapes and the interpolation grid."
                    + " Default: ${DEFAULT-VALUE}.")
    String shapes;

    @Option(names = "--devices", defaultValue = "0", paramLabel = "N|N,M,...|all", description = "CUDA device"
            + " ordinal(s). Several: one process per GPU in parallel, each shown only its GPU, tables under"
            + " OUT/per-gpu/gpuN/, then, when every GPU's run finished, merged per GPU model into"
            + " OUT/<gpu>/<dtype>.json. Default: ${DEFAULT-VALUE}.")
    String devices;

    /** Set by the fan-out for a child: the bus id its one visible GPU must have. */
    @Option(names = "--pci-bus-id", hidden = true)
    String expectedPciBusId;

    @Option(names = "--lock-dir", paramLabel = "DIR", description = "Where the per-GPU locks live. Default: the"
            + " system temp directory.")
    Path lockDir = Path.of(System.getProperty("java.io.tmpdir"));

    @Option(names = "--out", defaultValue = "profiles", paramLabel = "DIR", description = "Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|jcuda|ffm", description = "How to reach"
            + " cuBLAS: JCuda 12.6 (x86_64, cuBLAS 12) or FFM (CUDA 12 or 13, any CPU); auto prefers JCuda when it"
            + " loads. Default: ${DEFAULT-VALUE}.")
    String backendName;

    @Option(names = "--cuda-lib-dir", paramLabel = "DIR", description = "Look here first for the CUDA libraries.")
    Path cudaLibDir;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed launches per shape, at least."
            + " Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--warmup-ms", defaultValue = "200", description = "Wall time of untimed launches per shape, at"
            + " least. Default: ${DEFAULT-VALUE}.")
    double warmupMs;

    @Option(names = "--device-warmup-s", defaultValue = "10", description = "Back-to-back 8192³ GEMMs before the"
            + " sweep; their SM clock is the baseline for the throttle flags. Default: ${DEFAULT-VALUE}.")
    double deviceWarmupS;

    // nvbench's 10 samples and 0.5 s would spend ~5 s on each of the grid's many few-µs shapes (each sample also
    // pays an L2 flush and a sync); 20 samples and 0.02 s give ≥ 2,000 samples there, plenty for a median, and
    // keep the default set near 5 minutes on an H100.
    @Option(names = "--min-samples", defaultValue = "20", description = "Default: ${DEFAULT-VALUE}.")
    int minSamples;

    @Option(names = "--min-time-s", defaultValue = "0.02", description = "GPU time per shape before stopping on"
            + " noise (nvbench: 0.5). Default: ${DEFAULT-VALUE}.")
    double minTimeS;

    @Option(names = "--max-noise-pct", defaultValue = "0.5", description = "Relative stdev target. Default:"
            + " ${DEFAULT-VALUE}.")
    double maxNoisePct;

    @Option(names = "--timeout-s", defaultValue = "2", description = "Wall time per shape (nvbench: 15)."
            + " Default: ${DEFAULT-VALUE}.")
    double timeoutS;

    @Option(names = "--time-limit-s", paramLabel = "S", description = "Start no shape after S seconds: each table"
            + " then holds the shapes measured (its source says partial; none measured: no table, exit 2) and the"
            + " same command resumes the rest from the journal. Default: none.")
    Double timeLimitS;

    @Override
    public Integer call() {
        long startNanos = System.nanoTime();
        PrintWriter err = spec.commandLine().getErr();
        List<Dtype> parsed = BenchOptions.dtypes(dtypes);
        List<GemmShape> set = ShapeSets.named(shapes);
        StoppingRule rule = rule();
        Warmup perShape = warmup();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + ": a file, not a folder");
        }
        if (timeLimitS != null && !(timeLimitS > 0)) {
            throw new BadInputException("--time-limit-s: must be > 0, got " + timeLimitS);
        }
        if (!(deviceWarmupS >= 0)) {
            throw new BadInputException("--device-warmup-s: must be >= 0, got " + deviceWarmupS);
        }
        CudaProbe.Result probe = CudaProbe.run(ProbeCommand.existing(cudaLibDir));
        probe.describe().forEach(err::println);
        if (!devices.strip().matches("\\d+")) {
            if (!probe.available() && Backends.jcudaProblem(cudaLibDir).isPresent()) { // each child may take JCuda
                throw new BadInputException(probe.problem().orElseThrow());
            }
            return fanOut(probe, DeviceFanOut.parse(devices, probe.deviceCount()), err);
        }
        int device = Integer.parseInt(devices.strip());
        Backends.Choice choice = Backends.Choice.parse(backendName);
        String busId = Backends.pciBusId(probe, device);
        if (expectedPciBusId != null && !expectedPciBusId.equalsIgnoreCase(busId)) {
            throw new BadInputException("CUDA device " + device + " is " + busId + ", not the GPU " + expectedPciBusId
                    + " this process was started for");
        }
        try (GpuLock lock = GpuLock.acquire(lockDir, busId);
             Backends.Opened opened = Backends.open(choice, probe, device);
             ClockMonitor clocks = ClockMonitor.open(cudaLibDir, busId)) {
            err.println("locked GPU " + busId + " for this run: " + lock);
            GemmBackend backend = opened.backend();
            err.println("backend: " + opened.explanation() + "; device: " + backend.device());
            err.println("clocks: sampled during the timed launches through " + clocks.source()
                    + clocks.problem().map(p -> " (" + p + ")").orElse(""));
            long deadlineNanos = timeLimitS == null ? Long.MAX_VALUE : startNanos + (long) (timeLimitS * 1e9);
            List<Path> written;
            try {
                written = new Profiler(backend, rule, perShape, deviceWarmupS, System::nanoTime, err,
                        clocks::between).run(parsed, set, out, deadlineNanos);
            } catch (GpuException e) { // the correctness check, the device warm-up or the bandwidth, not a shape
                GpuException lost = backend.lostContext(e);
                throw lost == null ? e : lost;
            }
            if (written.isEmpty()) {
                throw new BadInputException("no table written: no shape was measured (the lines above say why)");
            }
            written.forEach(spec.commandLine().getOut()::println);
        } catch (GpuException e) { // outside a sweep's shapes: the correctness check, the device warm-up
            if (e.sticky()) {
                throw new ResumableFailure("the GPU's CUDA context is lost (" + e.getMessage() + "); run the same"
                        + " command again to resume in a fresh process", e);
            }
            throw new BadInputException("GPU error: " + e.getMessage(), e);
        }
        return 0;
    }

    private int fanOut(CudaProbe.Result probe, List<Integer> ordinals, PrintWriter err) {
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        List<DeviceFanOut.Child> children = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        Path perGpu = out.resolve("per-gpu");
        for (int ordinal : ordinals) {
            Path dir = perGpu.resolve("gpu" + ordinal);
            dirs.add(dir);
            String busId = Backends.pciBusId(probe, ordinal);
            Optional<String> uuid = Backends.uuid(probe, busId);
            List<String> args = DeviceFanOut.withOption(original, "--out", dir.toString());
            // shown its GPU alone, a child measures "device 0"; without NVML's UUID it keeps the parent's numbering
            args = DeviceFanOut.withOption(args, "--devices", uuid.isPresent() ? "0" : String.valueOf(ordinal));
            args = DeviceFanOut.withOption(args, "--pci-bus-id", busId);
            children.add(new DeviceFanOut.Child(args, dir.resolve("profile.log"), uuid.orElse(null)));
        }
        List<Integer> codes = DeviceFanOut.runChildren(children, err);
        for (int i = 0; i < codes.size(); i++) {
            err.println("gpu " + ordinals.get(i) + ": exit " + codes.get(i) + " (log: " + children.get(i).log() + ")");
        }
        Optional<Integer> failed = codes.stream().filter(c -> c != 0).findFirst();
        if (failed.isPresent()) { // a failed GPU's folder may hold an earlier run's table: merge none of them
            err.println("not merged: not every GPU's run finished (their exits and logs above); the tables of those"
                    + " that did stay under " + perGpu);
            return failed.get();
        }
        Set<String> tables = BenchOptions.dtypes(dtypes).stream().map(Dtype::id).collect(Collectors.toSet());
        DeviceFanOut.mergePerModel(dirs, tables, out).forEach(spec.commandLine().getOut()::println);
        return 0;
    }

    private Warmup warmup() {
        try {
            return new Warmup(warmup, warmupMs);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--warmup " + warmup + " --warmup-ms " + warmupMs + ": " + e.getMessage());
        }
    }

    /** The stopping rule of the options, each refused under its own name (the rule's own check is in µs). */
    private StoppingRule rule() {
        if (minSamples < 2)
            throw new BadInputException("--min-samples: must be >= 2, got " + minSamples);
        if (!(minTimeS >= 0))
            throw new BadInputException("--min-time-s: must be >= 0, got " + minTimeS);
        if (!(maxNoisePct / 100 > 0))
            throw new BadInputException("--max-noise-pct: must be > 0, got " + maxNoisePct);
        if (!(timeoutS * 1e6 > 0))
            throw new BadInputException("--timeout-s: must be > 0, got " + timeoutS);
        return new StoppingRule(minSamples, minTimeS * 1e6, maxNoisePct / 100, timeoutS * 1e6);
    }

    /** Registers this command with the gemmcost command tree. */
    public static final class Plugin implements gemmcost.cli.CommandPlugin {
        @Override
        public Object command() {
            return new ProfileCommand();
        }
    }
}
