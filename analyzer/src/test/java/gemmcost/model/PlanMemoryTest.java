package gemmcost.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PlanMemoryTest {
    private static final Deployment BASELINE = DeploymentReader.read(Path.of("../examples/seed-baseline-tp8pp2.json"));
    private static final Deployment MA = DeploymentReader.read(Path.of("../examples/seed-ma-separation.json"));

    /** One head of one layer, K and V of 1024 sequences x 2048 tokens x 128 in bf16: 1,073,741,824 B. */
    private static final double KV_PER_HEAD_LAYER = 2.0 * 1024 * 2048 * 128 * 2;

    @Test
    void aTpPpStageShouldHoldItsLayersHeadsAndExpertsSplitOverTheGroup() {
        Deployment experts = BASELINE.withPlan("experts", 16, new Plan.TpPp(8, 2, 1, Plan.Mlp.MOE));

        PlanMemory memory = PlanMemory.of(experts);

        // 2 layers a stage; a layer: 32 heads x Q, K, V, O (4 x 4096 x 128) + 16 experts x 4096 x (16384 + 16384),
        // over tp 8: 276,824,064 elements; the first stage's embedding 50,265 x 4096 / 8 = 25,735,680
        double weights = (2 * 276_824_064.0 + 25_735_680) * 2;
        assertThat(memory.weightBytes()).isCloseTo(weights, within(1.0));
        // 4 heads a GPU, 2 layers
        assertThat(memory.kvBytes()).isEqualTo(8 * KV_PER_HEAD_LAYER);
        assertThat(memory.totalBytes() / 1e9).isCloseTo(9.75, within(0.005));
        // the dense MLP the seed costs holds one MLP a layer, not 16 experts: the same cache, and a layer of
        // (67,108,864 + 134,217,728) / 8 = 25,165,824 elements
        assertThat(PlanMemory.of(BASELINE).kvBytes()).isEqualTo(memory.kvBytes());
        assertThat(PlanMemory.of(BASELINE).weightBytes()).isEqualTo((2 * 25_165_824.0 + 25_735_680) * 2);
    }

    @Test
    void anMaAttentionGpuShouldHoldItsHeadsCacheInEveryLayerAndTheEmbeddingAndHead() {
        PlanMemory memory = PlanMemory.of(MA);

        // GPUs 0-7 hold 3 heads of 4 layers: 12 x 1,073,741,824 B of cache; weights 4 x 3 x 4 x 4096 x 128 plus the
        // embedding and the LM head, 2 x 50,265 x 4096, in bf16
        assertThat(memory.gpu()).isZero();
        assertThat(memory.kvBytes()).isEqualTo(12 * KV_PER_HEAD_LAYER);
        assertThat(memory.weightBytes()).isEqualTo((4.0 * 3 * 4 * 4096 * 128 + 2.0 * 50_265 * 4096) * 2);
        // 16 times the tokens: 206.2 GB of cache, more than any GPU of the catalog holds
        Deployment longer = MA.withWorkload(MA.workload().withSeqLen(32_768));
        assertThat(PlanMemory.of(longer).kvBytes() / 1e9).isCloseTo(206.16, within(0.005));
    }

    @Test
    void anMaMoeGpuShouldBeTheFullestWhereItsExpertsOutweighTheCache() {
        Deployment shortCache = MA.withWorkload(MA.workload().withSeqLen(1).withBatch(1));

        PlanMemory memory = PlanMemory.of(shortCache);

        // 4 experts x 4 layers x 4096 x 32768 x 2 B = 4.29 GB on each of GPUs 12-15; the first of them is named
        assertThat(memory.gpu()).isEqualTo(12);
        assertThat(memory.weightBytes()).isEqualTo(4.0 * 4 * 4096 * 32_768 * 2);
        assertThat(memory.kvBytes()).isZero();
    }
}
