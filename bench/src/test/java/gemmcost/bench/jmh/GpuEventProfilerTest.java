package gemmcost.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.ScalarResult;

class GpuEventProfilerTest {
    @Test
    void shouldReportMedianAndSpreadOfTheIterationsLaunches() {
        GpuEventProfiler.reading("measured");
        GpuEventProfiler.reset();
        for (double us : new double[] {5, 1, 4, 2, 3}) {
            GpuEventProfiler.record(us);
        }
        List<ScalarResult> results = GpuEventProfiler.results();

        // sorted 1..5: median 3; p10 = 1 + 0.4·(2 − 1) = 1.4; p90 = 4 + 0.6·(5 − 4) = 4.6 (numpy's linear rule)
        assertThat(results).extracting(ScalarResult::getLabel)
                .containsExactly("gpu.median.us", "gpu.p10.us", "gpu.p90.us", "gpu.samples");
        assertThat(results).extracting(ScalarResult::getScore).containsExactly(3.0, 1.4, 4.6, 5.0);
        assertThat(results.getFirst().getScoreUnit()).isEqualTo("us measured");
        assertThat(results.getFirst().getStatistics().getN()).isEqualTo(1);
    }

    @Test
    void shouldReportNothingForAnIterationWithoutLaunches() {
        GpuEventProfiler.reset();

        assertThat(GpuEventProfiler.results()).isEmpty();
    }
}
