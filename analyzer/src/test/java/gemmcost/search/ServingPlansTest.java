package gemmcost.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.deploy.Parallelism;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.Experts;
import gemmcost.model.hf.WeightFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingPlansTest {
    private static final Attention GQA = new Attention.Gqa(8, 4, 16);

    @Test
    void aDenseModelShouldGetEveryWorkerCountAndStageSplitOnly() {
        Architecture dense = new Architecture("dense", 2, 128, 100, false, GQA, 2, 256, null, WeightFormat.BF16);

        // 4 GPUs: 1 worker of tp 4, tp 2 x pp 2 or pp 4 (more stages than the 2 layers: the caller's misfit counts
        // it); 2 workers of tp 2 or pp 2; 4 of one GPU
        assertThat(ServingPlans.enumerate(dense, 4).stream().map(ServingPlans.Plan::toString).toList())
                .containsExactly("tp=4, pp=1, ep=1, dp=1", "tp=2, pp=2, ep=1, dp=1", "tp=1, pp=4, ep=1, dp=1",
                        "2 x (tp=2, pp=1, ep=1, dp=1)", "2 x (tp=1, pp=2, ep=1, dp=1)", "4 x (tp=1, pp=1, ep=1, dp=1)");
        assertThat(ServingPlans.enumerate(dense, 4)).allMatch(plan -> plan.gpus() == 4);
    }

    @Test
    void aModelWithExpertsShouldAlsoGetEveryExpertGroupAndAttentionReplicaCountThatDividesTp() {
        Architecture moe = new Architecture("moe", 4, 128, 100, false, GQA, 0, 0, new Experts(8, 2, 64, 0),
                WeightFormat.BF16);

        List<ServingPlans.Plan> plans = ServingPlans.enumerate(moe, 4);

        // one worker: tp 4 (3 ep x 3 dp), tp 2 x pp 2 (2 x 2), pp 4 (1); two workers: tp 2 (2 x 2), pp 2 (1); four: 1
        assertThat(plans).hasSize(9 + 4 + 1 + 4 + 1 + 1);
        assertThat(plans.subList(0, 4).stream().map(ServingPlans.Plan::toString).toList()).containsExactly(
                "tp=4, pp=1, ep=1, dp=1", "tp=4, pp=1, ep=1, dp=2", "tp=4, pp=1, ep=1, dp=4",
                "tp=4, pp=1, ep=2, dp=1");
        assertThat(plans).allMatch(plan -> plan.gpus() == 4);
    }

    @Test
    void workersShouldSpanNodesAsTheFirstDoesOrBeSaidNotTo() {
        Parallelism twelve = new Parallelism(4, 3, 1, 1);
        Parallelism six = new Parallelism(2, 3, 1, 1);

        // 8 + 4 then 4 + 8 GPUs; 3 + 3 on one node; 6, then 2 + 4
        assertThat(new ServingPlans.Plan(2, twelve).workersSpanNodesAlike(8)).isTrue();
        assertThat(new ServingPlans.Plan(1, six).workersSpanNodesAlike(8)).isTrue();
        assertThat(new ServingPlans.Plan(2, new Parallelism(1, 3, 1, 1)).workersSpanNodesAlike(8)).isTrue();
        assertThat(new ServingPlans.Plan(2, six).workersSpanNodesAlike(8)).isFalse();
    }

    @Test
    void disaggregatedPlansShouldPairEveryPlanOfThePrefillGpusWithEveryPlanOfTheRest() {
        Architecture dense = new Architecture("dense", 2, 128, 100, false, GQA, 2, 256, null, WeightFormat.BF16);

        List<ServingPlans.Split> splits = ServingPlans.enumerateSplits(dense, 4, 100);

        // 1 + 3 GPUs: 1 x 3 plans (tp 3, pp 3, 3 workers); 2 + 2: 3 x 3 (tp 2, pp 2, 2 workers); 3 + 1: 3 x 1
        assertThat(splits).hasSize(3 + 9 + 3).allMatch(split -> split.gpus() == 4);
        assertThat(splits.subList(0, 4).stream().map(ServingPlans.Split::toString).toList()).containsExactly(
                "prefill tp=1, pp=1, ep=1, dp=1 + decode tp=3, pp=1, ep=1, dp=1",
                "prefill tp=1, pp=1, ep=1, dp=1 + decode tp=1, pp=3, ep=1, dp=1",
                "prefill tp=1, pp=1, ep=1, dp=1 + decode 3 x (tp=1, pp=1, ep=1, dp=1)",
                "prefill tp=2, pp=1, ep=1, dp=1 + decode tp=2, pp=1, ep=1, dp=1");
        assertThatThrownBy(() -> ServingPlans.enumerateSplits(dense, 4, 14)).isInstanceOf(BadInputException.class)
                .hasMessage("--gpus 4: more than 14 disaggregated plans, the most ranked in one run; rank fewer GPUs"
                        + " (the plans of one node's GPUs are usually the question)");
        assertThat(ServingPlans.enumerateSplits(dense, 4, 15)).hasSize(15); // as many as allowed
        assertThatThrownBy(() -> ServingPlans.enumerateSplits(dense, 1, 100)).isInstanceOf(BadInputException.class)
                .hasMessage("--gpus 1: must be 2 to 65536 for disaggregated plans (prefill and decode workers on GPUs"
                        + " of their own)");
    }

    /** Each side's workers are costed as a worker from GPU 0 on: the prefill side first, else the decode side. */
    @Test
    void theDecodeWorkersOfADisaggregatedPlanShouldSpanNodesAsAWorkerFromGpuZeroDoes() {
        ServingPlans.Plan four = new ServingPlans.Plan(1, new Parallelism(4, 1, 1, 1));
        ServingPlans.Plan twoOfFour = new ServingPlans.Plan(2, new Parallelism(4, 1, 1, 1));
        ServingPlans.Plan six = new ServingPlans.Plan(1, new Parallelism(2, 3, 1, 1));

        // GPUs 0-3, then 4-7 and 8-11: each decode worker on one node, as on GPUs 0-3
        assertThat(new ServingPlans.Split(four, twoOfFour).workersSpanNodesAlike(8)).isTrue();
        // GPUs 0-5, then 6-9 (2 + 2 across nodes, where a worker on GPUs 0-3 is on one): the decode worker first,
        // on GPUs 0-3, then the prefill worker on 4-9 (4 + 2, where one on GPUs 0-5 is on one node)
        assertThat(new ServingPlans.Split(six, four).workersSpanNodesAlike(8)).isFalse();
        // the decode worker first on GPUs 0-3, the prefill worker on 4-7 and both on one node each
        assertThat(new ServingPlans.Split(four, new ServingPlans.Plan(1, new Parallelism(2, 3, 1, 1)))
                .workersSpanNodesAlike(8)).isFalse();
        ServingPlans.Plan eight = new ServingPlans.Plan(1, new Parallelism(8, 1, 1, 1));
        // 4 then 8 straddles (GPUs 4-11); 8 then 4 does not
        assertThat(new ServingPlans.Split(four, eight).workersSpanNodesAlike(8)).isTrue();
        assertThat(new ServingPlans.Split(eight, four).workersSpanNodesAlike(8)).isTrue();
        // the prefill side as an agg plan: 6 GPUs, then 2 + 4, in either order
        assertThat(new ServingPlans.Split(new ServingPlans.Plan(2, six.layout()), four).workersSpanNodesAlike(8))
                .isFalse();
        assertThatThrownBy(() -> new ServingPlans.Split(four, null)).hasMessage("prefill and decode plans: tp=4,"
                + " pp=1, ep=1, dp=1, null");
    }

    /** Counted as {@link ServingPlans#enumerate} makes them, and the divisors found up to the square root. */
    @Test
    void plansShouldBeCountedWithoutMakingThem() {
        Architecture dense = new Architecture("dense", 2, 128, 100, false, GQA, 2, 256, null, WeightFormat.BF16);
        Architecture moe = new Architecture("moe", 4, 128, 100, false, GQA, 0, 0, new Experts(8, 2, 64, 0),
                WeightFormat.BF16);

        for (int gpus : List.of(1, 2, 4, 6, 12, 16, 36))
            assertThat(List.of(ServingPlans.count(gpus, false), ServingPlans.count(gpus, true))).as("%d GPUs", gpus)
                    .containsExactly((long) ServingPlans.enumerate(dense, gpus).size(),
                            (long) ServingPlans.enumerate(moe, gpus).size());
        assertThat(ServingPlans.divisors(36)).containsExactly(1, 2, 3, 4, 6, 9, 12, 18, 36);
        assertThat(ServingPlans.divisors(1)).containsExactly(1);
        assertThat(ServingPlans.divisors(65_521)).containsExactly(1, 65_521);
        // 65,536 GPUs of a model with experts: refused after the first few splits' counts
        assertThatThrownBy(() -> ServingPlans.requireSplits(moe, 65_536, 200_000)).hasMessageStartingWith(
                "--gpus 65536: more than 200000 disaggregated plans");
    }

    @Test
    void aGpuCountBeyondTheLimitsShouldBeRefused() {
        Architecture dense = new Architecture("dense", 2, 128, 100, false, GQA, 2, 256, null, WeightFormat.BF16);

        assertThatThrownBy(() -> ServingPlans.enumerate(dense, 0)).isInstanceOf(BadInputException.class)
                .hasMessage("--gpus 0: must be 1 to 65536");
        assertThatThrownBy(() -> ServingPlans.enumerate(dense, 65_537)).isInstanceOf(BadInputException.class)
                .hasMessage("--gpus 65537: must be 1 to 65536");
        assertThatThrownBy(() -> new ServingPlans.Plan(0, null)).hasMessage("must be >= 1: workers=0");
    }
}
