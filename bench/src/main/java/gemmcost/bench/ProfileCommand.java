package gemmcost.bench;

import gemmcost.BadInputException;
import gemmcost.cuda.Backends;
import gemmcost.cuda.ClockReader;
import gemmcost.cuda.CudaProbe;
import gemmcost.cuda.GemmBackend;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost profile}: measure Get_Time tables on this node's GPU. */
@Command(name = "profile",
        description = {"Measure GEMM times on a GPU and write one table per dtype to OUT/<gpu>/<dtype>.json.",
                "Each dtype is first checked against an fp64 CPU reference; each shape is journaled as it finishes,",
                "so rerunning the same command after an interruption resumes. Exits 2 without a usable GPU."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost profile                      # bf16, seed shapes + grid",
                "  scripts/gemmcost profile --dtype bf16 --shapes seed",
                "  scripts/gemmcost profile --dtype bf16,fp16,tf32 --shapes my-shapes.csv --out profiles/"})
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
            + " ordinal(s). Several: one process per GPU in parallel, tables under OUT/per-gpu/gpuN/, then merged per"
            + " GPU model into OUT/<gpu>/<dtype>.json. Default: ${DEFAULT-VALUE}.")
    String devices;

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

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed launches per shape. Default: ${DEFAULT-VALUE}.")
    int warmup;

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

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        List<Dtype> parsed = new ArrayList<>();
        for (String d : dtypes) {
            parsed.add(Dtype.require("--dtype", d));
        }
        List<GemmShape> set = ShapeSets.named(shapes);
        StoppingRule rule = rule();
        CudaProbe.Result probe = CudaProbe.run(cudaLibDir);
        probe.describe().forEach(err::println);
        if (!devices.strip().matches("\\d+")) {
            if (!probe.available()) {
                throw new BadInputException(probe.problem().orElseThrow());
            }
            return fanOut(DeviceFanOut.parse(devices, probe.deviceCount()), err);
        }
        int device = Integer.parseInt(devices.strip());
        Backends.Opened opened = Backends.open(Backends.Choice.parse(backendName), probe, cudaLibDir, device);
        try (GemmBackend backend = opened.backend();
             GpuLock lock = GpuLock.acquire(lockDir, backend.device().pciBusId())) {
            err.println("locked GPU " + backend.device().pciBusId() + " for this run: " + lock);
            err.println("backend: " + opened.explanation() + "; device: " + backend.device());
            ClockReader clocks = ClockReader.system();
            new Profiler(backend, rule, warmup, System::nanoTime, err, () -> clocks.read(device)).run(parsed, set, out)
                    .forEach(spec.commandLine().getOut()::println);
        }
        return 0;
    }

    private int fanOut(List<Integer> ordinals, PrintWriter err) {
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        List<List<String>> children = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        Path perGpu = out.resolve("per-gpu");
        for (int ordinal : ordinals) {
            Path dir = perGpu.resolve("gpu" + ordinal);
            List<String> args = DeviceFanOut.withOption(DeviceFanOut.withOption(original, "--devices",
                    String.valueOf(ordinal)), "--out", dir.toString());
            children.add(args);
            logs.add(dir.resolve("profile.log"));
        }
        List<Integer> codes = DeviceFanOut.runChildren(children, logs, err);
        for (int i = 0; i < codes.size(); i++) {
            err.println("gpu " + ordinals.get(i) + ": exit " + codes.get(i) + " (log: " + logs.get(i) + ")");
        }
        DeviceFanOut.mergePerModel(perGpu, out).forEach(spec.commandLine().getOut()::println);
        return codes.stream().filter(c -> c != 0).findFirst().orElse(0);
    }

    private StoppingRule rule() {
        try {
            return new StoppingRule(minSamples, minTimeS * 1e6, maxNoisePct / 100, timeoutS * 1e6);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("stopping rule: " + e.getMessage());
        }
    }

    /** Registers this command with the gemmcost command tree. */
    public static final class Plugin implements gemmcost.cli.CommandPlugin {
        @Override
        public Object command() {
            return new ProfileCommand();
        }
    }
}
