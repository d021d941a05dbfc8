package gemmcost.claim;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.deploy.Afd;
import gemmcost.serving.StepCost;
import java.util.List;
import org.junit.jupiter.api.Test;

class AfdSweepTest {
    private static final Afd AFD = new Afd(8, 1, 8, 3);

    /** A plan at concurrency c whose decode step takes {@code stepMs}; 16 GPUs; NaN: it does not fit. */
    private static AfdSweep.Result result(int c, double stepMs) {
        return Double.isNaN(stepMs) ? new AfdSweep.Result(null, c, 16, "does not fit")
                : new AfdSweep.Result(new StepCost(null, null, stepMs * 1e3, 0, stepMs * 1e3), c, 16, null);
    }

    private static AfdSweep.Point point(int c, double baselineMs, double afdMs) {
        return new AfdSweep.Point(c, result(c, baselineMs), result(c, afdMs));
    }

    @Test
    void afdShouldWinFromTheFirstConcurrencyAfterWhichItNeverLoses() {
        // gains 0.5, 1.25, 0.8, 1.25, then only AFD fits: it wins from 512 on, not from 128
        AfdSweep sweep = new AfdSweep(AFD, List.of(point(64, 10, 20), point(128, 10, 8), point(256, 10, 12.5),
                point(512, 10, 8), point(1024, Double.NaN, 30)));

        assertThat(sweep.points().get(1).gain()).isEqualTo(1.25);
        assertThat(sweep.firstWin()).isSameAs(sweep.points().get(3));
        // tokens/s/GPU = c / TPOT / GPUs: 512 / 0.008 s / 16
        assertThat(sweep.points().get(3).afd().tokensPerSecPerGpu()).isEqualTo(4000.0);
    }

    @Test
    void afdThatLosesAtTheEndOrOnlyFitsShouldNotWin() {
        assertThat(new AfdSweep(AFD, List.of(point(64, 10, 8), point(128, 10, 12))).firstWin()).isNull();
        assertThat(new AfdSweep(AFD, List.of(point(64, Double.NaN, 8))).firstWin()).isNull();
    }
}
