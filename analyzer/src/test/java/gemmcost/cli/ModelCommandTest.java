package gemmcost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    /** 2 layers, hidden 64, 4 query heads and 2 KV heads of 16, 4 experts of 32 (top-2), vocab 100, untied. */
    private Path tinyMixtral() throws IOException {
        return Files.writeString(dir.resolve("tiny.config.json"), """
                {"architectures": ["MixtralForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 32, "vocab_size": 100,
                 "num_local_experts": 4, "num_experts_per_tok": 2, "hidden_act": "silu", "sliding_window": null}""");
    }

    @Test
    void aHybridShouldShowWhereItsAttentionAndLinearAttentionAreAndItsStatePerSequence() throws IOException {
        Path config = Files.writeString(dir.resolve("hybrid.config.json"), """
                {"architectures": ["Qwen3_5MoeForConditionalGeneration"], "text_config": {"hidden_size": 64,
                 "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
                 "attn_output_gate": true, "vocab_size": 100, "num_experts": 8, "num_experts_per_tok": 2,
                 "moe_intermediate_size": 32, "full_attention_interval": 4, "linear_num_key_heads": 2,
                 "linear_num_value_heads": 4, "linear_key_head_dim": 8, "linear_value_head_dim": 16,
                 "linear_conv_kernel_dim": 4, "mamba_ssm_dtype": "bfloat16"}}""");

        CliRun run = CliRun.of("model", config.toString());

        // 3 linear layers, each 4 value heads × 8 × 16 bf16 and 3 taps of 2 · 2 · 8 + 4 · 16 = 96 channels
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().lines()).contains(
                "attention: GQA, 4 query heads, 2 KV heads of 16, output gate, QK norm per head, in 1 of 4 layers",
                "linear:    Gated DeltaNet in 3 of 4 layers, 2 key heads of 8, 4 value heads of 16, convolution of 4,"
                        + " state in 2-byte elements",
                "  KV cache / token  128 B in bf16, 64 B in fp8",
                "  state / sequence  " + 3 * (4 * 8 * 16 * 2 + 3 * 96 * 2) + " B (linear attention, whatever the"
                        + " length)");
    }

    @Test
    void sparseAttentionShouldBeShownWithItsIndexer() {
        CliRun run = CliRun.of("model", SharedData.modelConfig("zhipuai--GLM-5.config.json").toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().lines()).contains("attention: MLA, 64 heads, query rank 2048, KV latent 512 + rotary key"
                + " 64, value head 256, sparse: an indexer of 32 heads of 128 picks the top 2048",
                "context:   202752 tokens of prompt and output (modeled: as vLLM derives max_model_len from the"
                        + " config)");
        CliRun json = CliRun.of("model", "--json", SharedData.modelConfig("zhipuai--GLM-5.config.json").toString());
        assertThat(json.out()).contains("\"attention\":{\"kind\":\"mla\",\"heads\":64,\"q_lora_rank\":2048,"
                + "\"kv_lora_rank\":512,\"qk_nope_head_dim\":192,\"qk_rope_head_dim\":64,\"v_head_dim\":256,"
                + "\"indexer\":{\"heads\":32,\"head_dim\":128,\"top_k\":2048},\"sliding_window\":null}");
    }

    @Test
    void anFp8CheckpointShouldKeepEmbeddingsLmHeadRoutersAndNormsInBf16() throws IOException {
        Path config = tinyMixtral();

        CliRun run = CliRun.of("model", "--weights", "fp8", config.toString());

        // fp8 at 1 byte: attention 2 · 12,288 + experts 2 · 24,576 = 73,728; bf16 at 2 bytes: embedding + head
        // 12,800, norms 2 · 128 + 64, routers 2 · 256 = 13,632 · 2 = 27,264; 100,992 B in all
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().lines()).contains("  weight bytes      0.00 GB (linear layers at 1 byte(s) per weight;"
                + " embeddings, LM head, routers, norms and biases in bf16)");
        CliRun json = CliRun.of("model", "--json", "--weights", "fp8", config.toString());
        assertThat(json.out()).contains("\"weight_bytes\":100992,");
    }

    @Test
    void jsonShouldGiveTheHandCountedSizes() throws IOException {
        Path config = tinyMixtral();

        CliRun run = CliRun.of("model", "--json", config.toString());

        // embedding + head 2·100·64 = 12,800; per layer: attention 64·64 + 2·64·32 + 64·64 = 12,288, two norms 128,
        // experts 4·3·64·32 = 24,576 and router 64·4 = 256; final norm 64: 12,800 + 2·37,248 + 64 = 87,360
        // active: 2 of 4 experts, so 2 layers × 2 × 6,144 fewer; KV: 2 layers × (K, V) × 2 heads × 16
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("{\"config\":\"" + config + "\",\"architecture\":\"MixtralForCausalLM\","
                + "\"layers\":2,\"dense_layers\":0,\"attention\":{\"kind\":\"gqa\",\"heads\":4,\"kv_heads\":2,"
                + "\"head_dim\":16,\"qkv_bias\":false,\"output_gate\":false,\"qk_norm\":\"none\","
                + "\"sliding_window\":null},"
                + "\"experts\":{\"routed\":4,\"width\":32,\"top_k\":2,\"shared_width\":0,\"biases\":false},"
                + "\"weights\":\"bf16\",\"context_tokens\":null,\"parameters\":87360,"
                + "\"active_parameters\":62784,\"weight_bytes\":174720,\"kv_bytes_per_token_bf16\":256,"
                + "\"kv_bytes_per_token_fp8\":128,\"state_bytes_per_sequence\":0,\"label\":\"modeled\"}" + NL);
    }

    @Test
    void aSlidingWindowShouldBeShownWithTheLayersItSlides() throws IOException {
        Path config = Files.writeString(dir.resolve("windowed.config.json"), Files.readString(tinyMixtral())
                .replace("\"sliding_window\": null", "\"sliding_window\": 4096"));

        CliRun run = CliRun.of("model", config.toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().lines()).contains(
                "attention: GQA, 4 query heads, 2 KV heads of 16, a sliding window of 4096 tokens in 2 of 2 layers",
                "  KV cache / token  256 B in bf16, 128 B in fp8 (a windowed layer's up to 4096 tokens)");
        assertThat(CliRun.of("model", "--json", config.toString()).out())
                .contains("\"qk_norm\":\"none\",\"sliding_window\":{\"tokens\":4096,\"layers\":[0,1]}},");
    }

    @Test
    void qwen2sBiasAndQwen3sNormShouldBeNamed() throws IOException {
        String dense = """
                {"architectures": ["%s"], "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 100, "head_dim": 16}""";
        Path qwen2 = Files.writeString(dir.resolve("qwen2.config.json"), dense.formatted("Qwen2ForCausalLM")
                .replace(", \"head_dim\": 16", ""));
        Path qwen3 = Files.writeString(dir.resolve("qwen3.config.json"), dense.formatted("Qwen3ForCausalLM"));

        assertThat(CliRun.of("model", qwen2.toString()).out().lines())
                .contains("attention: GQA, 4 query heads, 2 KV heads of 16, QKV bias");
        assertThat(CliRun.of("model", qwen3.toString()).out().lines())
                .contains("attention: GQA, 4 query heads, 2 KV heads of 16, QK norm per head");
        assertThat(CliRun.of("model", "--json", qwen2.toString()).out()).contains("\"attention\":{\"kind\":\"gqa\","
                + "\"heads\":4,\"kv_heads\":2,\"head_dim\":16,\"qkv_bias\":true,\"output_gate\":false,"
                + "\"qk_norm\":\"none\",\"sliding_window\":null},\"experts\":null,");
        assertThat(CliRun.of("model", "--json", qwen3.toString()).out()).contains("\"qkv_bias\":false,"
                + "\"output_gate\":false,\"qk_norm\":\"per_head\",\"sliding_window\":null}");
    }

    @Test
    void textShouldDescribeTheArchitectureAndLabelTheSizes() throws IOException {
        Path config = tinyMixtral();

        CliRun run = CliRun.of("model", config.toString());

        assertThat(run.out()).startsWith(config + ": MixtralForCausalLM, 2 layers (0 dense, 2 MoE), hidden 64, vocab 100"
                + NL + "attention: GQA, 4 query heads, 2 KV heads of 16" + NL
                + "experts:   4 routed, each an MLP of width 32, top-2" + NL
                + "weights:   bf16" + NL + "sizes (modeled: counted from the config):" + NL)
                .contains("  KV cache / token  256 B in bf16, 128 B in fp8" + NL);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"num_experts_per_tok\": 2 | \"num_experts_per_tok\": 5 | num_experts_per_tok: must be <= num_local_experts (4), was 5",
            "\"sliding_window\": null | \"sliding_window\": -1 | sliding_window: must be >= 1, was -1",
            "\"hidden_act\": \"silu\" | \"hidden_act\": \"silu\", \"tie_word_embeddings\": 1 | tie_word_embeddings: must be true or false, was 1"})
    void aConfigGemmcostCannotCostShouldExitTwoWithOneLineNamingTheField(String field, String changed, String message)
            throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), Files.readString(tinyMixtral()).replace(field, changed));

        CliRun run = CliRun.of("model", config.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: " + config + ": " + message + NL);
    }

    @Test
    void withAGpuShouldSayWhatOneGpuHoldsAndThatItFits() {
        Path llama = SharedData.modelConfig("meta-llama--Llama-3.1-70B.config.json");

        CliRun run = CliRun.of("model", llama.toString(), "--gpu", "h100-sxm", "--tp", "8", "--concurrency", "64",
                "--isl", "3072", "--osl", "1024");

        // MemoryFootprintTest derives these: 17,640,734,720 B of weights; 64 × 4096 × 80 × 2 × 128 × 2 B of KV
        assertThat(run.status()).isZero();
        assertThat(run.out()).endsWith("  fits 8 x h100-sxm (tp=8, pp=1, ep=1, dp=1): 17.64 GB of weights + 10.74 GB"
                + " of KV cache per GPU of the 77.31 GB an engine uses" + NL);
        assertThat(CliRun.of("model", "--json", llama.toString(), "--gpu", "h100-sxm", "--tp", "8", "--concurrency",
                "64", "--isl", "3072", "--osl", "1024").out()).endsWith(",\"weight_bytes_per_gpu\":17640734720,"
                + "\"kv_bytes_per_gpu\":10737418240,\"state_bytes_per_gpu\":0,"
                + "\"usable_bytes_per_gpu\":77309411328,\"beyond_context\":false}" + NL);
        // 200,000 + 1,024 tokens, over Llama-3.1's context of 131,072 (its max_position_embeddings)
        CliRun beyond = CliRun.of("model", llama.toString(), "--gpu", "h100-sxm", "--tp", "8", "--concurrency", "1",
                "--isl", "200000", "--osl", "1024");
        assertThat(beyond.out()).endsWith("  beyond context: --isl + --osl = 201024 tokens, over the model's 131072:"
                + " engines refuse such requests unless the context is extended" + NL);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--isl 1 --osl 1 | on 1 x h100-sxm (tp=1, pp=1, ep=1, dp=1) does not fit: 141.11 GB of weights + 0.00 GB of"
                    + " KV cache per GPU (1 sequences of up to 2 tokens, KV in bf16) is over the 77.31 GB an engine uses"
                    + " of 85.90 GB (0.90) [modeled]",
            "--tp 8 --pp 100 | cannot be laid out as tp=8, pp=100, ep=1, dp=1: pp=100 is more stages than the 80 layers"})
    void aLayoutThatCannotHoldOrSplitTheModelShouldBeRefusedInOneLineSayingWhy(String options, String message) {
        Path llama = SharedData.modelConfig("meta-llama--Llama-3.1-70B.config.json");
        List<String> args = new ArrayList<>(List.of("model", llama.toString(), "--gpu", "h100-sxm"));
        args.addAll(List.of(options.split(" ")));

        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: " + llama + " " + message + NL);
    }
}
