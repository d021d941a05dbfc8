package gemmcost.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import gemmcost.SharedData;
import gemmcost.device.DeviceCatalog;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.Experts;
import gemmcost.model.hf.GatedDeltaNet;
import gemmcost.model.hf.HfConfigReader;
import gemmcost.model.hf.QkNorm;
import gemmcost.model.hf.WeightFormat;
import org.junit.jupiter.api.Test;

class MemoryFootprintTest {
    @Test
    void totalBytesShouldSaturateRatherThanOverflow() {
        assertThat(new MemoryFootprint(3, 4, 5).totalBytes()).isEqualTo(12);
        assertThat(new MemoryFootprint(Long.MAX_VALUE - 1, 1, 1).totalBytes()).isEqualTo(Long.MAX_VALUE);
        assertThat(new MemoryFootprint(Long.MAX_VALUE, 0, 0).totalBytes()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void llama70BOnEightGpusShouldHoldAnEighthOfEachLayerAndOneKvHeadPerGpu() {
        Architecture llama = HfConfigReader.read(SharedData.modelConfig("meta-llama--Llama-3.1-70B.config.json"));

        MemoryFootprint f = MemoryFootprint.of(llama, new Parallelism(8, 1, 1, 1), 64, 4096, 2);

        long attention = 2L * 8192 * (64 / 8 * 128) + 2L * 8192 * (8 / 8) * 128; // q, o: 8 heads; k, v: 1 KV head
        long mlp = 3L * 8192 * 28_672 / 8;
        long perLayerBytes = (attention + mlp) * 2 + 2 * 8192 * 2; // bf16, and two bf16 norms
        long embeddingAndHeadBytes = 2 * (128_256L * 8192 / 8) * 2;
        long finalNormBytes = 8192 * 2;
        assertThat(f.weightBytes()).isEqualTo(80 * perLayerBytes + embeddingAndHeadBytes + finalNormBytes)
                .isEqualTo(17_640_734_720L);
        // 64 sequences × 4096 tokens × 80 layers × (K, V) × 1 head × 128 × 2 bytes
        assertThat(f.kvBytes()).isEqualTo(64L * 4096 * 80 * 2 * 128 * 2);
        assertThat(f.fits(DeviceCatalog.require("h100-sxm"))).isTrue();
    }

    @Test
    void llama70BInBf16ShouldNotFitOneH100() {
        Architecture llama = HfConfigReader.read(SharedData.modelConfig("meta-llama--Llama-3.1-70B.config.json"));

        MemoryFootprint f = MemoryFootprint.of(llama, new Parallelism(1, 1, 1, 1), 1, 1, 2);

        assertThat(f.weightBytes()).isEqualTo(llama.weightBytes()).isEqualTo(141_107_412_992L); // all, 2 bytes each
        assertThat(f.fits(DeviceCatalog.require("h100-sxm"))).isFalse(); // 0.9 × 80 GB usable
    }

    @Test
    void deepSeekR1InFp8ShouldFitEightH200sWithDpAttentionButNotEightH100s() {
        Architecture r1 = HfConfigReader.read(SharedData.modelConfig("deepseek-ai--DeepSeek-R1.config.json"));

        MemoryFootprint f = MemoryFootprint.of(r1, new Parallelism(8, 1, 8, 8), 256, 4096, 1);

        long h = 7168;
        long mla = h * 1536 + 1536L * 128 * 192 + h * 576 + 512L * 128 * 256 + 128L * 128 * h;
        long latentNorms = (1536 + 512) * 2; // the query's and KV latent's norms, in bf16
        long dense = 3 * h * 18_432;
        long router = 256 * h * 2; // whole, in bf16
        long moe = 256 * 3 * h * 2048 / 8 + 3 * h * 2048 + router; // routed experts split; shared expert whole
        long norms = 2 * h * 2;
        long embeddingAndHead = 2 * (129_280 * h) * 2 + h * 2; // and the final norm
        // attention DP: each GPU a whole replica of MLA, dense MLPs, shared experts, embedding and LM head (fp8 linear
        // layers at 1 byte per weight, bf16 embeddings, routers and norms)
        assertThat(f.weightBytes()).isEqualTo(61 * (mla + latentNorms + norms) + 3 * dense + 58 * moe
                + embeddingAndHead).isEqualTo(100_817_025_024L);
        // 256 / 8 = 32 sequences per replica × 4096 tokens × 61 layers × (512 + 64) × 1 byte (fp8)
        assertThat(f.kvBytes()).isEqualTo(32L * 4096 * 61 * 576);
        assertThat(f.fits(DeviceCatalog.require("h200"))).isTrue();
        assertThat(f.fits(DeviceCatalog.require("h100-sxm"))).isFalse();
    }

    @Test
    void anFp8QwenTwosBiasesShouldBeSplitWithTheirHeadsAndStayBf16() {
        // 2 dense layers, 4 query heads and 2 KV heads of 16 with q, k, v biases, MLP 128, tied vocabulary of 100
        Architecture qwen2 = new Architecture("qwen2", 2, 64, 100, true,
                new Attention.Gqa(4, 2, 16, false, QkNorm.NONE, true), 2, 128, null, WeightFormat.FP8);

        MemoryFootprint f = MemoryFootprint.of(qwen2, new Parallelism(2, 1, 1, 1), 1, 10, 1);

        // per GPU and layer: q and o of 2 query heads, k and v of 1 KV head (64 · 6 · 16) and half the MLP, 1 byte
        // each; the biases of those heads (2 · 16 + 2 · 16) and the layer's two norms in bf16; half the embedding and
        // the final norm in bf16
        long linear = 64 * 6 * 16 + 3 * 64 * 128 / 2;
        long bf16 = (2 * 16 + 2 * 16) + 2 * 64;
        assertThat(f.weightBytes()).isEqualTo(2 * (linear + 2 * bf16) + 100 * 64 / 2 * 2 + 64 * 2);
    }

    @Test
    void pipelineStagesShouldSplitLayersEvenlyAndTheFullestStageDecide() {
        // 5 dense layers over 2 stages: 3 then 2; stage 0 also holds the embedding, stage 1 the head
        Architecture tiny = new Architecture("tiny", 5, 64, 100, false, new Attention.Gqa(4, 4, 16), 5, 128, null,
                WeightFormat.BF16);

        MemoryFootprint f = MemoryFootprint.of(tiny, new Parallelism(1, 2, 1, 1), 2, 10, 2);

        long layer = (4 * 64L * 64 + 3 * 64L * 128) * 2 + 2 * 64 * 2;
        assertThat(f.weightBytes()).isEqualTo(3 * layer + 100 * 64 * 2);
        assertThat(f.kvBytes()).isEqualTo(2L * 10 * 3 * (2 * 4 * 16) * 2);
    }

    /**
     * 4 dense layers, attention (4 heads, 2 KV heads of 16) in layers 1 and 3; linear attention in 0 and 2: 2 key
     * heads of 8, 4 value heads of 16, 4 taps, fp32 state.
     */
    private static Architecture hybrid(int layers) {
        return new Architecture("hybrid", layers, 64, 100, false, new Attention.Gqa(4, 2, 16), layers, 128, null,
                WeightFormat.BF16, new GatedDeltaNet(2, 4, 8, 16, 4, 4), 2);
    }

    /** A sequence's 10 tokens in one attention layer on one of 2 GPUs: K and V of one KV head, bf16. */
    private static final long KV = 10 * (2 * 16) * 2;
    /** A sequence's state in a linear layer on one of 2 GPUs: 2 value heads of 8 × 16 fp32, 3 taps of 48 channels. */
    private static final long STATE = 2 * 8 * 16 * 4 + 3 * 48 * 2;

    @Test
    void aHybridShouldKeepEachSequencesStateInItsLinearLayersAndKvOnlyInItsAttentionLayers() {
        MemoryFootprint f = MemoryFootprint.of(hybrid(4), new Parallelism(2, 1, 1, 1), 3, 10, 2);

        assertThat(f.kvBytes()).isEqualTo(3 * 2 * KV);
        assertThat(f.stateBytes()).isEqualTo(3 * 2 * STATE);
        // a hybrid's weights are checked against Qwen3.5's published 397B (HfConfigReaderTest); the sum adds the caches
        assertThat(f.totalBytes()).isEqualTo(f.weightBytes() + 3 * (2 * KV + 2 * STATE));
    }

    @Test
    void theDescriptionShouldNameTheStateOnlyWhereThereIsSome() {
        assertThat(new MemoryFootprint(17_640_000_000L, 5_370_000_000L, 1_230_000_000L).describe())
                .isEqualTo("17.64 GB of weights + 5.37 GB of KV cache + 1.23 GB of linear-attention state per GPU");
        assertThat(new MemoryFootprint(17_640_000_000L, 5_370_000_000L).describe())
                .isEqualTo("17.64 GB of weights + 5.37 GB of KV cache per GPU");
    }

    @Test
    void anAfdFootprintShouldNameItsSideAndAnFfnGpuHoldNoCache() {
        Architecture moe = new Architecture("moe", 2, 64, 100, false, new Attention.Gqa(6, 2, 16), 0, 0,
                new Experts(6, 2, 32, 0), WeightFormat.BF16);
        Afd afd = new Afd(1, 1, 1, 2);
        long ffnBytes = 2 * 6 * (3 * 64 * 32) * 2; // 2 MoE layers of 6 experts, all on the one FFN GPU, bf16
        long kvPerSequence = 10 * 2 * 2 * (2 * 16) * 2; // 10 tokens x 2 layers x (K, V) x 2 KV heads of 16, bf16

        MemoryFootprint one = MemoryFootprint.of(moe, afd, 1, 10, 2);
        MemoryFootprint hundred = MemoryFootprint.of(moe, afd, 100, 10, 2);

        assertThat(one).isEqualTo(new MemoryFootprint(ffnBytes, 0, 0, MemoryFootprint.Gpu.FFN));
        // both sides, the fullest first: the attention GPU's cache is what a user sizes the concurrency by
        assertThat(MemoryFootprint.sides(moe, afd, 1, 10, 2))
                .extracting(MemoryFootprint::gpu, MemoryFootprint::kvBytes).containsExactly(
                        tuple(MemoryFootprint.Gpu.FFN, 0L), tuple(MemoryFootprint.Gpu.ATTENTION, kvPerSequence));
        assertThat(MemoryFootprint.sides(moe, afd, 100, 10, 2)).containsExactly(hundred,
                new MemoryFootprint(ffnBytes, 0, 0, MemoryFootprint.Gpu.FFN));
        assertThat(hundred.gpu()).isEqualTo(MemoryFootprint.Gpu.ATTENTION);
        assertThat(hundred.kvBytes()).isEqualTo(100 * kvPerSequence);
        assertThat(new MemoryFootprint(81_740_000_000L, 0, 0, MemoryFootprint.Gpu.FFN).describe())
                .isEqualTo("81.74 GB of weights per FFN GPU");
        assertThat(new MemoryFootprint(12_000_000_000L, 40_000_000_000L, 0, MemoryFootprint.Gpu.ATTENTION).describe())
                .isEqualTo("12.00 GB of weights + 40.00 GB of KV cache per attention GPU");
        assertThatThrownBy(() -> new MemoryFootprint(1, 1, 0, MemoryFootprint.Gpu.FFN))
                .hasMessage("an FFN GPU holds no KV cache or state: kvBytes=1, stateBytes=0");
    }

    @Test
    void aHybridsStagesShouldEachCountTheAttentionLayersTheyHold() {
        // 5 layers over 2 stages: [0, 3) holds layer 1's attention, [3, 5) layer 3's; the rest are linear
        Architecture five = hybrid(5);
        assertThat(five.fullAttentionLayers(0, 3)).isEqualTo(1);
        assertThat(five.fullAttentionLayers(3, 5)).isEqualTo(1);
        assertThat(five.cacheBytesPerSequencePerGpu(0, 3, 2, 10, 2)).isEqualTo(KV + 2 * STATE);
        assertThat(five.cacheBytesPerSequencePerGpu(3, 5, 2, 10, 2)).isEqualTo(KV + STATE);
        // the first stage is the fuller one: its 3 layers' weights, the embedding, 3 sequences' cache
        MemoryFootprint f = MemoryFootprint.of(five, new Parallelism(2, 2, 1, 1), 3, 10, 2);
        assertThat(f.kvBytes() + f.stateBytes()).isEqualTo(3 * (KV + 2 * STATE));
    }

    @Test
    void aHybridsLayoutAndIntervalShouldBeChecked() {
        assertThatThrownBy(() -> new Architecture("hybrid", 4, 64, 100, false, new Attention.Gqa(4, 2, 16), 4, 128,
                null, WeightFormat.BF16, new GatedDeltaNet(2, 4, 8, 16, 4, 4), 1))
                .hasMessage("must be 1 without linear attention and >= 2 with it: fullAttentionInterval=1");
        assertThatThrownBy(() -> new GatedDeltaNet(3, 4, 8, 16, 4, 4)).hasMessage("must be >= 1 with key heads"
                + " dividing value heads and a 2- or 4-byte state: keyHeads=3, valueHeads=4, keyDim=8, valueDim=16,"
                + " convKernel=4, stateBytesPerElement=4");
        assertThat(new Parallelism(4, 1, 1, 1).misfit(hybrid(4)))
                .isEqualTo("tp/dp=4 does not divide the 2 linear-attention key heads");
    }

    @Test
    void aLayoutThatCannotSplitTheModelShouldSayWhy() {
        Architecture moe = new Architecture("moe", 2, 64, 100, false, new Attention.Gqa(6, 2, 16), 0, 0,
                new Experts(6, 2, 32, 0), WeightFormat.BF16);

        assertThat(new Parallelism(4, 1, 1, 1).misfit(moe)).isEqualTo("tp/dp=4 does not divide the 6 attention heads");
        assertThat(new Parallelism(4, 1, 4, 4).misfit(moe)).isEqualTo("ep=4 does not divide the 6 experts");
        assertThat(new Parallelism(3, 1, 1, 1).misfit(moe))
                .isEqualTo("tp/dp=3 and the 2 KV heads do not divide one another");
        assertThat(new Parallelism(1, 3, 1, 1).misfit(moe)).isEqualTo("pp=3 is more stages than the 2 layers");
        assertThatThrownBy(() -> new Parallelism(8, 1, 3, 1)).hasMessage(
                "ep must divide tp (experts are spread over the tp GPUs of a stage): tp=8, ep=3");
    }
}
