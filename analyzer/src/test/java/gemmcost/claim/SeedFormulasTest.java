package gemmcost.claim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import gemmcost.gettime.Estimate;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.Label;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeedFormulasTest {
    /** A table whose times we choose: GT(M, k, n) for every (k, n) the seed's expressions use. */
    private static final Map<String, Double> TIMES = Map.ofEntries(
            Map.entry("512x4096", 10.0), Map.entry("128x2048", 2.0), Map.entry("2048x128", 3.0),
            Map.entry("512x16384", 40.0), Map.entry("2048x512", 5.0),
            Map.entry("341x384", 1.0), Map.entry("384x341", 4.0), Map.entry("341x256", 0.5), Map.entry("256x341", 2.5),
            Map.entry("4096x16", 7.0), Map.entry("4096x16384", 100.0), Map.entry("16384x4096", 90.0),
            Map.entry("4096x4096", 20.0));

    private static final GetTime CHOSEN = new GetTime() {
        @Override
        public Estimate estimate(long m, long k, long n) {
            assertThat(m).isEqualTo(SeedFormulas.M);
            return new Estimate(TIMES.get(k + "x" + n), Label.MEASURED, Estimate.Method.EXACT, 0, "");
        }

        @Override
        public String source() {
            return "chosen";
        }
    };

    @Test
    void shouldEvaluateTheTotalBaselineExpressionLiterally() {
        // 4·[3·10 + 8·2 + 40 + 5] + 0 = 4·91 = 364
        assertThat(SeedFormulas.evaluate(CHOSEN, 0).baselineTotalUs()).isEqualTo(364.0);
    }

    @Test
    void shouldEvaluateTheOptimizedBaselineExpressionLiterally() {
        // 4·[max(3·10, 8·2 + 8·3) + 40 + 5] = 4·[max(30, 40) + 45] = 4·85 = 340; comm once, outside: + 7
        assertThat(SeedFormulas.evaluate(CHOSEN, 7).baselineOptimizedUs()).isEqualTo(347.0);
    }

    @Test
    void shouldEvaluateTheMaExpressionLiterally() {
        SeedFormulas s = SeedFormulas.evaluate(CHOSEN, 3);
        // attention: max(3·1 + 3·2 + 3·3 + 4, 2·0.5 + 2·2 + 2·3 + 2.5) = max(22, 13.5) = 22
        assertThat(s.attentionUs()).isEqualTo(22.0);
        // MoE: 7 + (100 + 90) + 20 = 217
        assertThat(s.moeUs()).isEqualTo(217.0);
        // 4·[max(22, 217) + 3] = 880: comm inside the 4×[…]
        assertThat(s.maUs()).isEqualTo(880.0);
        assertThat(s.labels()).containsExactly(Label.MEASURED);
    }

    @Test
    void reductionIsOneMinusTheRatio() {
        // the source's Table 1: 1 − 1.82/2.76 = 0.3406
        assertThat(SeedFormulas.reduction(2.76, 1.82)).isCloseTo(0.3406, within(1e-4));
        assertThat(ClaimCheck.SOURCE_TABLE).isCloseTo(0.3406, within(1e-4));
    }
}
