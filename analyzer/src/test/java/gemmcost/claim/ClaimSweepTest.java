package gemmcost.claim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.model.Deployment;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaimSweepTest {
    @Test
    void atTheSeedsBatchTheSweepIsTheClaimChecksDecodeRows() {
        Deployment dense = SeedDeployments.baseline(Plan.Mlp.DENSE, Phase.DECODE);
        Deployment experts = SeedDeployments.baseline(Plan.Mlp.MOE, Phase.DECODE);
        Deployment ma = SeedDeployments.maSeparation(Phase.DECODE);
        CostModel model = CostModels.open(CostModels.DEFAULT_PROFILE, dense.model().dtype(), dense.network());
        ClaimCheck check = ClaimCheck.run(model, dense, experts, ma);
        ClaimSweep sweep = ClaimSweep.run(ClaimSweep.parse("batch=64,1024"), model, dense, experts, ma);
        ClaimSweep.Point at1024 = sweep.points().get(1);
        assertThat(at1024.value()).isEqualTo(1024);
        assertThat(at1024.denseUs()).isEqualTo(check.rows().get(3).baselineUs());
        assertThat(at1024.expertsUs()).isEqualTo(check.rows().get(4).baselineUs());
        assertThat(at1024.maUs()).isEqualTo(check.rows().get(4).maUs());
        assertThat(at1024.labels()).isEqualTo("modeled");
        // a smaller batch is a cheaper step for every plan
        assertThat(sweep.points().get(0).maUs()).isLessThan(at1024.maUs());
    }

    @Test
    void parsesBothAxes() {
        assertThat(ClaimSweep.parse("seq=512, 2048")).isEqualTo(
                new ClaimSweep.Spec(ClaimSweep.Axis.SEQ, List.of(512, 2048)));
    }

    @Test
    void refusesWhatItCannotSweep() {
        assertThatThrownBy(() -> ClaimSweep.parse("heads=8")).isInstanceOf(BadInputException.class)
                .hasMessage("--sweep heads=8: must be batch=N,N,… or seq=N,N,…");
        assertThatThrownBy(() -> ClaimSweep.parse("batch=")).hasMessage("--sweep batch=: no values after batch=");
        assertThatThrownBy(() -> ClaimSweep.parse("batch=8,x")).hasMessage("--sweep batch=8,x: 'x' is not an integer"
                + " from 1 to 2147483647");
        assertThatThrownBy(() -> ClaimSweep.parse("seq=0")).hasMessage("--sweep seq=0: '0' is not an integer from 1 to"
                + " 2147483647");
        assertThatThrownBy(() -> ClaimSweep.parse("batch=1024,1,64")).hasMessage("--sweep batch=1024,1,64: the values"
                + " must increase (the chart's axis runs from the first to the last)");
    }

    /** Review: --sweep batch=1,2 --sweep batch=4 had printed two tables of one axis. */
    @Test
    void refusesAnAxisSweptTwice() {
        assertThat(ClaimSweep.parseAll(List.of("batch=1,64", "seq=512"))).extracting(ClaimSweep.Spec::axis)
                .containsExactly(ClaimSweep.Axis.BATCH, ClaimSweep.Axis.SEQ);
        assertThatThrownBy(() -> ClaimSweep.parseAll(List.of("batch=1,2", "seq=512", "batch=4")))
                .isInstanceOf(BadInputException.class).hasMessage("--sweep batch=4: the batch axis is swept by --sweep"
                        + " batch=1,2 too; give all its values in one");
    }
}
