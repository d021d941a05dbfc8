package gemmcost.bench.jmh;

import gemmcost.bench.CorrectnessCheck;
import gemmcost.bench.Sweep;

import gemmcost.BadInputException;
import gemmcost.cuda.Backends;
import gemmcost.cuda.CudaProbe;
import gemmcost.cuda.GemmBackend;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One GEMM shape on the GPU under JMH, through the same backend code as {@code profile}: {@code gemm} is one launch
 * (L2 flush, then CUDA events around one GEMM, then sync); its GPU-event time per launch is reported by
 * {@link GpuEventProfiler} as {@code gpu.median.us}, while JMH's own score is host time per launch.
 * {@code launchSyncBaseline} records the events with nothing between them: its host time is the per-launch
 * overhead that the GPU-event time excludes. The trial first passes the fp64 correctness check.
 * Run: {@code scripts/gemmcost jmh GemmBenchmark -p shape=8192x8192x8192 -p dtype=bf16 -rf json -rff gemm.json}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GemmBenchmark {
    /** {@code m x k x n}: JMH splits parameter values at commas. */
    @Param("8192x8192x8192")
    public String shape;

    @Param("bf16")
    public String dtype;

    @Param("auto")
    public String backend;

    @Param("0")
    public int device;

    /** Where to look first for the CUDA libraries; empty: the usual search. */
    @Param("")
    public String cudaLibDir;

    private GemmBackend opened;
    private GemmBackend.GemmTrial trial;

    @Setup
    public void setUp() {
        Path libDir = cudaLibDir.isEmpty() ? null : Path.of(cudaLibDir);
        Dtype type = Dtype.require("dtype", dtype);
        opened = Backends.open(Backends.Choice.parse(backend), CudaProbe.run(libDir), device).backend();
        try {
            GpuEventProfiler.reading(Sweep.reading(opened));
            CorrectnessCheck.require(opened, type);
            trial = opened.open(parse(shape), type);
        } catch (RuntimeException e) { // JMH runs no tear-down after a failed set-up
            opened.close();
            opened = null;
            throw e;
        }
    }

    public static GemmShape parse(String text) {
        String[] parts = text.split("x", -1);
        try {
            if (parts.length == 3) {
                return new GemmShape(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new BadInputException("shape: expected m x k x n as in 8192x8192x8192, got '" + text + "'");
    }

    @Benchmark
    public double gemm() {
        double gpuUs = trial.launchUs();
        GpuEventProfiler.record(gpuUs);
        return gpuUs;
    }

    @Benchmark
    public double launchSyncBaseline() {
        return trial.syncOnlyUs();
    }

    @TearDown
    public void tearDown() {
        if (trial != null) {
            trial.close();
        }
        if (opened != null) {
            opened.close();
        }
    }
}
