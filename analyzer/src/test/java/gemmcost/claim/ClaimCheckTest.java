package gemmcost.claim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import gemmcost.comm.Network;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.cost.MemoryBandwidth;
import gemmcost.device.Dtype;
import gemmcost.gettime.Estimate;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.Label;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaimCheckTest {
    @Test
    void labelsOfSeveralNumbersJoinInDeclarationOrder() {
        assertThat(Label.join(List.of(Label.MODELED, Label.INTERPOLATED, Label.MODELED)))
                .isEqualTo("interpolated+modeled");
    }

    @Test
    void everyRowOnTheDatasheetRooflineIsLabelledModeled() {
        ClaimCheck check = ClaimCheck.run(CostModels.open("h100-sxm", Dtype.BF16, Network.h100Default()),
                SeedDeployments.baseline(Plan.Mlp.DENSE, Phase.DECODE),
                SeedDeployments.baseline(Plan.Mlp.MOE, Phase.DECODE), SeedDeployments.maSeparation(Phase.DECODE));
        assertThat(check.rows()).hasSize(5).allSatisfy(row -> assertThat(row.labels()).isEqualTo("modeled"));
        assertThat(check.flawLabels()).startsWith("GEMM times modeled; seed expressions modeled");
        assertThat(check.flaws()).hasSize(9);
        assertThat(check.rows().get(3).what()).isEqualTo("DAG decode TPOT (m=1024), dense baseline");
    }

    /** A baseline given with its experts is not called dense, nor faulted for being costed dense. */
    @Test
    void aBaselineWithExpertsShouldBeNamedAsGivenAndNotFaultedForBeingDense() {
        ClaimCheck check = ClaimCheck.run(CostModels.open("h100-sxm", Dtype.BF16, Network.h100Default()),
                SeedDeployments.baseline(Plan.Mlp.MOE, Phase.DECODE),
                SeedDeployments.baseline(Plan.Mlp.MOE, Phase.DECODE), SeedDeployments.maSeparation(Phase.DECODE));

        assertThat(check.rows().get(3).what()).isEqualTo("DAG decode TPOT (m=1024), baseline as given");
        assertThat(check.rows().get(3).baselineUs()).isEqualTo(check.rows().get(4).baselineUs());
        assertThat(check.flaws()).hasSize(8).noneMatch(f -> f.description().startsWith("the baseline is costed dense"));
    }

    /** A table where every GEMM takes 1 µs per 10⁹ multiply-adds, and memory moves 10¹² bytes/s. */
    private static CostModel linear() {
        GetTime oneUsPerGigaMac = new GetTime() {
            @Override
            public Estimate estimate(long m, long k, long n) {
                return new Estimate((double) m * k * n / 1e9, Label.MEASURED, Estimate.Method.EXACT, 0, "");
            }

            @Override
            public String source() {
                return "test: 1 us per 1e9 multiply-adds";
            }
        };
        return new CostModel(oneUsPerGigaMac, new MemoryBandwidth(1e12, Label.MODELED, "test"), Network.h100Default());
    }

    @Test
    void theFlawsNumbersShouldBeTheOnesDerivedByHandOnAChosenTable() {
        ClaimCheck check = ClaimCheck.run(linear(), SeedDeployments.baseline(Plan.Mlp.DENSE, Phase.DECODE),
                SeedDeployments.baseline(Plan.Mlp.MOE, Phase.DECODE), SeedDeployments.maSeparation(Phase.DECODE));
        double m = 2097152;
        List<ClaimCheck.Flaw> f = check.flaws();

        // 2: an expert given all M tokens (up 4096→16384 and down 16384→4096) against its top-2-of-16 share, M/8
        assertThat(f.get(1).seedUs()).isCloseTo(2 * m * 4096 * 16384 / 1e9, within(1e-6));
        assertThat(f.get(1).correctUs()).isCloseTo(2 * (m / 8) * 4096 * 16384 / 1e9, within(1e-6));
        // 4: the head split put on k: GT(M, 341, 384) against GT(M, 4096, 384)
        assertThat(f.get(3).seedUs()).isCloseTo(m * 341 * 384 / 1e9, within(1e-6));
        assertThat(f.get(3).correctUs()).isCloseTo(m * 4096 * 384 / 1e9, within(1e-6));
        // 5: TP 8 on k (512·16384 + 2048·512 per token) against Megatron's split (4096·2048 + 2048·4096)
        assertThat(f.get(4).seedUs()).isCloseTo(m * (512 * 16384 + 2048 * 512) / 1e9, within(1e-6));
        assertThat(f.get(4).correctUs()).isCloseTo(m * (4096 * 2048 + 2048 * 4096) / 1e9, within(1e-6));
        // 9: the embedding as a GEMM with k = vocab against a gather reading and writing M × 4096 bf16 at 1e12 B/s
        assertThat(f.get(8).seedUs()).isCloseTo(m * 50265 * 4096 / 1e9, within(1e-6));
        assertThat(f.get(8).correctUs()).isCloseTo(2 * m * 4096 * 2 / 1e12 * 1e6, within(1e-6));
        // 7: experts "in parallel" for free (the critical path) is shorter than the schedule that runs each MoE GPU's
        // four experts one after another
        assertThat(f.get(6).seedUs()).isLessThan(f.get(6).correctUs());
        // 8: max(attention, MoE) against attention then MoE
        assertThat(f.get(7).seedUs()).isLessThan(f.get(7).correctUs());
        assertThat(check.flawLabels()).isEqualTo("GEMM times measured; seed expressions measured; memory-bound times"
                + " modeled; communication times modeled");
    }
}
