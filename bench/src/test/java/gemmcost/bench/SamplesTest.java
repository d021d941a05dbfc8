package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SamplesTest {
    private static final StoppingRule RULE = new StoppingRule(10, 100, 0.005, 1e6);

    @Test
    void shouldWaitForMinimumSamplesAndGpuTimeThenStopOnLowNoise() {
        Samples s = new Samples(RULE);
        for (int i = 0; i < 9; i++) {
            s.add(20);
        }
        assertThat(s.stop(0)).isEmpty(); // 9 < 10 samples, though 180 µs ≥ 100 µs of GPU time
        s.add(20);
        assertThat(s.stop(0)).contains(StoppingRule.Stop.NOISE);
        assertThat(s.summary(StoppingRule.Stop.NOISE))
                .isEqualTo(new Samples.Summary(20, 20, 20, 10, 0, StoppingRule.Stop.NOISE));
    }

    @Test
    void shouldComputeNoiseAndPercentilesByHand() {
        Samples s = new Samples(RULE);
        for (double t : new double[] {10, 11, 12, 13, 14, 15, 16, 17, 18, 19}) {
            s.add(t);
        }
        // mean 14.5, sample variance Σ(x−14.5)²/9 = 82.5/9
        assertThat(s.noiseRel()).isCloseTo(Math.sqrt(82.5 / 9) / 14.5, within(1e-12));
        Samples.Summary summary = s.summary(StoppingRule.Stop.TIMEOUT);
        assertThat(summary.medianUs()).isEqualTo(14.5);
        assertThat(summary.p10Us()).isCloseTo(10.9, within(1e-12)); // rank 0.9 → 10 + 0.9
        assertThat(summary.p90Us()).isCloseTo(18.1, within(1e-12)); // rank 8.1 → 18 + 0.1
        assertThat(s.stop(0)).isEmpty(); // noise ≈ 21 % > 0.5 %, history not full
    }

    @Test
    void shouldStopWhenNoiseConvergesAboveTarget() {
        Samples s = new Samples(RULE);
        int added = 0;
        while (s.stop(0).isEmpty() && added < 10_000) {
            s.add(added++ % 2 == 0 ? 10 : 12); // a steady ≈ 9.5 % noise that never reaches 0.5 %
        }
        assertThat(s.stop(0)).contains(StoppingRule.Stop.NOISE_CONVERGED);
        assertThat(added).isLessThan(10_000);
    }

    @Test
    void shouldStopAtTheTimeoutWhateverTheNoise() {
        Samples s = new Samples(RULE);
        s.add(5);
        assertThat(s.stop(1e6)).contains(StoppingRule.Stop.TIMEOUT);
    }
}
