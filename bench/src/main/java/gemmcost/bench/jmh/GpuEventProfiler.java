package gemmcost.bench.jmh;

import gemmcost.table.Quantiles;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports the GPU-event times a benchmark {@link #record}ed during each JMH iteration as secondary results:
 * {@code gpu.median.us} (averaged over iterations, unlike {@code @AuxCounters}, which JMH sums) and
 * {@code gpu.samples}. JMH's primary score stays host time. Run with {@code -prof gemmcost.bench.GpuEventProfiler};
 * {@code gemmcost jmh} adds it.
 */
public final class GpuEventProfiler implements InternalProfiler {
    private static double[] samplesUs = new double[1024];
    private static int count;
    /** How the times were obtained, in their unit: {@code measured} on a GPU, {@code simulated} on the stand-in. */
    private static volatile String reading = "measured";

    /** Called by the benchmark thread once per launch. */
    static synchronized void record(double gpuUs) {
        if (count == samplesUs.length) {
            samplesUs = Arrays.copyOf(samplesUs, 2 * count);
        }
        samplesUs[count++] = gpuUs;
    }

    /** Set once the backend is open: {@code measured} or {@code simulated} ({@code Sweep.reading}). */
    static void reading(String how) {
        reading = how;
    }

    static synchronized void reset() {
        count = 0;
    }

    /** The results of the samples recorded since the last reset; none if there were none (e.g. the baseline). */
    static synchronized List<ScalarResult> results() {
        if (count == 0) {
            return List.of();
        }
        double[] sorted = Arrays.copyOf(samplesUs, count);
        Arrays.sort(sorted);
        String unit = "us " + reading;
        return List.of(new ScalarResult("gpu.median.us", Quantiles.of(sorted, 0.5), unit, AggregationPolicy.AVG),
                new ScalarResult("gpu.p10.us", Quantiles.of(sorted, 0.1), unit, AggregationPolicy.AVG),
                new ScalarResult("gpu.p90.us", Quantiles.of(sorted, 0.9), unit, AggregationPolicy.AVG),
                new ScalarResult("gpu.samples", count, "launches", AggregationPolicy.SUM));
    }

    @Override
    public String getDescription() {
        return "GPU-event time per launch (median, p10, p90) of gemmcost's GEMM benchmarks";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        reset();
    }

    @Override
    @SuppressWarnings("rawtypes") // JMH's interface declares the raw type
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        return results();
    }
}
