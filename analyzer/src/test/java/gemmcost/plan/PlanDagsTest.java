package gemmcost.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import gemmcost.comm.Collective;
import gemmcost.dag.Dag;
import gemmcost.dag.Work;

import gemmcost.BadInputException;
import gemmcost.claim.SeedDeployments;
import gemmcost.model.Deployment;
import gemmcost.model.ModelSpec;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import gemmcost.table.GemmShape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanDagsTest {
    private static Map<String, Work> byId(Dag dag) {
        Map<String, Work> work = new HashMap<>();
        for (int v = 0; v < dag.size(); v++)
            work.put(dag.id(v), dag.work(v));
        return work;
    }

    @Test
    void decodeProjectionsHaveOneTokenPerSequence() {
        Map<String, Work> tp = byId(PlanDags.build(SeedDeployments.baseline(Plan.Mlp.DENSE, Phase.DECODE)));
        // TP = 8, column-parallel Q: (m = batch = 1024, k = hidden = 4096, n = 4096/8 = 512)
        assertThat(tp.get("mb0.L0.q")).isEqualTo(new Work.Gemm(1024, 4096, 512));
        // row-parallel output projection: k = 4 heads × 128 = 512, n = 4096
        assertThat(tp.get("mb0.L0.o_proj")).isEqualTo(new Work.Gemm(1024, 512, 4096));
        // dense MLP column/row split: (1024, 4096, 16384/8 = 2048) then (1024, 2048, 4096)
        assertThat(tp.get("mb0.L0.mlp.up")).isEqualTo(new Work.Gemm(1024, 4096, 2048));
        assertThat(tp.get("mb0.L0.mlp.down")).isEqualTo(new Work.Gemm(1024, 2048, 4096));
        // one head reads K and V of 1024 sequences × 2048 tokens × 128 × 2 bytes: 2 × 1024 × 2048 × 128 × 2
        assertThat(tp.get("mb0.L0.head0")).isEqualTo(new Work.Memory(2.0 * 1024 * 2048 * 128 * 2));
        // all-reduce of m × hidden × 2 bytes = 8,388,608
        assertThat(tp.get("mb0.L0.attn_all_reduce")).isEqualTo(new Work.Comm(Collective.ALL_REDUCE, 8_388_608));
    }

    @Test
    void prefillProjectionsHaveEveryPromptToken() {
        Map<String, Work> tp = byId(PlanDags.build(SeedDeployments.baseline(Plan.Mlp.DENSE, Phase.PREFILL)));
        // m = 1024 × 2048 = 2,097,152
        assertThat(tp.get("mb0.L0.q")).isEqualTo(new Work.Gemm(2_097_152, 4096, 512));
        // QK^T per head: 1024 sequences of (2048, 128, 2048), the seed's per-head Get_Time(2097152, 128, 2048)
        Work.Gemm scores = (Work.Gemm) tp.get("mb0.L0.head0.scores");
        assertThat(scores).isEqualTo(new Work.Gemm(new GemmShape(2048, 128, 2048), 1024));
        assertThat(scores.costedShape()).isEqualTo(new GemmShape(2_097_152, 128, 2048));
    }

    @Test
    void maAttentionGpusProjectTheirOwnHeadsFromTheFullHiddenState() {
        Map<String, Work> ma = byId(PlanDags.build(SeedDeployments.maSeparation(Phase.DECODE)));
        // 3 heads on GPU 0: Q is (1024, 4096, 3 × 128 = 384), not the seed's (m, 341, 384)
        assertThat(ma.get("mb0.L0@0.q")).isEqualTo(new Work.Gemm(1024, 4096, 384));
        assertThat(ma.get("mb0.L0@11.q")).isEqualTo(new Work.Gemm(1024, 4096, 256));
        // top-2 of 16 experts: 1024 × 2 / 16 = 128 tokens per expert, full expert width
        assertThat(ma.get("mb0.L0.expert0@12.up")).isEqualTo(new Work.Gemm(128, 4096, 16384));
        assertThat(ma.get("mb0.L0.expert15@15.down")).isEqualTo(new Work.Gemm(128, 16384, 4096));
        // the busiest MoE GPU receives 4 experts × 128 tokens × 4096 × 2 bytes
        assertThat(ma.get("mb0.L0.dispatch")).isEqualTo(new Work.Comm(Collective.M_TO_N, 4.0 * 128 * 4096 * 2));
        // and sends them back: more than the ⌈1024 / 12⌉ = 86 tokens × 2 rows an attention GPU receives
        assertThat(ma.get("mb0.L0.combine")).isEqualTo(new Work.Comm(Collective.M_TO_N, 4.0 * 128 * 4096 * 2));
    }

    /** Generated DAGs skip the builder's id index, so the generators alone keep ids unique. */
    @Test
    void generatedIdsAreUnique() {
        for (Phase phase : Phase.values())
            for (var deployment : List.of(SeedDeployments.baseline(Plan.Mlp.DENSE, phase),
                    SeedDeployments.baseline(Plan.Mlp.MOE, phase), SeedDeployments.maSeparation(phase),
                    withMicroBatches(SeedDeployments.baseline(Plan.Mlp.MOE, phase), 2),
                    withMicroBatches(SeedDeployments.maSeparation(phase), 4))) {
                Dag dag = PlanDags.build(deployment);
                assertThat(byId(dag)).as(deployment.name() + " " + phase).hasSize(dag.size());
            }
    }

    /** Micro-batch k is micro-batch 0 again, its ids prefixed mb k: the same work on the same GPUs, half the batch. */
    @Test
    void aPlanWhoseDagWouldExceedTenMillionOperatorsShouldBeRefusedBeforeItIsBuilt() {
        Deployment seed = SeedDeployments.maSeparation(Phase.DECODE);
        ModelSpec m = seed.model();
        // the seed's 4 layers are some 3,000 operators per micro-batch: 1,024 layers × 64 micro-batches, 50 million
        Deployment huge = withMicroBatches(seed.withModel(new ModelSpec(1024, m.hidden(), m.heads(), m.headDim(),
                m.vocab(), m.experts(), m.expertHidden(), m.topK(), m.dtype(), m.activation())), 64);

        assertThatThrownBy(() -> PlanDags.build(huge)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("the DAG would have more than 10000000 operators (")
                .hasMessageEndingWith(" or more), beyond what gemmcost analyses in memory");
    }

    @Test
    void microBatchesAreTheFirstOneAgainOnHalfTheBatch() {
        Deployment seed = SeedDeployments.maSeparation(Phase.DECODE);
        Map<String, Work> one = byId(PlanDags.build(seed));
        Dag two = PlanDags.build(withMicroBatches(seed, 2));
        Map<String, Work> both = byId(two);

        assertThat(two.size()).isEqualTo(2 * one.size());
        // m = 1024 / 2 sequences; 512 × 2 / 16 = 64 tokens per expert
        assertThat(both.get("mb0.L0@0.q")).isEqualTo(new Work.Gemm(512, 4096, 384));
        assertThat(both.get("mb1.L0@0.q")).isEqualTo(new Work.Gemm(512, 4096, 384));
        assertThat(both.get("mb1.L3.expert15@15.down")).isEqualTo(new Work.Gemm(64, 16384, 4096));
        for (int v = 0; v < one.size(); v++) {
            int copy = v + one.size();
            assertThat(two.id(copy)).isEqualTo("mb1" + two.id(v).substring("mb0".length()));
            assertThat(two.gpus(copy)).isEqualTo(two.gpus(v));
            assertThat(two.work(copy)).isEqualTo(two.work(v));
        }
    }

    private static Deployment withMicroBatches(Deployment d, int microBatches) {
        Plan plan = switch (d.plan()) {
            case Plan.TpPp p -> new Plan.TpPp(p.tp(), p.pp(), microBatches, p.mlp());
            case Plan.MaSeparation p -> new Plan.MaSeparation(p.attentionGpus(), p.heads(), p.moeGpus(), p.experts(),
                    p.imbalance(), microBatches);
        };
        return d.withPlan(d.name(), d.gpus(), plan);
    }

    @Test
    void imbalanceGivesTheBusiestExpertMoreAndConservesTokens() {
        // mean 1024 × 2 / 16 = 128; busiest 1.5 × 128 = 192; others (2048 − 192) / 15 = 123.7 → 124
        long[] tokens = Routing.tokensPerExpert(1024, 2, 16, 1.5);
        assertThat(tokens[0]).isEqualTo(192);
        assertThat(tokens[1]).isEqualTo(124);
    }
}
