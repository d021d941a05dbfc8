package gemmcost.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HfConfigReaderTest {
    @TempDir
    Path dir;

    @Test
    void llama31With8BShouldHaveItsPublished8_03BParametersAnd128KiBOfBf16KvPerToken() {
        Architecture llama = HfConfigReader.read(SharedData.modelConfig("meta-llama--Llama-3.1-8B-Instruct.config.json"));

        long h = 4096;
        long embeddingAndHead = 2 * 128_256 * h; // untied: 1,050,673,152
        long attention = h * 4096 + 2 * h * (8 * 128) + 4096 * h; // q, k, v (8 KV heads × 128), o: 41,943,040
        long mlp = 3 * h * 14_336; // gate, up, down: 176,160,768
        long perLayer = attention + mlp + 2 * h; // two RMSNorms
        assertThat(llama.parameters()).isEqualTo(embeddingAndHead + 32 * perLayer + h).isEqualTo(8_030_261_248L);
        // K and V × 32 layers × 8 heads × 128 × 2 bytes
        assertThat(llama.kvBytesPerToken(2)).isEqualTo(2 * 32 * 8 * 128 * 2).isEqualTo(131_072);
        assertThat(llama.weights()).isEqualTo(WeightFormat.BF16);
        assertThat(llama.weightBytes()).isEqualTo(2 * 8_030_261_248L);
        // in fp8 the linear weights take a byte; embedding, head and 32 × 2 + 1 norms stay bf16
        assertThat(llama.withWeights(WeightFormat.FP8).weightBytes())
                .isEqualTo(32 * (attention + mlp) + 2 * (embeddingAndHead + 65 * h)).isEqualTo(9_081_200_640L);
    }

    @Test
    void llama31With70BShouldHaveItsPublished70_55BParameters() {
        Architecture llama = HfConfigReader.read(SharedData.modelConfig("meta-llama--Llama-3.1-70B.config.json"));

        long h = 8192;
        long perLayer = 2 * h * h + 2 * h * (8 * 128) + 3 * h * 28_672 + 2 * h;
        assertThat(llama.parameters()).isEqualTo(2 * 128_256 * h + 80 * perLayer + h).isEqualTo(70_553_706_496L);
        assertThat(llama.kvBytesPerToken(2)).isEqualTo(2 * 80 * 8 * 128 * 2).isEqualTo(327_680);
    }

    @Test
    void deepSeekR1ShouldHaveItsPublished671BParametersAndALatentKvCacheInFp8Blocks() {
        Architecture r1 = HfConfigReader.read(SharedData.modelConfig("deepseek-ai--DeepSeek-R1.config.json"));

        long h = 7168;
        long mla = h * 1536 + 1536 // q_a_proj and its norm
                + 1536L * 128 * (128 + 64) // q_b_proj: 128 heads × (nope + rope)
                + h * (512 + 64) + 512 // kv_a_proj_with_mqa (latent + shared rope key) and its norm
                + 512L * 128 * (128 + 128) // kv_b_proj: 128 heads × (nope key + value)
                + 128L * 128 * h; // o_proj
        long dense = 3 * h * 18_432;
        long moe = 256 * 3 * h * 2048 + 3 * h * 2048 + 256 * h; // routed experts, 1 shared, router
        long total = 2 * 129_280 * h + 61 * (mla + 2 * h) + 3 * dense + 58 * moe + h;
        assertThat(r1.parameters()).isEqualTo(total).isEqualTo(671_026_404_352L); // "671B total", MTP module aside
        // 8 of 256 routed experts and the shared one: "37B activated"
        assertThat(r1.activeParameters()).isEqualTo(total - 58L * (256 - 8) * 3 * h * 2048)
                .isBetween(37_000_000_000L, 38_000_000_000L);
        // one latent of 512 and a rope key of 64 per layer, bf16
        assertThat(r1.kvBytesPerToken(2)).isEqualTo(61 * (512 + 64) * 2).isEqualTo(70_272);
        assertThat(r1.denseLayers()).isEqualTo(3);
        assertThat(r1.weights()).isEqualTo(WeightFormat.FP8_BLOCK);
    }

    /** DeepSeek-V2's sizes as its config gives them (softmax routing over groups, no MTP module). */
    private static final String DEEPSEEK_V2 = """
            {"architectures": ["DeepseekV2ForCausalLM"], "hidden_size": 5120, "num_hidden_layers": 60,
             "num_attention_heads": 128, "num_key_value_heads": 128, "q_lora_rank": 1536, "kv_lora_rank": 512,
             "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "intermediate_size": 12288,
             "moe_intermediate_size": 1536, "n_routed_experts": 160, "n_shared_experts": 2,
             "num_experts_per_tok": 6, "first_k_dense_replace": 1, "moe_layer_freq": 1, "vocab_size": 102400,
             "hidden_act": "silu", "tie_word_embeddings": false, "topk_method": "group_limited_greedy",
             "n_group": 8, "topk_group": 3, "scoring_func": "softmax", "norm_topk_prob": false,
             "routed_scaling_factor": 16.0, "aux_loss_alpha": 0.001, "seq_aux": true, "torch_dtype": "bfloat16"}""";

    @Test
    void deepSeekV2ShouldHaveItsPublished236BParametersAnd21BActive() throws IOException {
        Architecture v2 = HfConfigReader.read(write(DEEPSEEK_V2));

        long h = 5120;
        long mla = h * 1536 + 1536 + 1536L * 128 * (128 + 64) + h * (512 + 64) + 512 + 512L * 128 * (128 + 128)
                + 128L * 128 * h; // as DeepSeek-R1's, above
        long moe = 160 * 3 * h * 1536 + 2 * 3 * h * 1536 + 160 * h; // routed experts, 2 shared, router
        long total = 2 * 102_400 * h + 60 * (mla + 2 * h) + 3 * h * 12_288 + 59 * moe + h;
        assertThat(v2.parameters()).isEqualTo(total).isBetween(235_000_000_000L, 237_000_000_000L); // "236B"
        assertThat(v2.activeParameters()).isEqualTo(total - 59L * (160 - 6) * 3 * h * 1536)
                .isBetween(21_000_000_000L, 22_000_000_000L); // "21B activated"
        assertThat(v2.kvBytesPerToken(2)).isEqualTo(60 * (512 + 64) * 2);
        // in fp8: the latent norms (1,536 + 512 a layer) stay bf16 with the embeddings, norms and routers
        long bf16 = 2 * 102_400 * h + 60 * (1536 + 512 + 2 * h) + 59 * 160 * h + h;
        assertThat(v2.withWeights(WeightFormat.FP8).weightBytes()).isEqualTo(total - bf16 + 2 * bf16);
        // DeepSeek-V2-Lite projects its query without the low-rank bottleneck
        Path lite = write(DEEPSEEK_V2.replace("\"q_lora_rank\": 1536", "\"q_lora_rank\": null"));
        assertThatThrownBy(() -> HfConfigReader.read(lite)).isInstanceOf(BadInputException.class).hasMessage(lite
                + ": q_lora_rank: null (the query projected without a low-rank bottleneck, as in DeepSeek-V2-Lite)"
                + " is not modelled");
    }

    /** A tiny GLM-4.5: 3 layers (1 dense), 4 heads and 2 KV heads of 16 with biases and QK norms, 4 experts of 32. */
    private static final String GLM4 = """
            {"architectures": ["Glm4MoeForCausalLM"], "hidden_size": 64, "num_hidden_layers": 3,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "attention_bias": true,
             "use_qk_norm": true, "partial_rotary_factor": 0.5, "intermediate_size": 128, "moe_intermediate_size": 32,
             "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2, "first_k_dense_replace": 1,
             "n_group": 1, "topk_group": 1, "routed_scaling_factor": 2.5, "norm_topk_prob": true,
             "num_nextn_predict_layers": 1, "vocab_size": 100, "hidden_act": "silu", "tie_word_embeddings": false}""";

    @Test
    void glm45ShouldBeDeepSeekV3sLayersUnderBiasedQkNormedGqa() throws IOException {
        Architecture glm = HfConfigReader.read(write(GLM4));

        assertThat(glm.attention()).isEqualTo(new Attention.Gqa(4, 2, 16, false, QkNorm.PER_HEAD, true));
        // per layer: q, k, v, o 12,288, their biases 4 · 16 + 2 · 2 · 16, the QK norms 2 · 16, two norms 128; the dense
        // layer's MLP 3 · 64 · 128; each MoE layer's 4 experts and the shared one of 3 · 64 · 32, router 64 · 4
        long perLayer = 12_288 + 128 + 32 + 128;
        long moe = 5 * 3 * 64 * 32 + 64 * 4;
        long total = 2 * 100 * 64 + 3 * perLayer + 3 * 64 * 128 + 2 * moe + 64;
        assertThat(glm.parameters()).isEqualTo(total).isEqualTo(137_120);
        assertThat(glm.activeParameters()).isEqualTo(total - 2 * 2 * 3 * 64 * 32);
        assertThat(glm.denseLayers()).isOne();
        // in fp8 the biases and QK norms stay bf16 with the embeddings, norms and routers
        long bf16 = 2 * 100 * 64 + 3 * (128 + 32 + 2 * 64) + 2 * 64 * 4 + 64;
        assertThat(glm.withWeights(WeightFormat.FP8).weightBytes()).isEqualTo(total - bf16 + 2 * bf16);
        assertThat(((Attention.Gqa) HfConfigReader.read(write(GLM4.replace("\"attention_bias\": true",
                "\"attention_bias\": false"))).attention()).qkvBias()).isFalse();
        // its class does not read a null KV head count as the query heads' (transformers then fails to build it)
        Path nullKv = write(GLM4.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": null"));
        assertThatThrownBy(() -> HfConfigReader.read(nullKv)).hasMessage(nullKv + ": num_key_value_heads: null,"
                + " which Glm4MoeForCausalLM does not read as num_attention_heads");
        // GLM-4.5-Air: no QK norm
        assertThat(((Attention.Gqa) HfConfigReader.read(write(GLM4.replace("\"use_qk_norm\": true",
                "\"use_qk_norm\": false"))).attention()).qkNorm()).isEqualTo(QkNorm.NONE);
        Path rotary = write(GLM4.replace("\"partial_rotary_factor\": 0.5", "\"partial_rotary_factor\": 0"));
        assertThatThrownBy(() -> HfConfigReader.read(rotary)).hasMessage(rotary
                + ": partial_rotary_factor: must be a number in (0, 1], was 0");
    }

    @Test
    void glm5ShouldHaveItsPublished744BParametersAndCacheAnIndexKeyBesideItsLatent() {
        Architecture glm = HfConfigReader.read(SharedData.modelConfig("zhipuai--GLM-5.config.json"));

        long h = 6144;
        long mla = h * 2048 + 2048 // q_a_proj and its norm
                + 2048L * 64 * (192 + 64) // q_b_proj: 64 heads × (nope + rope)
                + h * (512 + 64) + 512 // kv_a_proj_with_mqa and its norm
                + 512L * 64 * (192 + 256) // kv_b_proj: 64 heads × (nope key + value)
                + 64L * 256 * h; // o_proj
        long indexer = 2048L * 32 * 128 + h * 128 + 2 * 128 + h * 32; // wq_b, wk, k_norm, weights_proj
        long dense = 3 * h * 12_288;
        long moe = 256 * 3 * h * 2048 + 3 * h * 2048 + 256 * h;
        long total = 2 * 154_880 * h + 78 * (mla + indexer + 2 * h) + 3 * dense + 75 * moe + h;
        assertThat(glm.parameters()).isEqualTo(total).isBetween(743_000_000_000L, 745_000_000_000L); // "744B"
        // the latent and rotary key at the KV dtype, and the index key in fp8 with its fp32 scale, in 78 layers
        assertThat(glm.kvBytesPerToken(2)).isEqualTo(78 * ((512 + 64) * 2 + 128 + 4)).isEqualTo(100_152);
        assertThat(glm.kvBytesPerToken(1)).isEqualTo(78 * ((512 + 64) + 128 + 4));
        assertThat(((Attention.Mla) glm.attention()).indexer()).isEqualTo(new DsaIndexer(32, 128, 2048));
        // over 8 GPUs every one caches the whole latent and index key of a token
        assertThat(glm.cacheBytesPerSequencePerGpu(0, 78, 8, 1, 2)).isEqualTo(100_152);
        // and holds the whole indexer and down-projections; the rest of MLA is split by heads
        long whole = h * 2048 + 2048 + h * (512 + 64) + 512 + indexer;
        assertThat(glm.attention().parametersPerGpu(h, 8)).isEqualTo(whole + (mla + indexer - whole) / 8);
    }

    @Test
    void glm5sRedundantHeadWidthsShouldBeCheckedAgainstTheOnesItCosts() throws IOException {
        String glm = Files.readString(SharedData.modelConfig("zhipuai--GLM-5.config.json"));
        Path file = write(glm.replace("\"qk_head_dim\": 256", "\"qk_head_dim\": 250"));
        assertThatThrownBy(() -> HfConfigReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": qk_head_dim: only 256 is modelled, was 250");
        Path head = write(glm.replace("\"head_dim\": 64", "\"head_dim\": 128"));
        assertThatThrownBy(() -> HfConfigReader.read(head)).hasMessage(head + ": head_dim: only 64 is modelled, was 128");
        // no top-k: not silently dense
        Path dense = write(glm.replace("\"index_topk\": 2048,", ""));
        assertThatThrownBy(() -> HfConfigReader.read(dense)).hasMessage(dense + ": index_topk: missing");
    }

    @Test
    void qwen35ShouldHaveItsPublished397BParametersAnd17BActiveAndAKvCacheInItsAttentionLayersOnly() {
        Architecture q = HfConfigReader.read(SharedData.modelConfig("Qwen--Qwen3.5-397B-A17B.config.json"));

        long h = 4096;
        long gated = h * (32 * 256 * 2) + 2 * h * (2 * 256) + 32 * 256 * h // q with its output gate, k, v, o
                + 2 * 256; // the query's and key's per-head norms
        long qkv = 2 * 16 * 128 + 64 * 128; // the channels the convolution runs over
        long deltaNet = h * (qkv + 64 * 128 + 2 * 64) // in_proj: q, k, v, the gate z; β and decay per value head
                + qkv * 4 + 2 * 64 + 128 // 4-tap convolution, A_log and dt_bias, the gated norm
                + 64 * 128 * h; // out_proj
        long moe = 512 * 3 * h * 1024 + 3 * h * 1024 + 512 * h; // routed experts, the shared one, router
        long total = 2 * 248_320 * h + 15 * gated + 45 * deltaNet + 60 * (moe + 2 * h) + h;
        assertThat(q.parameters()).isEqualTo(total).isBetween(396_000_000_000L, 397_500_000_000L); // "397B"
        assertThat(q.activeParameters()).isEqualTo(total - 60L * (512 - 10) * 3 * h * 1024)
                .isBetween(17_000_000_000L, 18_000_000_000L); // "A17B"
        // K and V of 2 heads of 256 in the 15 attention layers
        assertThat(q.kvBytesPerToken(2)).isEqualTo(15 * 2 * 2 * 256 * 2).isEqualTo(30_720);
        // per linear layer: 64 value heads × 128 × 128 in fp32, the convolution's last 3 inputs of 12,288 channels
        assertThat(q.stateBytesPerSequence()).isEqualTo(45 * (64L * 128 * 128 * 4 + 3 * 12_288 * 2))
                .isEqualTo(192_061_440);
        assertThat(q.fullAttentionAt(3)).isTrue();
        assertThat(q.fullAttentionAt(4)).isFalse();
    }

    /** A tiny Qwen3.5: top-level extra, state dtype, weights dtype, text_config extra. */
    private static final String HYBRID = """
            {"architectures": ["Qwen3_5MoeForConditionalGeneration"], "tie_word_embeddings": false,
             "vision_config": {"depth": 2}, "image_token_id": 7%s,
             "text_config": {"hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
               "num_key_value_heads": 2, "head_dim": 16, "attn_output_gate": true, "vocab_size": 100,
               "num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 32,
               "shared_expert_intermediate_size": 32, "full_attention_interval": 2, "linear_num_key_heads": 2,
               "linear_num_value_heads": 4, "linear_key_head_dim": 8, "linear_value_head_dim": 16,
               "linear_conv_kernel_dim": 4, "mamba_ssm_dtype": "%s", "dtype": "%s"%s}}""";

    private static final String LAYER_TYPES = ", \"layer_types\": [\"linear_attention\", \"full_attention\","
            + " \"linear_attention\", \"full_attention\"]";

    @Test
    void aTinyHybridShouldCountItsAttentionAndLinearAttentionLayersEachAsTheyAre() throws IOException {
        Architecture tiny = HfConfigReader.read(write(HYBRID.formatted("", "float32", "bfloat16", LAYER_TYPES)));

        // q and gate 4 × 32, o 4 × 16; k, v 2 × 16; the query's and key's per-head norms
        long gated = 64 * (4 * 32 + 4 * 16) + 2 * 64 * (2 * 16) + 2 * 16;
        long convChannels = 2 * 2 * 8 + 4 * 16;
        long deltaNet = 64 * (convChannels + 4 * 16 + 2 * 4) + convChannels * 4 + 2 * 4 + 16 + 4 * 16 * 64;
        long moe = 8 * 3 * 64 * 32 + 3 * 64 * 32 + 8 * 64;
        assertThat(tiny.parameters()).isEqualTo(2 * 100 * 64 + 2 * gated + 2 * deltaNet + 4 * (moe + 2 * 64) + 64);
        assertThat(tiny.kvBytesPerToken(2)).isEqualTo(2 * 2 * 2 * 16 * 2);
        assertThat(tiny.stateBytesPerSequence()).isEqualTo(2 * (4 * 8 * 16 * 4 + 3 * convChannels * 2));
        assertThat(tiny.linearAttention()).isEqualTo(new GatedDeltaNet(2, 4, 8, 16, 4, 4));
        // fp8 blocks declared beside the decoder's fields, or at the top level: either quantises it
        String blocks = ", \"quantization_config\": {\"quant_method\": \"fp8\", \"weight_block_size\": [128, 128]}";
        assertThat(HfConfigReader.read(write(HYBRID.formatted("", "float32", "bfloat16", blocks))).weights())
                .isEqualTo(WeightFormat.FP8_BLOCK);
        assertThat(HfConfigReader.read(write(HYBRID.formatted(blocks, "float32", "bfloat16", ""))).weights())
                .isEqualTo(WeightFormat.FP8_BLOCK);
    }

    @Test
    void aHybridsTieAndIntervalShouldBeReadWhereverTheConfigGivesThem() throws IOException {
        String tiedInText = HYBRID.formatted("", "float32", "bfloat16", ", \"tie_word_embeddings\": true")
                .replace("\"tie_word_embeddings\": false,", "");
        Architecture untied = HfConfigReader.read(write(HYBRID.formatted("", "float32", "bfloat16", "")));
        Architecture tied = HfConfigReader.read(write(tiedInText));
        assertThat(tied.tiedEmbeddings()).isTrue();
        assertThat(untied.parameters() - tied.parameters()).isEqualTo(100 * 64); // the LM head, once
        // an interval of 1: attention in every layer, no linear attention
        Architecture allAttention = HfConfigReader.read(write(HYBRID.formatted("", "float32", "bfloat16", "")
                .replace("\"full_attention_interval\": 2", "\"full_attention_interval\": 1")));
        assertThat(allAttention.linearAttention()).isNull();
        assertThat(allAttention.fullAttentionLayers(0, 4)).isEqualTo(4);
        assertThat(allAttention.stateBytesPerSequence()).isZero();
        // transformers' own attributes at the top level too
        assertThat(HfConfigReader.read(write(HYBRID.formatted(", \"_name_or_path\": \"q\", \"is_encoder_decoder\":"
                + " false, \"is_decoder\": null", "float32", "bfloat16", "")))).isEqualTo(untied);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "| float32 | bfloat16 | , \"layer_types\": [\"full_attention\", \"linear_attention\","
                    + " \"linear_attention\", \"full_attention\"] | text_config.layer_types: must be"
                    + " \"linear_attention\" at layer 0 (full attention in the last of every full_attention_interval"
                    + " (2) layers), was \"full_attention\"",
            "| float32 | bfloat16 | , \"sliding_window\": 128 | text_config.sliding_window: not modelled by gemmcost"
                    + " for Qwen3_5MoeForConditionalGeneration",
            ", \"audio_config\": {} | float32 | bfloat16 | | audio_config: not modelled by gemmcost for"
                    + " Qwen3_5MoeForConditionalGeneration",
            ", \"is_encoder_decoder\": true | float32 | bfloat16 | | is_encoder_decoder: only false is modelled, was"
                    + " true",
            "| float16 | bfloat16 | | text_config.mamba_ssm_dtype: \"float16\" is not modelled (float32 and"
                    + " bfloat16 are)",
            "| float32 | float16 | | text_config.dtype: float16 is not modelled (bfloat16 is)",
            ", \"dtype\": \"float16\" | float32 | bfloat16 | | dtype: float16 is not modelled (bfloat16 is)",
            "| float32 | bfloat16 | , \"tie_word_embeddings\": true | text_config.tie_word_embeddings: must agree with"
                    + " the top level's false, was true",
            ", \"quantization_config\": {\"quant_method\": \"fp8\"} | float32 | bfloat16 | , \"quantization_config\":"
                    + " {\"quant_method\": \"fp8\", \"weight_block_size\": [128, 128]} |"
                    + " text_config.quantization_config: must agree with the top level's fp8, was fp8_block"})
    void aHybridFieldGemmcostDoesNotModelShouldBeRefusedNamingWhereItIs(String top, String ssm, String dtype,
                                                                        String text, String message)
            throws IOException {
        Path file = write(HYBRID.formatted(top == null ? "" : top, ssm, dtype, text == null ? "" : text));
        assertThatThrownBy(() -> HfConfigReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": " + message);
    }

    @ParameterizedTest
    @CsvSource({
            "Qwen--Qwen3-32B.config.json, Qwen3ForCausalLM, 64, 0, BF16, false",
            "Qwen--Qwen3-235B-A22B-FP8.config.json, Qwen3MoeForCausalLM, 94, 128, FP8_BLOCK, true",
            "Qwen--Qwen3-30B-A3B.config.json, Qwen3MoeForCausalLM, 48, 128, BF16, true",
            "mistralai--Mixtral-8x7B-v0.1.config.json, MixtralForCausalLM, 32, 8, BF16, true",
            "mistralai--Mixtral-8x22B-v0.1.config.json, MixtralForCausalLM, 56, 8, BF16, true",
            "MiniMaxAI--MiniMax-M2.5.config.json, MiniMaxM2ForCausalLM, 62, 256, FP8_BLOCK, true",
            "deepseek-ai--DeepSeek-V3.config.json, DeepseekV3ForCausalLM, 61, 256, FP8_BLOCK, true",
            "meta-llama--Meta-Llama-3.1-405B.config.json, LlamaForCausalLM, 126, 0, BF16, false",
            "Qwen--Qwen3.5-397B-A17B.config.json, Qwen3_5MoeForConditionalGeneration, 60, 512, BF16, true",
            "zhipuai--GLM-5.config.json, GlmMoeDsaForCausalLM, 78, 256, BF16, true",
            // its config says nothing of fp8 and no quant config lies beside it: bf16 until a flag says otherwise
            "nvidia--Llama-3.1-8B-Instruct-FP8.config.json, LlamaForCausalLM, 32, 0, BF16, false"})
    void everySupportedSharedConfigShouldBeRead(String file, String arch, int layers, int experts, WeightFormat weights,
                                                boolean moe) {
        Architecture a = HfConfigReader.read(SharedData.modelConfig(file));
        assertThat(a.name()).isEqualTo(arch);
        assertThat(a.layers()).isEqualTo(layers);
        assertThat(a.experts() == null ? 0 : a.experts().experts()).isEqualTo(experts);
        assertThat(a.experts() != null).isEqualTo(moe);
        assertThat(a.weights()).isEqualTo(weights);
    }

    @Test
    void anUnsupportedArchitectureShouldBeRefusedNamingEverySupportedOne() throws IOException {
        Path file = write(TINY.formatted("").replace("LlamaForCausalLM", "Llama4ForCausalLM"));
        assertThatThrownBy(() -> HfConfigReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": architectures: Llama4ForCausalLM is not supported (supported:"
                        + " DeepseekV2ForCausalLM, DeepseekV3ForCausalLM, Glm4MoeForCausalLM, GlmMoeDsaForCausalLM,"
                        + " GptOssForCausalLM, KimiK25ForConditionalGeneration, LlamaForCausalLM, MiniMaxM2ForCausalLM,"
                        + " MistralForCausalLM, MixtralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM,"
                        + " Qwen3MoeForCausalLM, Qwen3_5MoeForConditionalGeneration)");
    }

    @Test
    void kimiK25ShouldBeReadAsTheDeepSeekV3ItsTextConfigHolds() throws IOException {
        Path file = SharedData.modelConfig("moonshotai--Kimi-K2.5.config.json");
        // its routed experts are int4 (compressed-tensors), a format gemmcost does not read: named first
        assertThatThrownBy(() -> HfConfigReader.read(file)).isInstanceOf(UnmodeledException.class).hasMessage(file
                + ": text_config.quantization_config.quant_method: \"compressed-tensors\" is not modelled (fp8 is)");
        Architecture kimi = HfConfigReader.read(file, WeightFormat.FP8_BLOCK);
        assertThat(kimi.name()).isEqualTo("KimiK25ForConditionalGeneration (DeepseekV3ForCausalLM)");
        assertThat(kimi.experts()).isEqualTo(new Experts(384, 8, 2048, 2048));
        assertThat(kimi.denseLayers()).isEqualTo(1);
        // Moonshot's model card: 1 T parameters, 32 B activated
        assertThat(kimi.parameters()).isBetween(1_020_000_000_000L, 1_040_000_000_000L);
        assertThat(kimi.activeParameters()).isBetween(32_000_000_000L, 33_000_000_000L);

        // a text_config naming another decoder is refused
        String wrapper = "{\"architectures\": [\"KimiK25ForConditionalGeneration\"], \"vision_config\": {},"
                + " \"ignore_index\": -100, \"text_config\": %s}";
        Path other = write(wrapper.formatted(DEEPSEEK_V2));
        assertThatThrownBy(() -> HfConfigReader.read(other)).isInstanceOf(BadInputException.class).hasMessage(other
                + ": text_config.architectures: must be [\"DeepseekV3ForCausalLM\"] in a"
                + " KimiK25ForConditionalGeneration, was [\"DeepseekV2ForCausalLM\"]");
        Architecture v2AsV3 = HfConfigReader.read(write(wrapper.formatted(DEEPSEEK_V2
                .replace("DeepseekV2ForCausalLM", "DeepseekV3ForCausalLM"))));
        assertThat(v2AsV3.parameters()).isEqualTo(HfConfigReader.read(write(DEEPSEEK_V2)).parameters());
    }

    @Test
    void gptOssShouldBeReadInTheFormatItsUserStatesOverItsMxfp4() {
        Path file = SharedData.modelConfig("openai--gpt-oss-120b.config.json");
        assertThatThrownBy(() -> HfConfigReader.read(file)).isInstanceOf(UnmodeledException.class)
                .hasMessage(file + ": quantization_config.quant_method: \"mxfp4\" is not modelled (fp8 is)");
        // where a user can state the format, the refusal says how
        assertThatThrownBy(() -> HfConfigReader.read(file, null)).isInstanceOf(UnmodeledException.class)
                .hasMessage(file + ": quantization_config.quant_method: \"mxfp4\" is not modelled (fp8 is); --weights"
                        + " bf16, fp8 or fp8_block costs its GEMMs in the format it is served in");
        Architecture oss = HfConfigReader.read(file, WeightFormat.FP8);
        assertThat(oss.weights()).isEqualTo(WeightFormat.FP8);
        // OpenAI's model card: 116.8 B parameters; every other layer of 36 slides a window of 128 tokens
        assertThat(oss.parameters()).isBetween(116_800_000_000L, 116_849_999_999L);
        assertThat(oss.slidingWindow().tokens()).isEqualTo(128);
        assertThat(oss.slidingWindow().sorted()).containsExactlyElementsOf(IntStream.range(0, 18).map(i -> 2 * i)
                .boxed().toList());
        assertThat(oss.experts()).isEqualTo(new Experts(128, 4, 2880, 0, true));
        assertThat(oss.contextTokens()).isEqualTo(131072); // yarn: 4,096 × 32
        // a stated format over a config gemmcost reads replaces it
        Path qwen = SharedData.modelConfig("Qwen--Qwen3-235B-A22B-FP8.config.json");
        assertThat(HfConfigReader.read(qwen, WeightFormat.BF16).weights()).isEqualTo(WeightFormat.BF16);
    }

    /** gpt-oss's layers, small: 8 query heads and 2 KV heads of 16, 8 experts of 32, top-2, a window of 16. */
    private static final String GPT_OSS = """
            {"architectures": ["GptOssForCausalLM"], "hidden_size": 64, "num_hidden_layers": 4,
             "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 32,
             "vocab_size": 100, "tie_word_embeddings": false, "attention_bias": true, "hidden_act": "silu",
             "num_local_experts": 8, "num_experts_per_tok": 2, "experts_per_token": 2, "swiglu_limit": 7.0,
             "sliding_window": 16, "initial_context_length": 4096%s}""";

    @Test
    void gptOssShouldSlideEveryOtherLayerAndCountItsExpertsBiases() throws IOException {
        Architecture oss = HfConfigReader.read(write(GPT_OSS.formatted("")));
        assertThat(oss.slidingWindow()).isEqualTo(new SlidingWindow(16, Set.of(0, 2)));
        assertThat(oss.attention()).isEqualTo(new Attention.Gqa(8, 2, 16, false, QkNorm.NONE, true));
        assertThat(oss.experts()).isEqualTo(new Experts(8, 2, 32, 0, true));
        // its class's attention_bias is true where left out
        assertThat(HfConfigReader.read(write(GPT_OSS.formatted("").replace("\"attention_bias\": true, ", ""))))
                .isEqualTo(oss);
        assertThat(((Attention.Gqa) HfConfigReader.read(write(GPT_OSS.formatted("")
                .replace("\"attention_bias\": true", "\"attention_bias\": false"))).attention()).qkvBias()).isFalse();
        // the layers' kinds, where given, say which slide
        assertThat(HfConfigReader.read(write(GPT_OSS.formatted(", \"layer_types\": [\"sliding_attention\","
                + " \"full_attention\", \"sliding_attention\", \"full_attention\"]")))).isEqualTo(oss);
        assertThat(HfConfigReader.read(write(GPT_OSS.formatted(", \"layer_types\": [\"full_attention\","
                + " \"full_attention\", \"full_attention\", \"sliding_attention\"]"))).slidingWindow())
                .isEqualTo(new SlidingWindow(16, Set.of(3)));
        // untied 100 × 64 twice; per layer: q 64×128, o 128×64, k and v 64×(2×16) each, their biases 128 + 2×32;
        // 8 experts of 3×64×32 with biases 2×32 + 64, the router 64×8 and its bias 8, two norms; a final norm
        long attention = 64 * 128 + 128 * 64 + 2 * 64 * 32;
        long biases = 128 + 2 * 32;
        long experts = 8 * (3 * 64 * 32 + 2 * 32 + 64);
        long router = 64 * 8 + 8;
        long layer = attention + biases + experts + router + 2 * 64;
        assertThat(oss.parameters()).isEqualTo(2 * 100 * 64 + 4 * layer + 64);
        // in fp8 every bias stays bf16 with the embeddings, routers and norms
        long bf16 = 2 * 100 * 64 + 4 * (biases + 8 * (2 * 32 + 64) + router + 2 * 64) + 64;
        assertThat(oss.withWeights(WeightFormat.FP8).weightBytes()).isEqualTo(oss.parameters() - bf16 + 2 * bf16);
        // a token reads its 2 experts' weights and biases
        assertThat(oss.parameters() - oss.activeParameters()).isEqualTo(4 * 6 * (3 * 64 * 32 + 2 * 32 + 64));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            ", \"layer_types\": [\"chunked_attention\", \"full_attention\", \"sliding_attention\","
                    + " \"full_attention\"] | layer_types: only full_attention, sliding_attention, linear_attention are"
                    + " modelled, was \"chunked_attention\" at layer 0",
            ", \"experts_per_token\": 3 | experts_per_token: must equal num_experts_per_tok (2), was 3"})
    void aGptOssFieldThatDisagreesShouldBeRefusedNamingIt(String fields, String message) throws IOException {
        Path file = write(GPT_OSS.formatted(fields).replace("\"experts_per_token\": 2, ", ""));
        assertThatThrownBy(() -> HfConfigReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": " + message);
        Path unsized = write(GPT_OSS.formatted("").replace("\"sliding_window\": 16, ", ""));
        assertThatThrownBy(() -> HfConfigReader.read(unsized)).hasMessage(unsized + ": sliding_window: missing, though"
                + " 2 of the 4 layers slide (GptOssForCausalLM's class would take 128 tokens, one model's window):"
                + " give it");
    }

    @Test
    void nvfp4WeightsBesideTheConfigShouldBeRefusedNamingTheQuantConfig() {
        Path file = SharedData.modelConfig("nvidia--DeepSeek-V3.1-NVFP4.config.json");
        assertThatThrownBy(() -> HfConfigReader.read(file))
                .hasMessage(file.resolveSibling("nvidia--DeepSeek-V3.1-NVFP4.hf_quant_config.json")
                        + ": quantization.quant_algo: \"NVFP4\" is not modelled (FP8 is)");
    }

    private static final String TINY = """
            {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 100,
             "tie_word_embeddings": true%s}""";

    @Test
    void aTinyTiedGqaModelShouldCountEachWeightOnce() throws IOException {
        Architecture tiny = HfConfigReader.read(write(TINY.formatted("")));
        // 100 × 64 tied; per layer: q 64×64, k and v 64×(2×16), o 64×64, MLP 3×64×128, two norms; a final norm
        assertThat(tiny.parameters()).isEqualTo(100 * 64 + 2 * (64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128 + 2 * 64) + 64);
        assertThat(tiny.kvBytesPerToken(1)).isEqualTo(2 * 2 * 2 * 16);
        assertThat(HfConfigReader.read(write(TINY.formatted(", \"quantization_config\": null"))).weights())
                .isEqualTo(WeightFormat.BF16);
    }

    @Test
    void mistralShouldBeReadAsTheLlamaItIsWithItsSlidingWindowInEveryLayer() throws IOException {
        // Mistral-7B-v0.3's and Mistral-Large's configs: Llama's fields, sliding_window null, KV heads given
        String mistral = TINY.formatted(", \"sliding_window\": null").replace("LlamaForCausalLM", "MistralForCausalLM");
        Architecture read = HfConfigReader.read(write(mistral));
        assertThat(read.name()).isEqualTo("MistralForCausalLM");
        assertThat(read.parameters()).isEqualTo(HfConfigReader.read(write(TINY.formatted(""))).parameters());
        assertThat(HfConfigReader.read(write(mistral.replace("null", "null, \"head_dim\": 32")))
                .attention().parametersPerGpu(64, 1)).isEqualTo(64 * (4 * 32 + 2 * 2 * 32 + 4 * 32));
        assertThat(read.slidingWindow()).isNull();
        // Mistral-7B-v0.1 attends within a window of 4,096 tokens in every layer
        Architecture windowed = HfConfigReader.read(write(mistral.replace("\"sliding_window\": null",
                "\"sliding_window\": 4096")));
        assertThat(windowed.slidingWindow()).isEqualTo(new SlidingWindow(4096, Set.of(0, 1)));
        assertThat(windowed.withSlidingWindow(null)).isEqualTo(read);
        Path zero = write(mistral.replace("\"sliding_window\": null", "\"sliding_window\": 0"));
        assertThatThrownBy(() -> HfConfigReader.read(zero)).hasMessage(zero + ": sliding_window: must be >= 1, was 0");
        // left out, Mistral's class slides by 4,096 tokens: one model's size, so it must be given
        Path unsized = write(mistral.replace(", \"sliding_window\": null", ""));
        assertThatThrownBy(() -> HfConfigReader.read(unsized)).hasMessage(unsized + ": sliding_window: missing, though"
                + " 2 of the 2 layers slide (MistralForCausalLM's class would take 4096 tokens, one model's window):"
                + " give it, or null for none");
        // Mixtral's class has no window where it is left out
        assertThat(HfConfigReader.read(write(TINY.formatted(", \"num_local_experts\": 4, \"num_experts_per_tok\": 2")
                .replace("LlamaForCausalLM", "MixtralForCausalLM"))).slidingWindow()).isNull();
    }

    @Test
    void qwen2ShouldAddItsQueryKeyAndValueBiasesToTheLlamaLayer() throws IOException {
        // Qwen2.5's configs: use_sliding_window false beside a sliding_window size, KV heads given, no head_dim
        String qwen2 = TINY.formatted(", \"use_sliding_window\": false, \"sliding_window\": 131072,"
                + " \"max_window_layers\": 2").replace("LlamaForCausalLM", "Qwen2ForCausalLM");
        Architecture read = HfConfigReader.read(write(qwen2));
        Attention.Gqa attention = (Attention.Gqa) read.attention();
        assertThat(attention.qkvBias()).isTrue();
        assertThat(attention.qkNorm()).isEqualTo(QkNorm.NONE);
        // a bias on 4 query heads and 2 KV heads of 16 (K and V) in each of the 2 layers
        assertThat(read.parameters() - HfConfigReader.read(write(TINY.formatted(""))).parameters())
                .isEqualTo(2 * (4 * 16 + 2 * 2 * 16));
        // on 2 GPUs: 2 query heads' and 1 KV head's
        assertThat(attention.parametersPerGpu(64, 2)).isEqualTo(64 * (2 * 16 + 2 * 16 + 2 * 16) + 2 * 16 + 2 * 16);
        // in fp8 the GEMMs' weights take a byte, the biases stay bf16 with the tied embedding and the norms
        long linear = 2 * (64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128);
        long bf16 = 100 * 64 + 2 * 2 * 64 + 64 + 2 * (4 * 16 + 2 * 2 * 16);
        assertThat(read.withWeights(WeightFormat.FP8).weightBytes()).isEqualTo(linear + 2 * bf16);
        // the window is switched on by use_sliding_window (false where left out) in the layers from
        // max_window_layers on
        String windowed = qwen2.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true")
                .replace("\"max_window_layers\": 2", "\"max_window_layers\": 1");
        assertThat(HfConfigReader.read(write(windowed)).slidingWindow())
                .isEqualTo(new SlidingWindow(131072, Set.of(1)));
        // newer transformers write the layers' kinds: they must say the same
        assertThat(HfConfigReader.read(write(windowed.replace("\"max_window_layers\": 1", "\"max_window_layers\": 1,"
                + " \"layer_types\": [\"full_attention\", \"sliding_attention\"]"))).slidingWindow())
                .isEqualTo(new SlidingWindow(131072, Set.of(1)));
        Path disagree = write(windowed.replace("\"max_window_layers\": 1", "\"max_window_layers\": 1,"
                + " \"layer_types\": [\"sliding_attention\", \"sliding_attention\"]"));
        assertThatThrownBy(() -> HfConfigReader.read(disagree)).hasMessage(disagree + ": layer_types: must be"
                + " \"full_attention\" at layer 0 (the sliding window is in 1 of the 2 layers, not this one), was"
                + " \"sliding_attention\"");
        assertThat(HfConfigReader.read(write(qwen2.replace("\"use_sliding_window\": false",
                "\"use_sliding_window\": true")))).isEqualTo(read); // max_window_layers 2 of 2: no layer slides
        assertThat(HfConfigReader.read(write(qwen2.replace("\"use_sliding_window\": false, ", "")))).isEqualTo(read);
        // without max_window_layers the class's 28 hold: 2 layers do not slide, 30 do from layer 28
        String noMaxWindow = qwen2.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true")
                .replace(", \"max_window_layers\": 2", "");
        assertThat(HfConfigReader.read(write(noMaxWindow))).isEqualTo(read);
        assertThat(HfConfigReader.read(write(noMaxWindow.replace("\"num_hidden_layers\": 2",
                "\"num_hidden_layers\": 30"))).slidingWindow()).isEqualTo(new SlidingWindow(131072, Set.of(28, 29)));
        // switched on with no size, the class's 4,096 would slide: refused; a null size is no window
        Path unsized = write(windowed.replace("\"sliding_window\": 131072,", ""));
        assertThatThrownBy(() -> HfConfigReader.read(unsized)).hasMessage(unsized + ": sliding_window: missing, though"
                + " 1 of the 2 layers slide (Qwen2ForCausalLM's class would take 4096 tokens, one model's window):"
                + " give it");
        assertThat(HfConfigReader.read(write(windowed.replace("131072", "null"))).slidingWindow()).isNull();
        // Qwen3-MoE's class slides every layer where switched on, unlike Qwen2's and Qwen3's: refused
        Path moe = write(windowed.replace("Qwen2ForCausalLM", "Qwen3MoeForCausalLM"));
        assertThatThrownBy(() -> HfConfigReader.read(moe)).isInstanceOf(UnmodeledException.class).hasMessage(moe
                + ": use_sliding_window: true is not modelled for Qwen3MoeForCausalLM (transformers' class slides"
                + " every layer, Qwen2's and Qwen3's the layers from max_window_layers on)");
        // a head width may be given, as Llama's
        assertThat(HfConfigReader.read(write(qwen2.replace("\"max_window_layers\": 2",
                "\"max_window_layers\": 2, \"head_dim\": 16")))).isEqualTo(read);
        Path noKvHeads = write(qwen2.replace("\"num_key_value_heads\": 2,", ""));
        assertThatThrownBy(() -> HfConfigReader.read(noKvHeads)).hasMessage(noKvHeads + ": num_key_value_heads:"
                + " missing (only LlamaForCausalLM defaults it to num_attention_heads)");
        // null is the query heads' count in every class: 4 KV heads of 16
        Architecture nullKvHeads = HfConfigReader.read(write(qwen2.replace("\"num_key_value_heads\": 2",
                "\"num_key_value_heads\": null")));
        assertThat(nullKvHeads.kvBytesPerToken(1)).isEqualTo(2 * 2 * 4 * 16);
    }

    /**
     * What an older save_pretrained wrote of every config (names, generation defaults, decoder-only switches, null
     * where not set) and training-only router losses and noise.
     */
    @Test
    void transformersOwnAttributesShouldBeReadPast() throws IOException {
        Architecture dumped = HfConfigReader.read(write(TINY.formatted(", \"_name_or_path\": \"org/tiny\","
                + " \"temperature\": 0.6, \"top_p\": 0.9, \"id2label\": {\"0\": \"LABEL_0\"}, \"return_dict\": true,"
                + " \"is_encoder_decoder\": false, \"add_cross_attention\": false, \"pruned_heads\": {},"
                + " \"cross_attention_hidden_size\": null, \"aux_loss_alpha\": 0.001, \"seq_aux\": true,"
                + " \"router_jitter_noise\": 0.0, \"is_decoder\": null, \"tie_encoder_decoder\": null,"
                + " \"layer_types\": null")));

        assertThat(dumped).isEqualTo(HfConfigReader.read(write(TINY.formatted(""))));
    }

    @Test
    void qwen3sHeadsAndMiniMaxsLayerShouldBeQkNormedAsTheirClassesAndTheEnginesDo() throws IOException {
        Attention.Gqa qwen = (Attention.Gqa) HfConfigReader.read(SharedData.modelConfig("Qwen--Qwen3-32B.config.json"))
                .attention();
        assertThat(qwen.qkNorm()).isEqualTo(QkNorm.PER_HEAD);
        assertThat(((Attention.Gqa) HfConfigReader.read(SharedData.modelConfig("Qwen--Qwen3-30B-A3B.config.json"))
                .attention()).qkNorm()).isEqualTo(QkNorm.PER_HEAD);
        // 64 query heads and 8 KV heads of 128, the two norms of 128 on every GPU
        assertThat(qwen.parametersPerGpu(5120, 8)).isEqualTo(5120L * (8 * 128 * 2 + 2 * 128) + 2 * 128);
        Path config = SharedData.modelConfig("MiniMaxAI--MiniMax-M2.5.config.json");
        Attention.Gqa miniMax = (Attention.Gqa) HfConfigReader.read(config).attention();
        assertThat(miniMax.qkNorm()).isEqualTo(QkNorm.PER_LAYER);
        // 48 query heads and 8 KV heads of 128: a 4th of the norms' (48 + 8) × 128 weights on each of 4 GPUs, and a
        // 16th on each of 16, though there the KV heads are copies
        long withoutNorms4 = new Attention.Gqa(48, 8, 128).parametersPerGpu(3072, 4);
        assertThat(miniMax.parametersPerGpu(3072, 4) - withoutNorms4).isEqualTo((48 + 8) * 128 / 4);
        long withoutNorms16 = new Attention.Gqa(48, 8, 128).parametersPerGpu(3072, 16);
        assertThat(miniMax.parametersPerGpu(3072, 16) - withoutNorms16).isEqualTo((48 + 8) * 128 / 16);
        // the engines norm MiniMax-M2's layer whatever its config says: left out, its class defaults; others refused
        String m25 = Files.readString(config);
        assertThat(HfConfigReader.read(write(m25.replace("\"use_qk_norm\": true,", "")
                .replace("\"qk_norm_type\": \"per_layer\",", ""))).attention()).isEqualTo(miniMax);
        Path perHead = write(m25.replace("\"per_layer\"", "\"per_head\""));
        assertThatThrownBy(() -> HfConfigReader.read(perHead)).hasMessage(perHead
                + ": qk_norm_type: only \"per_layer\" is modelled, was \"per_head\"");
        Path noType = write(m25.replace("\"per_layer\"", "null"));
        assertThatThrownBy(() -> HfConfigReader.read(noType)).hasMessage(noType
                + ": qk_norm_type: only \"per_layer\" is modelled, was null");
        Path off = write(m25.replace("\"use_qk_norm\": true", "\"use_qk_norm\": false"));
        assertThatThrownBy(() -> HfConfigReader.read(off)).hasMessage(off
                + ": use_qk_norm: only true is modelled, was false");
        // a Llama has none, and does not take the field
        assertThat(((Attention.Gqa) HfConfigReader.read(write(TINY.formatted(""))).attention()).qkNorm())
                .isEqualTo(QkNorm.NONE);
        Path llama = write(TINY.formatted(", \"use_qk_norm\": true"));
        assertThatThrownBy(() -> HfConfigReader.read(llama)).hasMessage(llama
                + ": use_qk_norm: not modelled by gemmcost for LlamaForCausalLM");
    }

    /** MiniMax-M2's attn_type_list: softmax attention (1) in every layer is M2; M1's lightning attention (0) is not. */
    @Test
    void miniMaxsAttentionTypesShouldBeSoftmaxInEveryLayer() throws IOException {
        Path config = SharedData.modelConfig("MiniMaxAI--MiniMax-M2.5.config.json");
        String m25 = Files.readString(config);
        String list = "[" + String.join(", ", java.util.Collections.nCopies(62, "1")) + "]";
        Architecture stated = HfConfigReader.read(write(m25.replaceFirst("\\{", "{\"attn_type_list\": " + list
                + ", ")));
        assertThat(stated).isEqualTo(HfConfigReader.read(config));
        Path lightning = write(m25.replaceFirst("\\{", "{\"attn_type_list\": " + list.replaceFirst("1", "0") + ", "));
        assertThatThrownBy(() -> HfConfigReader.read(lightning)).hasMessage(lightning + ": attn_type_list: only"
                + " softmax attention (1) in every layer is modelled, was 0 at layer 0");
    }

    @Test
    void layerTypesOfFullAttentionShouldBeReadAndTheFirstRefusedSwitchNamedInTheConfigsOrder() throws IOException {
        assertThat(HfConfigReader.read(write(TINY.formatted(", \"layer_types\": [\"full_attention\","
                + " \"full_attention\"]")))).isEqualTo(HfConfigReader.read(write(TINY.formatted(""))));
        Path both = write(TINY.formatted(", \"pruned_heads\": {\"0\": [1]}, \"is_decoder\": true"));
        assertThatThrownBy(() -> HfConfigReader.read(both)).hasMessage(both + ": pruned_heads: only {} is modelled,"
                + " was {\"0\":[1]}");
    }

    /**
     * The context engines serve by default, as vLLM derives it: yarn scales its original length by the factor
     * (32,768 × 4), the stated one without it (8,192 × 4); linear and dynamic scale the stated one, by a factor below
     * 1 too; llama3's is already stated; a newer config's rope_parameters (per layer type or not) count as
     * rope_scaling; none given is 0.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "| 0",
            ", \"max_position_embeddings\": 8192 | 8192",
            ", \"max_position_embeddings\": 8192, \"rope_scaling\": null | 8192",
            ", \"max_position_embeddings\": 8192, \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0,"
                    + " \"original_max_position_embeddings\": 32768} | 131072",
            ", \"max_position_embeddings\": 8192, \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}"
                    + " | 32768",
            ", \"max_position_embeddings\": 8192, \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2}"
                    + " | 16384",
            ", \"max_position_embeddings\": 8192, \"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 0.5}"
                    + " | 4096",
            ", \"max_position_embeddings\": 8192, \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}"
                    + " | 8192",
            ", \"max_position_embeddings\": 8192, \"rope_parameters\": {\"rope_type\": \"yarn\", \"factor\": 2}"
                    + " | 16384",
            ", \"max_position_embeddings\": 8192, \"rope_parameters\": {\"full_attention\": {\"rope_type\":"
                    + " \"linear\", \"factor\": 3}, \"sliding_attention\": {\"rope_type\": \"default\"}} | 24576",
            ", \"max_position_embeddings\": 8192, \"rope_parameters\": {\"rope_type\": \"default\","
                    + " \"rope_theta\": 1e6} | 8192"})
    void theContextShouldBeTheStatedLengthScaledAsVllmScalesIt(String fields, int context) throws IOException {
        assertThat(HfConfigReader.read(write(TINY.formatted(fields == null ? "" : fields))).contextTokens())
                .isEqualTo(context);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            ", \"rope_theta\": 1e6, \"rope_type\": \"x\" | rope_type: not modelled by gemmcost for LlamaForCausalLM",
            ", \"layer_types\": [\"full_attention\"] | layer_types: must be an array of num_hidden_layers (2) entries,"
                    + " was an array of 1",
            ", \"layer_types\": \"full_attention\" | layer_types: must be an array of num_hidden_layers (2) entries,"
                    + " was \"full_attention\"",
            ", \"max_position_embeddings\": 0 | max_position_embeddings: must be >= 1, was 0",
            ", \"max_position_embeddings\": \"8k\" | max_position_embeddings: must be an integer, was \"8k\"",
            ", \"max_position_embeddings\": 8192, \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": \"4\"} |"
                    + " rope_scaling.factor: must be a finite number > 0, was \"4\"",
            ", \"max_position_embeddings\": 8192, \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4,"
                    + " \"original_max_position_embeddings\": 0} | rope_scaling.original_max_position_embeddings: must"
                    + " be an integer from 1 to 1073741824, was 0",
            ", \"layer_types\": [\"full_attention\", \"sliding_attention\"] | layer_types: must be"
                    + " \"full_attention\" at layer 1 (no sliding window is on), was \"sliding_attention\"",
            ", \"hidden_act\": \"gelu\" | hidden_act: only \"silu\" is modelled, was \"gelu\"",
            ", \"attention_bias\": true | attention_bias: only false is modelled, was true",
            ", \"head_dim\": 0 | head_dim: must be >= 1, was 0",
            ", \"head_dim\": 1000000000000 | head_dim: must be <= 4096 (beyond any model gemmcost sizes), was 1000000000000",
            ", \"head_dim\": -1000000000000 | head_dim: out of range, was -1000000000000",
            ", \"head_dim\": 64.5 | head_dim: must be an integer, was 64.5",
            ", \"torch_dtype\": \"float32\" | torch_dtype: float32 is not modelled (bfloat16 is)",
            ", \"quantization_config\": {\"quant_method\": \"awq\"} | quantization_config.quant_method: \"awq\" is not modelled (fp8 is)",
            ", \"quantization_config\": {\"quant_method\": \"fp8\", \"weight_block_size\": [64, 64]} | quantization_config.weight_block_size: only [128, 128] is modelled, was [64,64]",
            ", \"quantization_config\": {\"quant_method\": \"fp8\", \"ignored_layers\": []} | quantization_config.ignored_layers: not modelled by gemmcost",
            ", \"sliding_window\": 4096 | sliding_window: not modelled by gemmcost for LlamaForCausalLM",
            ", \"is_encoder_decoder\": true | is_encoder_decoder: only false is modelled, was true",
            ", \"pruned_heads\": {\"0\": [1]} | pruned_heads: only {} is modelled, was {\"0\":[1]}",
            ", \"cross_attention_hidden_size\": 64 | cross_attention_hidden_size: only null is modelled, was 64"})
    void aFieldGemmcostDoesNotModelShouldBeRefusedInOneLineNamingIt(String extra, String message) throws IOException {
        Path file = write(TINY.formatted(extra));
        assertThatThrownBy(() -> HfConfigReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": " + message);
    }

    @Test
    void aMissingSizeShouldBeRefusedNamingIt() throws IOException {
        Path file = write(TINY.formatted("").replace("\"vocab_size\": 100,", ""));
        assertThatThrownBy(() -> HfConfigReader.read(file)).hasMessage(file + ": vocab_size: missing");
    }

    @Test
    void aSizeWhoseClassDefaultIsAnotherModelsShouldBeRequired() throws IOException {
        // Llama takes its KV heads from its heads and its head width from hidden / heads, as its HF class does
        Architecture llama = HfConfigReader.read(write(TINY.formatted("").replace("\"num_key_value_heads\": 2,", "")));
        assertThat(llama.kvBytesPerToken(1)).isEqualTo(2 * 4 * 2 * 16);
        // Qwen3's class would give 128-wide heads and Mixtral's 8 KV heads (DeepSeek-V3's 3 dense layers and a
        // shared expert, below): sizes of those models, not of this config, so it must give them
        Path qwen3 = write(TINY.formatted("").replace("LlamaForCausalLM", "Qwen3ForCausalLM"));
        assertThatThrownBy(() -> HfConfigReader.read(qwen3)).hasMessage(qwen3 + ": head_dim: missing (only"
                + " Glm4MoeForCausalLM, LlamaForCausalLM, MistralForCausalLM, MixtralForCausalLM, Qwen2ForCausalLM"
                + " default it to hidden_size / num_attention_heads)");
        Path mixtral = write(TINY.formatted("").replace("LlamaForCausalLM", "MixtralForCausalLM")
                .replace("\"num_key_value_heads\": 2,", ""));
        assertThatThrownBy(() -> HfConfigReader.read(mixtral)).hasMessage(mixtral + ": num_key_value_heads: missing"
                + " (only LlamaForCausalLM defaults it to num_attention_heads)");
    }

    @Test
    void deepSeekV3sDenseLayersAndSharedExpertShouldBeRequired() throws IOException {
        Path r1 = write(Files.readString(SharedData.modelConfig("deepseek-ai--DeepSeek-R1.config.json"))
                .replaceAll("\"n_shared_experts\": *1,", ""));
        assertThatThrownBy(() -> HfConfigReader.read(r1)).hasMessage(r1 + ": n_shared_experts: missing");
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }
}
