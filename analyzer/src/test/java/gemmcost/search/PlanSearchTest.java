package gemmcost.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import gemmcost.BadInputException;
import gemmcost.claim.SeedPlans;

import gemmcost.claim.SeedDeployments;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.model.Deployment;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import gemmcost.schedule.DagAnalysis;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanSearchTest {
    private static final Deployment SEED = SeedDeployments.maSeparation(Phase.DECODE);
    private static final CostModel MODEL = CostModels.open(CostModels.DEFAULT_PROFILE, SEED.model().dtype(),
            SEED.network());

    @Test
    void seedSpaceHasEveryFactorisationAndSplit() {
        List<Candidate> space = new PlanSpace(16, List.of(1, 2, 4)).enumerate(SEED, 1.0);
        // TP × PP = 16 with 32 heads, expert width 16384 and 4 layers: TP16×PP1, TP8×PP2, TP4×PP4 (TP2×PP8 needs
        // 8 layers); MA: a = 1 … 15 (a <= 32 heads, 16 − a <= 16 experts); each with 3 micro-batch counts
        assertThat(space).hasSize(3 * 3 + 15 * 3);
        assertThat(new PlanSpace(16, List.of(1, 2, 1, 4, 2)).enumerate(SEED, 1.0)).hasSameSizeAs(space);
        assertThat(space.stream().filter(c -> c.deployment().plan() instanceof Plan.TpPp).map(Candidate::describe)
                .filter(s -> s.endsWith("1 micro-batch, experts")).toList())
                .containsExactly("TP4 x PP4, 1 micro-batch, experts", "TP8 x PP2, 1 micro-batch, experts",
                        "TP16 x PP1, 1 micro-batch, experts");
    }

    @Test
    void balancedSplitGivesTheRemainderToTheFirst() {
        assertThat(PlanSpace.balanced(32, 12)).containsExactly(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2);
        assertThat(PlanSpace.balanced(16, 5)).containsExactly(4, 3, 3, 3, 3);
        assertThat(PlanText.runs(PlanSpace.balanced(16, 5))).isEqualTo("4x1 3x4");
    }

    @Test
    void rankingIsByTpotAndTheSeedPlansAreFoundWithTheirOwnTimes() {
        PlanSearch.Result r = PlanSearch.run(SeedPlans.mark(new PlanSpace(16, List.of(1, 2)).enumerate(SEED, 1.0)), MODEL, 2);
        assertThat(r.ranked()).hasSize(3 * 2 + 15 * 2);
        for (int i = 1; i < r.ranked().size(); i++) {
            assertThat(r.ranked().get(i).tpotUs()).isGreaterThanOrEqualTo(r.ranked().get(i - 1).tpotUs());
            assertThat(r.ranked().get(i).rank()).isEqualTo(i + 1);
        }
        assertThat(r.seeds()).extracting(e -> e.candidate().seed()).containsExactlyInAnyOrder(
                "seed baseline, with the model's experts", "seed MA-separation",
                "seed baseline as the seed costs it (not this model: one dense MLP)");
        assertThat(r.evaluated()).isEqualTo(3 * 2 + 15 * 2 + 1);
        for (Evaluated e : r.seeds()) {
            Deployment seedPlan = switch (e.candidate().seed()) {
                case "seed MA-separation" -> SeedDeployments.maSeparation(Phase.DECODE);
                case "seed baseline, with the model's experts" -> SeedDeployments.baseline(Plan.Mlp.MOE, Phase.DECODE);
                default -> SeedDeployments.baseline(Plan.Mlp.DENSE, Phase.DECODE);
            };
            double expected = DagAnalysis.of(seedPlan, MODEL).schedule().makespanUs();
            assertThat(e.tpotUs()).isEqualTo(expected);
            assertThat(e.rank() == 0).isEqualTo(e.candidate().seed().startsWith("seed baseline as the seed costs"));
        }
    }

    /** Review: a config's routing imbalance other than the seed's 1.0 had left the seed's MA layout unmarked. */
    @Test
    void theSeedsMaLayoutShouldBeMarkedAtTheConfigsImbalance() {
        List<Candidate> marked = SeedPlans.mark(new PlanSpace(16, List.of(1)).enumerate(SEED, 1.5));

        assertThat(marked).filteredOn(c -> c.seed().equals("seed MA-separation")).singleElement()
                .extracting(c -> ((Plan.MaSeparation) c.deployment().plan()).imbalance()).isEqualTo(1.5);
    }

    @Test
    void gpusBeyondWhatALayoutMaySpanShouldBeRefusedBeforeAnyPlanIsMade() {
        assertThatThrownBy(() -> new PlanSpace(Integer.MAX_VALUE, List.of(1))).isInstanceOf(BadInputException.class)
                .hasMessage("--gpus 2147483647: must be 1 to 65536");
    }

    @Test
    void sameAnswersOnOneThreadAndOnTwo() {
        List<Candidate> space = new PlanSpace(16, List.of(1, 2)).enumerate(SEED, 1.5);
        assertThat(PlanSearch.run(space, MODEL, 1).ranked()).extracting(Evaluated::tpotUs)
                .isEqualTo(PlanSearch.run(space, MODEL, 2).ranked().stream().map(Evaluated::tpotUs).toList());
    }
}
