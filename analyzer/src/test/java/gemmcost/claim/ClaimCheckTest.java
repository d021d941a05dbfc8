package gemmcost.claim;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.cost.CostModels;
import gemmcost.cost.Network;
import gemmcost.device.Dtype;
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
    }
}
