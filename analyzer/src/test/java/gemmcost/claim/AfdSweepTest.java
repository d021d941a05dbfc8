package gemmcost.claim;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.deploy.Afd;
import gemmcost.deploy.Parallelism;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.Experts;
import gemmcost.model.hf.WeightFormat;
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

    @Test
    void aSweepOfASmallMoeModelShouldCostBothPlansWhereTheyFitAndMarkWhereTheyDoNot() {
        // 4 layers, hidden 4096, 64 experts of 1536 top-8, bf16: ~10 GB of weights, at home on 16 H200s
        Architecture moe = new Architecture("small-moe", 4, 4096, 32000, false, new Attention.Gqa(64, 8, 128), 0, 0,
                new Experts(64, 8, 1536, 0), WeightFormat.BF16);
        Device h200 = DeviceCatalog.require("h200");
        CostModel cost = CostModels.forServing(h200, "bf16", null, null).model();

        AfdSweep sweep = AfdSweep.run(moe, h200, cost, new Parallelism(8, 1, 8, 8), 2, AFD, List.of(64, 1_000_000),
                1024, 1024, Dtype.FP8);

        AfdSweep.Point small = sweep.points().getFirst();
        assertThat(small.baseline().fits()).isTrue();
        assertThat(small.afd().fits()).isTrue();
        assertThat(small.gain()).isPositive().isFinite();
        // a million sequences of 2,048 tokens hold 8 KV heads x 128 x 2 x 4 layers x 1 B = 8 KiB a token: 16 TB
        AfdSweep.Point huge = sweep.points().getLast();
        assertThat(huge.baseline().misfit()).startsWith("does not fit: ");
        assertThat(huge.afd().misfit()).startsWith("does not fit: ");
        assertThat(huge.gain()).isNaN();
    }
}
