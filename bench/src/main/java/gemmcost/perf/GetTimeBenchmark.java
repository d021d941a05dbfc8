package gemmcost.perf;

import gemmcost.gettime.TableGetTime;
import gemmcost.table.GemmShape;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Get_Time lookups on a 30k-entry table (300 (k, n) sites × 100 m each, synthetic roofline-like times), one
 * thread. {@code query}: {@code exact} measured shapes; {@code on_site} m between measured points of a site (the
 * analyzer's usual case: its shapes sit on a profiled site); {@code off_site} random shapes on no site (local fit).
 * Target: ≥ 5 million lookups/s. Run: {@code scripts/gemmcost jmh GetTimeBenchmark}. Ten warmup seconds: on the 2-core
 * dev VM every fork has one slow second about 7 s in (a quarter of the rate; no GC then, no recompilation of
 * Get_Time's methods), which three warmup seconds left in the measurement.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GetTimeBenchmark {
    private static final int SITES = 300;
    private static final int M_PER_SITE = 100;
    private static final int QUERIES = 1024;

    @Param({"exact", "on_site", "off_site"})
    public String query;

    private TableGetTime table;
    private final long[] m = new long[QUERIES];
    private final long[] k = new long[QUERIES];
    private final long[] n = new long[QUERIES];
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        Map<GemmShape, Double> times = new HashMap<>();
        long[][] sites = new long[SITES][];
        for (int s = 0; s < SITES; s++) {
            sites[s] = new long[] {logUniform(random, 256, 32768), logUniform(random, 256, 32768)};
            for (int i = 0; i < M_PER_SITE; i++) {
                long mm = 1 + 7L * i * i; // 1 … 68608, denser at small m like real sweeps
                GemmShape shape = new GemmShape(mm, sites[s][0], sites[s][1]);
                times.put(shape, syntheticUs(shape, random));
            }
        }
        table = TableGetTime.of(times, "synthetic 30k-entry table");
        GemmShape[] measured = times.keySet().toArray(GemmShape[]::new);
        for (int q = 0; q < QUERIES; q++) {
            switch (query) {
                case "exact" -> set(q, measured[random.nextInt(measured.length)]);
                case "on_site" -> {
                    long[] site = sites[random.nextInt(SITES)];
                    set(q, new GemmShape(logUniform(random, 2, 65536), site[0], site[1]));
                }
                default -> set(q, new GemmShape(logUniform(random, 1, 65536), logUniform(random, 256, 32768),
                        logUniform(random, 256, 32768)));
            }
        }
    }

    private void set(int q, GemmShape shape) {
        m[q] = shape.m();
        k[q] = shape.k();
        n[q] = shape.n();
    }

    private static long logUniform(SplittableRandom random, long lo, long hi) {
        return Math.round(Math.exp(random.nextDouble(Math.log(lo), Math.log(hi))));
    }

    private static double syntheticUs(GemmShape s, SplittableRandom random) {
        double computeUs = s.flops() / 700e6;
        double memoryUs = (s.m() * s.k() + s.k() * s.n() + s.m() * s.n()) * 2 / 3.0e6;
        return (5 + Math.max(computeUs, memoryUs)) * (1 + 0.05 * random.nextDouble());
    }

    @Benchmark
    public double lookup() {
        int q = next;
        next = (q + 1) & (QUERIES - 1);
        return table.timeUs(m[q], k[q], n[q]);
    }
}
