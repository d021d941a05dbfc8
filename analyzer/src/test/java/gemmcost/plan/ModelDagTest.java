package gemmcost.plan;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.comm.Collective;
import gemmcost.dag.Dag;
import gemmcost.dag.Work;
import gemmcost.deploy.Afd;
import gemmcost.deploy.Parallelism;
import gemmcost.model.Phase;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.DsaIndexer;
import gemmcost.model.hf.Experts;
import gemmcost.model.hf.GatedDeltaNet;
import gemmcost.model.hf.QkNorm;
import gemmcost.model.hf.SlidingWindow;
import gemmcost.model.hf.WeightFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ModelDagTest {
    /** Layer 0 dense (SwiGLU 2048), layer 1 with 16 experts of 512, top-2; hidden 1024, 8 heads of 128. */
    private static Architecture smallMoe(WeightFormat weights) {
        return new Architecture("small-moe", 2, 1024, 1000, false, new Attention.Gqa(8, 8, 128), 1, 2048,
                new Experts(16, 2, 512, 0), weights);
    }

    private static final Step DECODE_64 = new Step(Phase.DECODE, 64, 100, 2);

    private static List<String> ids(Dag dag) {
        return dag.ids(IntStream.range(0, dag.size()).boxed().toList());
    }

    private static List<String> successors(Dag dag, String id) {
        int v = node(dag, id);
        return IntStream.range(0, dag.successorCount(v)).mapToObj(i -> dag.id(dag.successor(v, i))).toList();
    }

    private static int node(Dag dag, String id) {
        for (int v = 0; v < dag.size(); v++)
            if (dag.id(v).equals(id))
                return v;
        throw new AssertionError("no op " + id);
    }

    /**
     * The engines' default with attention replicas on a node (TensorRT-LLM without MNNVL or DeepEP, vLLM's
     * allgather_reducescatter, SGLang without DeepEP): all-gather the stage's tokens, reduce-scatter the outputs;
     * it had been costed as DeepEP's all-to-all dispatch and combine.
     */
    @Test
    void expertParallelismWithReplicasShouldAllGatherTheTokensAndReduceScatterTheOutputs() {
        // tp 8 = 8 attention replicas (dp 8) of 8 sequences each; experts over 8 GPUs (ep 8), 2 per GPU
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(8, 1, 8, 8), DECODE_64);

        // every GPU gathers the stage's 64 tokens (64 × 1024 × 2 B) and scatters their summed outputs back
        int gather = node(dag, "mb0.L1.moe_gather");
        assertThat(dag.work(gather)).isEqualTo(new Work.Comm(Collective.ALL_GATHER, 64 * 1024 * 2));
        assertThat(dag.gpus(gather)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(dag.work(node(dag, "mb0.L1.moe_scatter")))
                .isEqualTo(new Work.Comm(Collective.REDUCE_SCATTER, 64 * 1024 * 2));
        assertThat(ids(dag)).noneMatch(id -> id.contains("dispatch") || id.contains("combine"));
        // 64 × 2 / 8 = 16 rows reach a GPU's 2 experts, both chosen by some token: 8 rows each, weights side by side
        assertThat(dag.work(node(dag, "mb0.L1.experts.up"))).isEqualTo(new Work.Gemm(8, 1024, 2 * 2 * 512));
        assertThat(dag.work(node(dag, "mb0.L1.experts.down"))).isEqualTo(new Work.Gemm(8, 512, 2 * 1024));
        // the dense layer and attention run per replica, 8 rows, with no all-reduce (one GPU per replica)
        assertThat(dag.work(node(dag, "mb0.L0.mlp.up"))).isEqualTo(new Work.Gemm(8, 1024, 2 * 2048));
        // the LM head and the MoE layer's router are the GEMMs a quantised checkpoint keeps in bf16
        assertThat(ids(dag)).filteredOn(id -> dag.work(node(dag, id)) instanceof Work.Gemm g && g.unquantized())
                .containsExactlyInAnyOrder("mb0.L1.router", "mb0.lm_head");
        assertThat(ids(dag))
                .noneMatch(id -> id.contains("all_reduce"));
    }

    @Test
    void theRoutedTokensShouldBeChosenPermutedAndSummedAroundTheExperts() {
        // tp 8 = 8 replicas of 8 tokens (dp 8), ep 8: each GPU's 2 experts get 64 × 2 / 8 = 16 rows
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(8, 1, 8, 8), DECODE_64);

        // top-k reads a replica's 8 tokens' 16 fp32 scores and writes 2 choices of an int32 and an fp32 each
        assertThat(dag.work(node(dag, "mb0.L1.topk"))).isEqualTo(new Work.Memory(8 * (16 * 4 + 2 * 8)));
        // the 16 rows move once in their experts' order, in bf16
        assertThat(dag.work(node(dag, "mb0.L1.experts.permute"))).isEqualTo(new Work.Memory(16 * 1024 * 2));
        // the 16 outputs are read and summed into the 64 tokens' partial rows the reduce-scatter takes
        assertThat(dag.work(node(dag, "mb0.L1.experts.sum"))).isEqualTo(new Work.Memory((16 + 64) * 1024 * 2));
        assertThat(ids(dag))
                .containsSubsequence("mb0.L1.router", "mb0.L1.topk", "mb0.L1.moe_gather", "mb0.L1.experts.permute",
                        "mb0.L1.experts.up", "mb0.L1.experts.down", "mb0.L1.experts.sum", "mb0.L1.moe_scatter");
        assertThat(dag.predecessorCount(node(dag, "mb0.L1.experts.sum"))).isOne();
        assertThat(successors(dag, "mb0.L1.experts.sum")).containsExactly("mb0.L1.moe_scatter");
    }

    @Test
    void tensorParallelExpertsShouldSumTheirTopKOutputsBeforeTheAllReduce() {
        // one replica over tp 8, every expert split 8 ways: each GPU gets all 64 tokens' 128 routed rows
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(8, 1, 1, 1), DECODE_64);

        assertThat(dag.work(node(dag, "mb0.L1.experts.permute"))).isEqualTo(new Work.Memory(128 * 1024 * 2));
        assertThat(dag.work(node(dag, "mb0.L1.experts.sum"))).isEqualTo(new Work.Memory((128 + 64) * 1024 * 2));
        assertThat(successors(dag, "mb0.L1.experts.sum")).containsExactly("mb0.L1.moe_all_reduce");
    }

    /**
     * Review: expert parallelism without attention replicas had been costed as a dispatch, a combine and a gather,
     * where every engine (vLLM's FusedMoE runs all-to-all kernels only with data parallelism; SGLang's standard
     * dispatcher and TensorRT-LLM without attention DP compute on the GPU's own tokens) all-reduces the MoE output.
     */
    @Test
    void expertParallelismWithoutReplicasShouldRunEachGpusExpertsOnItsTokensAndAllReduceOnce() {
        // one replica over tp 8 (dp 1): every GPU holds the 64 tokens; its 2 of the 16 experts get 64 × 2 / 8 = 16
        // routed rows, 8 each; the 16 rows are summed into the 64 tokens' partial outputs, all-reduced once
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(8, 1, 8, 1), DECODE_64);

        assertThat(ids(dag)).noneMatch(id -> id.contains("dispatch") || id.contains("combine")
                || id.contains("gather"));
        assertThat(dag.work(node(dag, "mb0.L1.experts.permute"))).isEqualTo(new Work.Memory(16 * 1024 * 2));
        assertThat(dag.work(node(dag, "mb0.L1.experts.up"))).isEqualTo(new Work.Gemm(8, 1024, 2 * 2 * 512));
        assertThat(dag.work(node(dag, "mb0.L1.experts.sum"))).isEqualTo(new Work.Memory((16 + 64) * 1024 * 2));
        int allReduce = node(dag, "mb0.L1.moe_all_reduce");
        assertThat(dag.work(allReduce)).isEqualTo(new Work.Comm(Collective.ALL_REDUCE, 64 * 1024 * 2));
        assertThat(dag.gpus(allReduce)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(successors(dag, "mb0.L1.experts.sum")).containsExactly("mb0.L1.moe_all_reduce");
    }

    @Test
    void aReplicaOfSeveralGpusShouldAllGatherWhatItsGpusGotBackFromTheExperts() {
        // 2 replicas of tp 4 (dp 2, ep 8): the reduce-scatter leaves each GPU 8 of the 64 tokens; then each replica
        // all-gathers its 32 tokens (32 × 1024 × 2 B) over its own 4 GPUs
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(8, 1, 8, 2), DECODE_64);

        assertThat(successors(dag, "mb0.L1.moe_scatter")).containsExactly("mb0.L1.replica_gather");
        int gather = node(dag, "mb0.L1.replica_gather");
        assertThat(dag.work(gather)).isEqualTo(new Work.Comm(Collective.ALL_GATHER, 32 * 1024 * 2));
        assertThat(dag.gpus(gather)).containsExactly(0, 1, 2, 3);
        assertThat(successors(dag, "mb0.L1.replica_gather")).containsExactly("mb0.L1.residual");
    }

    @Test
    void expertsSplitOverGpusWithoutReplicasShouldRunEachSliceOnItsTokensAndAllReduceOnce() {
        // tp 8, ep 4 (dp 1): each of the 4 pairs of GPUs holds 4 of the 16 experts, each split 2 ways (256 columns);
        // 64 × 2 / 4 = 32 rows reach a pair's 4 experts, all chosen by some token: 8 rows each
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(8, 1, 4, 1), DECODE_64);

        assertThat(dag.work(node(dag, "mb0.L1.experts.up"))).isEqualTo(new Work.Gemm(8, 1024, 4 * 2 * 256));
        assertThat(dag.work(node(dag, "mb0.L1.experts.down"))).isEqualTo(new Work.Gemm(8, 256, 4 * 1024));
        assertThat(dag.work(node(dag, "mb0.L1.moe_all_reduce"))).isEqualTo(
                new Work.Comm(Collective.ALL_REDUCE, 64 * 1024 * 2));
        assertThat(ids(dag)).noneMatch(id -> id.contains("dispatch"));
    }

    @Test
    void sequencesThatDoNotDivideShouldBeAnAverageShareWithGemmRowsRoundedUp() {
        // 3 sequences over 2 pipeline micro-batches: 1.5 each; m = 2, but the KV read is 1.5 sequences' worth
        Architecture dense = new Architecture("dense", 2, 1024, 1000, false, new Attention.Gqa(8, 8, 128), 2, 2048,
                null, WeightFormat.BF16);
        Dag dag = ModelDag.build("t", dense, new Parallelism(1, 2, 1, 1), new Step(Phase.DECODE, 3, 100, 2));

        assertThat(dag.work(node(dag, "mb0.L0.qkv"))).isEqualTo(new Work.Gemm(2, 1024, 3 * 8 * 128));
        Work.Attention attention = (Work.Attention) dag.work(node(dag, "mb0.L0.attention"));
        assertThat(attention.bytes()).isEqualTo(1.5 * 100 * (2 * 8 * 128) * 2 + 1.5 * 8 * 256 * 2);
        assertThat(dag.work(node(dag, "mb1.L1.attention"))).isEqualTo(attention);
    }

    @Test
    void aReplicaShouldRunTheBusiestReplicasSequencesAndTheExpertsEveryToken() {
        // 12 sequences over 8 attention replicas (dp 8, ep 8): 4 replicas hold 2, 4 hold 1; the step waits for 2
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(8, 1, 8, 8),
                new Step(Phase.DECODE, 12, 100, 2));

        // attention reads 2 sequences' KV (100 tokens × 8 KV heads × 2 × 128 × 2 B each) and moves 2 tokens' q and o
        Work.Attention attention = (Work.Attention) dag.work(node(dag, "mb0.L1.attention"));
        assertThat(attention.bytes()).isEqualTo(2 * 100 * (8 * 2 * 128) * 2 + 2 * 8 * 256 * 2);
        assertThat(dag.work(node(dag, "mb0.L0.mlp.up"))).isEqualTo(new Work.Gemm(2, 1024, 2 * 2048));
        // the experts get the 12 tokens there are, not 8 × 2: the gather brings 12, 12 × 2 / 8 rows reach a GPU
        assertThat(dag.work(node(dag, "mb0.L1.moe_gather"))).isEqualTo(
                new Work.Comm(Collective.ALL_GATHER, 12 * 1024 * 2));
        assertThat(dag.work(node(dag, "mb0.L1.experts.permute"))).isEqualTo(new Work.Memory(12.0 * 2 / 8 * 1024 * 2));
    }

    @Test
    void eachResidualAddShouldCarryTheNextNormAsOneKernel() {
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(1, 1, 1, 1), DECODE_64);

        // layer 1 takes its input normed by layer 0's residual add; the last residual add is the final norm
        assertThat(ids(dag)).contains("mb0.L0.norm1").doesNotContain("mb0.L1.norm1", "mb0.final_norm");
        assertThat(dag.predecessorCount(node(dag, "mb0.L1.qkv"))).isOne();
        assertThat(successors(dag, "mb0.L0.residual")).containsExactly("mb0.L1.qkv");
        // it reads the output and the residual and writes both the sum and its norm: 4 × 64 rows × 1024 × 2 B
        assertThat(dag.work(node(dag, "mb0.L1.residual"))).isEqualTo(new Work.Memory(4 * 64 * 1024 * 2));
        assertThat(dag.name(node(dag, "mb0.L1.residual"))).isEqualTo("residual add and norm");
    }

    @Test
    void aLaterStageShouldGetItsFirstLayersInputNormedWithTheResidual() {
        // 2 stages of one layer each, 2 micro-batches of 32 sequences: stage 1 gets the normed input and the residual
        Architecture dense = new Architecture("dense", 2, 1024, 1000, false, new Attention.Gqa(8, 8, 128), 2, 2048,
                null, WeightFormat.BF16);
        Dag dag = ModelDag.build("t", dense, new Parallelism(1, 2, 1, 1), DECODE_64);

        assertThat(dag.work(node(dag, "mb0.send1"))).isEqualTo(new Work.Comm(Collective.SEND_RECV, 2 * 32 * 1024 * 2));
        assertThat(ids(dag)).doesNotContain("mb0.L1.norm1");
        assertThat(successors(dag, "mb0.send1")).containsExactly("mb0.L1.qkv");
    }

    @Test
    void fp8ExpertsShouldGatherTheTokensInBf16AndPermuteTheirRowsInFp8() {
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.FP8), new Parallelism(8, 1, 8, 8), DECODE_64);

        assertThat(dag.work(node(dag, "mb0.L1.moe_gather"))).isEqualTo(
                new Work.Comm(Collective.ALL_GATHER, 64 * 1024 * 2));
        assertThat(dag.work(node(dag, "mb0.L1.experts.permute"))).isEqualTo(new Work.Memory(16 * 1024));
    }

    /** Review: the step had run a GPU's mean number of chosen experts, where it waits for the GPU with the most. */
    @Test
    void oneTokensExpertsOverTwoGpusShouldCostTheBusiestGpusExpectedShare() {
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(2, 1, 2, 1),
                new Step(Phase.DECODE, 1, 100, 2));

        // each of a GPU's 8 experts chosen with 2/16 = 0.125: Binomial(8, 0.125) has F(0..6) = 0.34361, 0.73631,
        // 0.93266, 0.98876, 0.99878, 0.99992, 0.99999; the busiest of 2 runs Σ (1 − F(j)²) = 1.4949 experts on
        // average (the mean 1): n = 1.4949 × 2 × 512 = 1531 for gate and up, 1.4949 × 1024 = 1531 down, on one row
        int up = node(dag, "mb0.L1.experts.up");
        assertThat(dag.work(up)).isEqualTo(new Work.Gemm(1, 1024, 1531));
        assertThat(dag.work(node(dag, "mb0.L1.experts.down"))).isEqualTo(new Work.Gemm(1, 512, 1531));
        assertThat(dag.name(up)).isEqualTo("1.49 routed experts gate and up");
    }

    @Test
    void oneTokenShouldRunOnlyItsTopKExperts() {
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(1, 1, 1, 1),
                new Step(Phase.DECODE, 1, 100, 2));

        // 1 - (1 - 2/16)^1 of 16 experts = 2 run, one row each
        assertThat(dag.work(node(dag, "mb0.L1.experts.up"))).isEqualTo(new Work.Gemm(1, 1024, 2 * 2 * 512));
        assertThat(dag.name(node(dag, "mb0.L1.experts.up"))).isEqualTo("2 routed experts gate and up");
    }

    /**
     * 4 layers, attention (4 gated heads of 16, 2 KV heads) in layers 1 and 3; Gated DeltaNet in 0 and 2: 2 key heads
     * of 8, 4 value heads of 16, a 4-tap convolution, fp32 state.
     */
    private static Architecture hybrid() {
        return new Architecture("hybrid", 4, 64, 100, false, new Attention.Gqa(4, 2, 16, true, QkNorm.PER_HEAD, false),
                0, 0,
                new Experts(8, 2, 32, 0), WeightFormat.BF16, new GatedDeltaNet(2, 4, 8, 16, 4, 4), 2);
    }

    /** Per GPU of tp 2: one value head pair's state, 2 × 8 × 16 fp32 elements. */
    private static final double STATE_BYTES = 2 * 8 * 16 * 4;

    @Test
    void aHybridModelShouldRunLinearAttentionInAllButEveryIntervalthLayer() {
        Dag dag = ModelDag.build("t", hybrid(), new Parallelism(2, 1, 1, 1), new Step(Phase.DECODE, 6, 100, 2));

        // per GPU (tp 2): q and k (one key head of 8 each), v and z (two value heads of 16 each), β and decay (2 each)
        assertThat(dag.work(node(dag, "mb0.L0.in_proj"))).isEqualTo(new Work.Gemm(6, 64, 8 + 8 + 32 + 32 + 2 + 2));
        // the convolution reads and writes q, k and v (48 channels) and each sequence's last 3 inputs
        assertThat(dag.work(node(dag, "mb0.L0.conv"))).isEqualTo(new Work.Memory(2 * 6 * 48 * 2 + 2 * 6 * 3 * 48 * 2));
        // decode reads and writes each of the 6 sequences' state, reads q, k, v and writes the output (32)
        Work.Attention rule = (Work.Attention) dag.work(node(dag, "mb0.L2.delta_rule"));
        assertThat(rule.bytes()).isEqualTo(6 * (48 + 32) * 2 + 2 * 6 * STATE_BYTES);
        // per value head and token: decay the state (1), read the key's value (2), correct it (2), read the query (2)
        assertThat(rule.flops()).isEqualTo(6 * 2 * (1 + 2 + 2 + 2) * 8 * 16);
        assertThat(dag.work(node(dag, "mb0.L2.out_proj"))).isEqualTo(new Work.Gemm(6, 32, 64));
        // the attention layers' query projection also makes the output gate: 2 heads × 2 × 16, and k, v 1 × 16 each
        assertThat(dag.work(node(dag, "mb0.L1.qkv"))).isEqualTo(new Work.Gemm(6, 64, 2 * 32 + 2 * 16));
        assertThat(dag.work(node(dag, "mb0.L3.output_gate"))).isEqualTo(new Work.Memory(3.0 * 6 * 2 * 16 * 2));
        assertThat(ids(dag))
                .noneMatch(id -> id.startsWith("mb0.L0.attention") || id.startsWith("mb0.L1.delta_rule"));
    }

    @Test
    void qkNormedHeadsShouldBeAKernelOfTheirOwnBetweenTheProjectionAndTheRotaryEmbedding() {
        // per head (the hybrid's attention layers, tp 2): 2 query heads and 1 KV head of 16 read and written, 6 tokens
        Dag dag = ModelDag.build("t", hybrid(), new Parallelism(2, 1, 1, 1), new Step(Phase.DECODE, 6, 100, 2));
        assertThat(dag.work(node(dag, "mb0.L1.qk_norm"))).isEqualTo(new Work.Memory(2.0 * 6 * (2 + 1) * 16 * 2));
        assertThat(successors(dag, "mb0.L1.qkv")).containsExactly("mb0.L1.qk_norm");
        assertThat(successors(dag, "mb0.L1.qk_norm")).containsExactly("mb0.L1.rope");
        assertThat(ids(dag)).noneMatch(id -> id.endsWith("qk_norm_all_reduce"));

        // over the whole layer, tp 2: each GPU sums its heads' squares (2 query heads and 1 KV head of 16 read, two
        // fp32 sums written per token), the replica all-reduces the two sums, then the heads are scaled
        Architecture perLayer = new Architecture("per-layer", 1, 64, 100, false,
                new Attention.Gqa(4, 2, 16, false, QkNorm.PER_LAYER, false), 1, 128, null, WeightFormat.BF16);
        Dag tp2 = ModelDag.build("t", perLayer, new Parallelism(2, 1, 1, 1), new Step(Phase.DECODE, 6, 100, 2));
        assertThat(successors(tp2, "mb0.L0.qkv")).containsExactly("mb0.L0.qk_norm_sums");
        assertThat(tp2.work(node(tp2, "mb0.L0.qk_norm_sums"))).isEqualTo(new Work.Memory(6 * ((2 + 1) * 16 * 2 + 8)));
        assertThat(successors(tp2, "mb0.L0.qk_norm_sums")).containsExactly("mb0.L0.qk_norm_all_reduce");
        int allReduce = node(tp2, "mb0.L0.qk_norm_all_reduce");
        assertThat(tp2.work(allReduce)).isEqualTo(new Work.Comm(Collective.ALL_REDUCE, 6 * 2 * 4));
        assertThat(tp2.gpus(allReduce)).containsExactly(0, 1);
        assertThat(successors(tp2, "mb0.L0.qk_norm_all_reduce")).containsExactly("mb0.L0.qk_norm");
        assertThat(tp2.work(node(tp2, "mb0.L0.qk_norm"))).isEqualTo(new Work.Memory(2.0 * 6 * (2 + 1) * 16 * 2));
        // on one GPU, or a replica of one (attention dp 2 on 2 GPUs), there is nothing to sum across
        Dag one = ModelDag.build("t", perLayer, new Parallelism(1, 1, 1, 1), new Step(Phase.DECODE, 6, 100, 2));
        assertThat(successors(one, "mb0.L0.qkv")).containsExactly("mb0.L0.qk_norm");
        Dag replicas = ModelDag.build("t", perLayer, new Parallelism(2, 1, 1, 2), new Step(Phase.DECODE, 6, 100, 2));
        assertThat(successors(replicas, "mb0.L0.qkv")).containsExactly("mb0.L0.qk_norm");
        Dag llama = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Parallelism(1, 1, 1, 1), DECODE_64);
        assertThat(successors(llama, "mb0.L0.qkv")).containsExactly("mb0.L0.rope");
    }

    @Test
    void aHybridPrefillShouldPassTheStateThroughMemoryOncePerChunkOf64Tokens() {
        // 3 sequences of 100 tokens: 2 chunks each, the second partial; a 40-token prompt is one chunk of 40
        Dag dag = ModelDag.build("t", hybrid(), new Parallelism(2, 1, 1, 1), new Step(Phase.PREFILL, 3, 100, 2));
        Work.Attention rule = (Work.Attention) dag.work(node(dag, "mb0.L0.delta_rule"));
        assertThat(rule.bytes()).isEqualTo(300 * (48 + 32) * 2 + 2 * 3 * 2 * STATE_BYTES);
        // per token and value head: the rule's 7 · 8 · 16, and the chunk's attention 2 · 64 · (8 + 16)
        assertThat(rule.flops()).isEqualTo(300 * 2 * (7 * 8 * 16 + 2 * 64 * (8 + 16)));

        Dag short40 = ModelDag.build("t", hybrid(), new Parallelism(2, 1, 1, 1), new Step(Phase.PREFILL, 3, 40, 2));
        Work.Attention shortRule = (Work.Attention) short40.work(node(short40, "mb0.L0.delta_rule"));
        assertThat(shortRule.bytes()).isEqualTo(120 * (48 + 32) * 2 + 2 * 3 * STATE_BYTES);
        assertThat(shortRule.flops()).isEqualTo(120 * 2 * (7 * 8 * 16 + 2 * 40 * (8 + 16)));
    }

    @Test
    void sparseAttentionShouldReadOnlyItsTopKTokensAndScoreEveryCachedOne() {
        // MLA of 4 heads (query rank 32, latent 16 + rotary 8, nope 8, value 8) with an indexer of 2 heads of 4 that
        // keeps the top 50 tokens; 1 layer, dense
        Architecture sparse = new Architecture("sparse", 1, 64, 100, false,
                new Attention.Mla(4, 32, 16, 8, 8, 8, new DsaIndexer(2, 4, 50)), 1, 128, null, WeightFormat.BF16);

        Dag decode = ModelDag.build("t", sparse, new Parallelism(1, 1, 1, 1), new Step(Phase.DECODE, 3, 200, 2));
        // each of 3 sequences reads 50 of its 200 cached latents (16 + 8, bf16); every index key (4 fp8 + a 4-byte
        // scale) is read to score it
        Work.Attention attention = (Work.Attention) decode.work(node(decode, "mb0.L0.attention"));
        assertThat(attention.bytes()).isEqualTo(3 * 50 * 24 * 2 + 3 * 4 * (24 + 16) * 2);
        Work.Attention scores = (Work.Attention) decode.work(node(decode, "mb0.L0.index_scores"));
        assertThat(scores.bytes()).isEqualTo(3 * 200 * (4 + 4));
        assertThat(scores.flops()).isEqualTo(3 * 200 * 2 * 2 * 4);
        assertThat(decode.work(node(decode, "mb0.L0.index_k"))).isEqualTo(new Work.Gemm(3, 64, 4 + 2));
        // RoPE: the rotary parts (8) of 4 query heads and of the key read and written; the 16 + 8 latent cached
        assertThat(decode.work(node(decode, "mb0.L0.rope")))
                .isEqualTo(new Work.Memory(3 * (2 * (4 + 1) * 8 * 2 + 24 * 2)));
        // attention waits for the indexer's choice and for the absorbed query, which does not wait for the indexer
        assertThat(successors(decode, "mb0.L0.index_scores")).containsExactly("mb0.L0.attention");
        assertThat(decode.predecessorCount(node(decode, "mb0.L0.attention"))).isEqualTo(2);
        // 40 cached tokens, under the top 50: every one is read
        Dag few = ModelDag.build("t", sparse, new Parallelism(1, 1, 1, 1), new Step(Phase.DECODE, 3, 40, 2));
        assertThat(((Work.Attention) few.work(node(few, "mb0.L0.attention"))).bytes())
                .isEqualTo(3 * 40 * 24 * 2 + 3 * 4 * (24 + 16) * 2);
        // over 2 GPUs the heads split, the indexer does not: its query is still 2 heads × 4
        Dag split = ModelDag.build("t", sparse, new Parallelism(2, 1, 1, 1), new Step(Phase.DECODE, 3, 200, 2));
        assertThat(split.work(node(split, "mb0.L0.index_q"))).isEqualTo(new Work.Gemm(3, 32, 2 * 4));
        assertThat(split.work(node(split, "mb0.L0.q_up"))).isEqualTo(new Work.Gemm(3, 32, 2 * (8 + 8)));

        Dag prefill = ModelDag.build("t", sparse, new Parallelism(1, 1, 1, 1), new Step(Phase.PREFILL, 1, 200, 2));
        // the first 50 queries attend to 1 … 50 tokens, the other 150 to 50 each; the indexer scores all causal pairs
        Work.Attention causal = (Work.Attention) prefill.work(node(prefill, "mb0.L0.attention"));
        assertThat(causal.flops()).isEqualTo(2.0 * 4 * (50 * 51 / 2 + 150 * 50) * (16 + 8));
        // Q, K, V (4 heads each, keys 16 wide, values 8) and the output move once; the cache is written with RoPE
        assertThat(causal.bytes()).isEqualTo(200 * (4 + 4) * (16 + 8) * 2);
        assertThat(prefill.work(node(prefill, "mb0.L0.rope")))
                .isEqualTo(new Work.Memory(200 * (2 * (4 + 1) * 8 * 2 + 24 * 2)));
        Work.Attention allPairs = (Work.Attention) prefill.work(node(prefill, "mb0.L0.index_scores"));
        assertThat(allPairs.flops()).isEqualTo(200 * 201 / 2 * 2.0 * 2 * 4);
    }

    @Test
    void aSlidingWindowLayerShouldReadAndAttendToItsWindowOnly() {
        // 2 layers of 4 query heads and 2 KV heads of 16, layer 0 with a window of 50 tokens
        Architecture windowed = new Architecture("windowed", 2, 64, 100, false, new Attention.Gqa(4, 2, 16), 2, 128,
                null, WeightFormat.BF16).withSlidingWindow(new SlidingWindow(50, Set.of(0)));

        Dag decode = ModelDag.build("t", windowed, new Parallelism(1, 1, 1, 1), new Step(Phase.DECODE, 3, 200, 2));
        // each of 3 sequences reads 50 of its 200 cached tokens in layer 0 (K and V of 2 heads of 16, bf16), all of
        // them in layer 1; the new token's 4 query heads and output (16 wide each for Q·K and for V) move once
        Work.Attention window = (Work.Attention) decode.work(node(decode, "mb0.L0.attention"));
        assertThat(window.bytes()).isEqualTo(3 * 50 * 64 * 2 + 3 * 4 * (16 + 16) * 2);
        assertThat(window.flops()).isEqualTo(2.0 * 3 * 4 * 50 * (16 + 16));
        Work.Attention full = (Work.Attention) decode.work(node(decode, "mb0.L1.attention"));
        assertThat(full.bytes()).isEqualTo(3 * 200 * 64 * 2 + 3 * 4 * (16 + 16) * 2);

        Dag prefill = ModelDag.build("t", windowed, new Parallelism(1, 1, 1, 1), new Step(Phase.PREFILL, 1, 200, 2));
        // the first 50 queries attend to 1 … 50 tokens, the other 150 to 50 each; causal over all 200 in layer 1
        Work.Attention banded = (Work.Attention) prefill.work(node(prefill, "mb0.L0.attention"));
        assertThat(banded.flops()).isEqualTo(2.0 * 4 * (50 * 51 / 2 + 150 * 50) * (16 + 16));
        Work.Attention causal = (Work.Attention) prefill.work(node(prefill, "mb0.L1.attention"));
        assertThat(causal.flops()).isEqualTo(2.0 * 4 * (200 * 201 / 2) * (16 + 16));

        // the cache one sequence of 200 tokens holds: 50 tokens in layer 0, 200 in layer 1, 64 elements a token
        assertThat(windowed.kvBytesPerSequencePerGpu(0, 2, 1, 200, 2)).isEqualTo((50 + 200) * 64 * 2);
        assertThat(windowed.kvBytesPerSequencePerGpu(1, 2, 2, 200, 1)).isEqualTo(200 * 32);
        assertThat(windowed.kvBytesPerSequencePerGpu(0, 1, 1, 30, 2)).isEqualTo(30 * 64 * 2);
        // where the engine keeps whole caches (or a prompt is being prefilled) layer 0 holds all 200, but reads 50
        Architecture whole = windowed.withWholeWindowCaches();
        assertThat(whole.kvBytesPerSequencePerGpu(0, 2, 1, 200, 2)).isEqualTo(2 * 200 * 64 * 2);
        Dag wholeDecode = ModelDag.build("t", whole, new Parallelism(1, 1, 1, 1), new Step(Phase.DECODE, 3, 200, 2));
        assertThat(wholeDecode.work(node(wholeDecode, "mb0.L0.attention"))).isEqualTo(window);
        // a request's decode steps read 100 … 300 tokens (mean 200): against a window of 150, each step reads
        // min(t, 150), on average ((150² − 100²) / 2 + 150 · 150) / 200 = 143.75 tokens, not min(200, 150)
        Step spread = new Step(Phase.DECODE, 3, 200, 2, 0, 100);
        assertThat(spread.attended(150)).isEqualTo(143.75);
        assertThat(spread.attended(50)).isEqualTo(50);
        assertThat(spread.attended(400)).isEqualTo(200);
        Architecture wide = windowed.withSlidingWindow(new SlidingWindow(150, Set.of(0)));
        Dag spreadDecode = ModelDag.build("t", wide, new Parallelism(1, 1, 1, 1), spread);
        assertThat(((Work.Attention) spreadDecode.work(node(spreadDecode, "mb0.L0.attention"))).bytes())
                .isEqualTo(3 * 143.75 * 64 * 2 + 3 * 4 * (16 + 16) * 2);
        // over 2 GPUs each holds one KV head of the 2, and reads 50 tokens of it for its 2 query heads
        Dag split = ModelDag.build("t", windowed, new Parallelism(2, 1, 1, 1), new Step(Phase.DECODE, 3, 200, 2));
        assertThat(((Work.Attention) split.work(node(split, "mb0.L0.attention"))).bytes())
                .isEqualTo(3 * 50 * 32 * 2 + 3 * 2 * (16 + 16) * 2);
    }

    @Test
    void afdShouldPutAttentionAndExpertsOnSeparateGpusWithMToNTransfersBetween() {
        Dag dag = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Afd(8, 1, 8, 2), DECODE_64);

        // 2 micro-batches of 32 sequences, 4 per attention GPU; 32 × 2 / 8 = 8 rows reach each FFN GPU
        assertThat(dag.gpus(node(dag, "mb0.L1.attention"))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(dag.work(node(dag, "mb0.L1.qkv"))).isEqualTo(new Work.Gemm(4, 1024, 3 * 8 * 128));
        assertThat(dag.gpus(node(dag, "mb0.L1.experts.up"))).containsExactly(8, 9, 10, 11, 12, 13, 14, 15);
        assertThat(dag.work(node(dag, "mb0.L1.experts.up"))).isEqualTo(new Work.Gemm(4, 1024, 2 * 2 * 512));
        int dispatch = node(dag, "mb0.L1.dispatch");
        assertThat(dag.work(dispatch)).isEqualTo(new Work.Comm(Collective.M_TO_N, 8 * 1024 * 2));
        assertThat(dag.gpuCountOf(dispatch)).isEqualTo(16);
        // each attention GPU gets its 4 tokens' 2 expert outputs back, and sums them
        assertThat(dag.work(node(dag, "mb0.L1.combine"))).isEqualTo(new Work.Comm(Collective.M_TO_N, 8 * 1024 * 2));
        int sum = node(dag, "mb0.L1.experts.sum");
        assertThat(dag.work(sum)).isEqualTo(new Work.Memory((8 + 4) * 1024 * 2));
        assertThat(dag.gpus(sum)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        // the dense layer stays with attention; micro-batch 1 is a copy of micro-batch 0
        assertThat(dag.gpus(node(dag, "mb0.L0.mlp.up"))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(dag.work(node(dag, "mb1.L1.dispatch"))).isEqualTo(dag.work(dispatch));
        // 12 attention GPUs : 4 FFN GPUs: each FFN GPU sends back the 32 × 2 / 4 = 16 rows it got, more than an
        // attention GPU's 32 / 12 tokens' 2 rows
        Dag uneven = ModelDag.build("t", smallMoe(WeightFormat.BF16), new Afd(12, 1, 4, 2), DECODE_64);
        assertThat(uneven.work(node(uneven, "mb0.L1.combine"))).isEqualTo(new Work.Comm(Collective.M_TO_N,
                16.0 * 1024 * 2));
    }
}
