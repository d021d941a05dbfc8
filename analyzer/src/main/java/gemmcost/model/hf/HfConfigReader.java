package gemmcost.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import gemmcost.BadInputException;
import gemmcost.InputFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a HuggingFace {@code config.json} into an {@link Architecture}. Every field is either modelled, listed as
 * not changing what a forward pass computes or reads ({@link #COST_NEUTRAL}), or refused with the field's name, so
 * that no model is silently costed as something it is not. The weight format comes from the config's
 * {@code quantization_config}, or from a {@code hf_quant_config.json} beside it (ModelOpt's), bf16 otherwise.
 */
public final class HfConfigReader {
    /**
     * Token ids, initialisation, norm epsilon, RoPE constants and context limit (read for the context only), dropout,
     * routing-score details (the same experts' work whichever are chosen), training-only losses and router noise; and
     * the multi-token-prediction modules ({@code num_nextn_predict_layers}, MiniMax's {@code *mtp*}), which serving
     * without speculative decoding does not run (Qwen3.5's {@code mtp_*} too). Qwen's {@code max_window_layers} says
     * which layers slide where the sliding window is on ({@link #slidingWindow}); {@code rope_parameters} is the
     * newer configs' RoPE constants, {@code *rope_interleave} how rotary pairs are laid out.
     */
    static final Set<String> COST_NEUTRAL = Set.of("architectures", "model_type", "transformers_version", "auto_map",
            "bos_token_id", "eos_token_id", "pad_token_id", "initializer_range", "rms_norm_eps", "rope_theta",
            "rope_scaling", "rotary_dim", "max_position_embeddings", "attention_dropout", "use_cache", "pretraining_tp",
            "router_aux_loss_coef", "aux_loss_alpha", "seq_aux", "router_jitter_noise", "output_router_logits",
            "norm_topk_prob", "scoring_func", "topk_method", "n_group",
            "topk_group", "routed_scaling_factor", "use_routing_bias", "ep_size",
            "max_window_layers", "num_nextn_predict_layers", "num_mtp_modules", "mtp_transformer_layers", "use_mtp",
            "rope_parameters", "mtp_num_hidden_layers", "mtp_use_dedicated_embeddings", "rope_interleave",
            "indexer_rope_interleave");

    /**
     * Attributes of transformers' {@code PretrainedConfig} that a saved config may carry (an older
     * {@code save_pretrained} wrote them all): names, generation defaults, label maps, output switches. None changes
     * what a decoder step computes.
     */
    static final Set<String> PRETRAINED_METADATA = Set.of("_name_or_path", "_commit_hash", "return_dict",
            "output_hidden_states", "output_attentions", "torchscript", "use_bfloat16", "tf_legacy_loss", "max_length",
            "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
            "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty",
            "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences",
            "output_scores", "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id",
            "remove_invalid_values", "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens",
            "finetuning_task", "id2label", "label2id", "tokenizer_class", "prefix", "sep_token_id",
            "decoder_start_token_id", "task_specific_params", "problem_type", "chunk_size_feed_forward");

    /**
     * {@code PretrainedConfig}'s structural switches, read past at the value a decoder-only model has (anything else is
     * another kind of model): no encoder, no cross-attention, no pruned heads.
     */
    private static final Map<String, JsonNode> DECODER_ONLY = Map.of("is_encoder_decoder", BooleanNode.FALSE,
            "is_decoder", BooleanNode.FALSE, "add_cross_attention", BooleanNode.FALSE, "tie_encoder_decoder",
            BooleanNode.FALSE, "cross_attention_hidden_size", NullNode.instance, "pruned_heads",
            JsonNodeFactory.instance.objectNode());

    /**
     * Read by every architecture; {@code layer_types} (newer transformers write it) must say what the other fields do
     * ({@link #requireLayerTypes}).
     */
    private static final Set<String> COMMON = Set.of("hidden_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "intermediate_size", "vocab_size", "tie_word_embeddings", "hidden_act",
            "attention_bias", "torch_dtype", "dtype", "quantization_config", "layer_types");

    /** The context a model serves: engines refuse a longer prompt and output by default. */
    private static final String CONTEXT_FIELD = "max_position_embeddings";

    /** DeepSeek-V2 and V2.5: V3's layers (MLA, dense then MoE), softmax routing, no multi-token prediction. */
    static final String DEEPSEEK_V2 = "DeepseekV2ForCausalLM";

    /** The fields DeepSeek-V2's and V3's layers are read from. */
    private static final Set<String> DEEPSEEK_FIELDS = Set.of("q_lora_rank", "kv_lora_rank", "qk_nope_head_dim",
            "qk_rope_head_dim", "v_head_dim", "n_routed_experts", "n_shared_experts", "moe_intermediate_size",
            "num_experts_per_tok", "first_k_dense_replace", "moe_layer_freq");

    /**
     * GLM-4.5 and 4.6: DeepSeek-V3's dense-then-MoE layers (a sigmoid router, shared experts) under grouped-query
     * attention whose query, key and value projections add a bias ({@code attention_bias}) and whose heads may be
     * QK-normed ({@code use_qk_norm}), with the rotary embedding on part of each head.
     */
    static final String GLM4_MOE = "Glm4MoeForCausalLM";

    /**
     * gpt-oss: every layer MoE (experts and router with biases, a clamped SwiGLU: {@code swiglu_limit}, the same
     * element-wise work) under grouped-query attention with biases that slides a window in every other layer
     * ({@code layer_types}); {@code initial_context_length} is its pretraining context (the RoPE scaling's base).
     */
    static final String GPT_OSS = "GptOssForCausalLM";

    /** GLM-5: DeepSeek-V3's layers with DeepSeek Sparse Attention's indexer. */
    static final String GLM_MOE_DSA = "GlmMoeDsaForCausalLM";

    /** Qwen3.5's hybrid MoE: a vision-language checkpoint whose {@code text_config} is the decoder gemmcost costs. */
    static final String QWEN3_5_MOE = "Qwen3_5MoeForConditionalGeneration";

    /**
     * Kimi-K2.5: a vision-language checkpoint whose {@code text_config} is a {@code DeepseekV3ForCausalLM} (Kimi-K2's
     * layers), read as that.
     */
    static final String KIMI_K25 = "KimiK25ForConditionalGeneration";

    /** The decoder each vision-language checkpoint's {@code text_config} holds. */
    private static final Map<String, String> TEXT_DECODER = Map.of(QWEN3_5_MOE, QWEN3_5_MOE, KIMI_K25,
            "DeepseekV3ForCausalLM");

    /**
     * The top-level fields of a vision-language checkpoint besides its {@code text_config}: token ids, the loss's
     * ignored label, and the vision tower and its placeholders, which a text request never runs (the tower's weights,
     * about 0.1 % of Qwen3.5-397B's, modeled, are not counted).
     */
    static final Set<String> MULTIMODAL_TOP_LEVEL = Set.of("architectures", "model_type", "transformers_version",
            "text_config", "tie_word_embeddings", "quantization_config", "torch_dtype", "dtype", "vision_config",
            "image_token_id", "video_token_id", "vision_start_token_id", "vision_end_token_id", "auto_map",
            "bos_token_id", "eos_token_id", "pad_token_id", "ignore_index", "media_placeholder_token_id",
            "video_placeholder", "use_unified_vision_chunk");

    /** Architectures read, and the fields each models beyond {@link #COMMON}. */
    static final Map<String, Set<String>> SUPPORTED = Map.ofEntries(
            Map.entry("LlamaForCausalLM", Set.of("head_dim", "mlp_bias")),
            Map.entry("MistralForCausalLM", Set.of("head_dim", "sliding_window")),
            Map.entry("Qwen2ForCausalLM", Set.of("head_dim", "sliding_window", "use_sliding_window")),
            Map.entry("Qwen3ForCausalLM", Set.of("head_dim", "sliding_window", "use_sliding_window")),
            Map.entry("Qwen3MoeForCausalLM", Set.of("head_dim", "sliding_window", "use_sliding_window", "num_experts",
                    "num_experts_per_tok", "moe_intermediate_size", "decoder_sparse_step", "mlp_only_layers")),
            Map.entry("MixtralForCausalLM", Set.of("sliding_window", "num_local_experts", "num_experts_per_tok")),
            Map.entry("MiniMaxM2ForCausalLM", Set.of("head_dim", "num_local_experts", "num_experts_per_tok",
                    "shared_intermediate_size", "attn_type_list", "use_qk_norm", "qk_norm_type", "sliding_window")),
            Map.entry(DEEPSEEK_V2, DEEPSEEK_FIELDS),
            Map.entry(GLM4_MOE, Set.of("head_dim", "partial_rotary_factor", "use_qk_norm", "n_routed_experts",
                    "n_shared_experts", "moe_intermediate_size", "num_experts_per_tok", "first_k_dense_replace",
                    "moe_layer_freq")),
            Map.entry("DeepseekV3ForCausalLM", DEEPSEEK_FIELDS),
            Map.entry(GPT_OSS, Set.of("head_dim", "sliding_window", "num_local_experts", "num_experts_per_tok",
                    "experts_per_token", "swiglu_limit", "initial_context_length")),
            Map.entry(GLM_MOE_DSA, Stream.concat(DEEPSEEK_FIELDS.stream(), Stream.of("qk_head_dim", "head_dim",
                    "index_n_heads", "index_head_dim", "index_topk")).collect(Collectors.toUnmodifiableSet())),
            Map.entry(KIMI_K25, Set.of()),
            Map.entry(QWEN3_5_MOE, Set.of("head_dim", "attn_output_gate", "num_experts", "num_experts_per_tok",
                    "moe_intermediate_size", "shared_expert_intermediate_size", "mlp_only_layers",
                    "full_attention_interval", "layer_types", "linear_num_key_heads", "linear_num_value_heads",
                    "linear_key_head_dim", "linear_value_head_dim", "linear_conv_kernel_dim", "mamba_ssm_dtype")));

    /**
     * Largest value read of each size (65,536 for one not listed): beyond every published model, and small enough
     * that no weight or KV count can overflow 64 bits (at most 1,024 layers × 4,096 experts × 3 × 2^16 × 2^20).
     */
    private static final Map<String, Integer> MAX = Map.ofEntries(Map.entry("num_hidden_layers", 1024),
            Map.entry("vocab_size", 1 << 22), Map.entry("intermediate_size", 1 << 20),
            Map.entry("moe_intermediate_size", 1 << 20), Map.entry("shared_intermediate_size", 1 << 20),
            Map.entry("num_experts", 4096), Map.entry("num_local_experts", 4096), Map.entry("n_routed_experts", 4096),
            Map.entry("n_shared_experts", 16), Map.entry("num_attention_heads", 4096),
            Map.entry("num_key_value_heads", 4096), Map.entry("head_dim", 4096),
            Map.entry(CONTEXT_FIELD, 1 << 30), Map.entry("sliding_window", 1 << 30));

    private final String file;
    /** Where {@link #root} sits in the file ({@code text_config.} in a vision-language config), for messages. */
    private final String prefix;
    private final JsonNode root;

    private HfConfigReader(String file, String prefix, JsonNode root) {
        this.file = file;
        this.prefix = prefix;
        this.root = root;
    }

    public static Architecture read(Path config) {
        return new HfConfigReader(config.toString(), "", InputFiles.json(config))
                .architecture(quantConfigBeside(config), true);
    }

    /**
     * The architecture of {@code config} with its linear layers taken as bf16, whatever its dtype and quantisation
     * say: for a caller that knows the format the GEMMs ran in from elsewhere (a serving run's recorded quant mode),
     * where the config's own scheme is one gemmcost does not read.
     */
    public static Architecture readArchitecture(Path config) {
        return new HfConfigReader(config.toString(), "", InputFiles.json(config)).architecture(null, false);
    }

    /**
     * The architecture of {@code config} with its linear layers in {@code stated} where given ({@code null}: what the
     * config says): the format its user serves it in, read past whatever format the config states, even one gemmcost
     * does not read (gpt-oss's mxfp4, a compressed-tensors checkpoint). A format it does not read is refused with a
     * hint to {@code --weights}.
     */
    public static Architecture read(Path config, WeightFormat stated) {
        return read(config, stated, "--weights");
    }

    /** As {@link #read(Path, WeightFormat)}, the hint naming {@code option}, the command's own for the format. */
    public static Architecture read(Path config, WeightFormat stated, String option) {
        if (stated != null)
            return readArchitecture(config).withWeights(stated);
        try {
            return read(config);
        } catch (UnmodeledException e) {
            if (e.kind() != UnmodeledException.Kind.QUANTIZATION)
                throw e;
            throw new UnmodeledException(e.kind(), e.getMessage() + "; " + option + " bf16, fp8 or fp8_block costs its"
                    + " GEMMs in the format it is served in");
        }
    }

    /** {@code X.hf_quant_config.json} beside {@code X.config.json}, or {@code hf_quant_config.json} beside {@code config.json}. */
    private static Path quantConfigBeside(Path config) {
        String name = config.getFileName().toString();
        String quant = name.endsWith("config.json")
                ? name.substring(0, name.length() - "config.json".length()) + "hf_quant_config.json"
                : null;
        return quant == null ? null : config.resolveSibling(quant);
    }

    /** The config's architecture; its weight format read where {@code format}, else bf16. */
    private Architecture architecture(Path quantConfig, boolean format) {
        if (!root.isObject())
            throw bad("$", "must be a JSON object");
        String arch = architectureName();
        if (!TEXT_DECODER.containsKey(arch))
            return decoder(arch, () -> format ? weights(quantConfig) : WeightFormat.BF16, bool("tie_word_embeddings"));
        return textModel(arch, quantConfig, format);
    }

    /**
     * A vision-language checkpoint's decoder, its fields in {@code text_config}; the weight format and tied embeddings
     * may be said at either level, and where both say them they must agree.
     */
    private Architecture textModel(String arch, Path quantConfig, boolean format) {
        refuseFieldsOutside(arch, List.of(MULTIMODAL_TOP_LEVEL, PRETRAINED_METADATA, DECODER_ONLY.keySet()));
        requireDecoderOnly();
        JsonNode text = root.get("text_config");
        if (text == null || !text.isObject())
            throw bad("text_config", "must be a JSON object, was " + text);
        HfConfigReader decoder = new HfConfigReader(file, "text_config.", text);
        String decoderArch = TEXT_DECODER.get(arch);
        JsonNode named = text.get("architectures"); // Kimi-K2.5's names its decoder: it must be the one read
        if (!arch.equals(decoderArch) && named != null
                && !named.equals(JsonNodeFactory.instance.arrayNode().add(decoderArch)))
            throw decoder.bad("architectures", "must be [\"" + decoderArch + "\"] in a " + arch + ", was " + named);
        String tie = "tie_word_embeddings";
        boolean tied = root.has(tie) ? bool(tie) : decoder.bool(tie);
        if (root.has(tie) && text.has(tie) && decoder.bool(tie) != tied)
            throw decoder.bad(tie, "must agree with the top level's " + tied + ", was " + text.get(tie));
        Architecture read = decoder.decoder(decoderArch, () -> {
            if (!format)
                return WeightFormat.BF16;
            WeightFormat top = weights(quantConfig);
            WeightFormat inText = decoder.weights(null); // its dtype, and a quantization_config given there
            if (top != WeightFormat.BF16 && inText != WeightFormat.BF16 && top != inText)
                throw decoder.bad("quantization_config", "must agree with the top level's " + top.id() + ", was "
                        + inText.id());
            return top != WeightFormat.BF16 ? top : inText;
        }, tied);
        return arch.equals(decoderArch) ? read : read.withName(arch + " (" + decoderArch + ")");
    }

    /**
     * The decoder of a config whose fields are at {@link #root}; its weight format is read once every field has been
     * checked, so that a field gemmcost does not model is named before a format it does not.
     */
    private Architecture decoder(String arch, Supplier<WeightFormat> weightFormat, boolean tied) {
        refuseFieldsOutside(arch, List.of(COMMON, COST_NEUTRAL, PRETRAINED_METADATA, DECODER_ONLY.keySet(),
                SUPPORTED.get(arch)));
        requireDecoderOnly();
        requireValue("hidden_act", "silu");
        if (!arch.equals(GLM4_MOE) && !arch.equals(GPT_OSS))
            requireValue("attention_bias", false);
        requireValue("mlp_bias", false);
        int hidden = positive("hidden_size");
        int layers = positive("num_hidden_layers");
        SlidingWindow window = slidingWindow(arch, layers);
        int heads = positive("num_attention_heads");
        boolean latent = arch.equals(DEEPSEEK_V2) || arch.equals("DeepseekV3ForCausalLM") || arch.equals(GLM_MOE_DSA);
        Attention attention = latent ? mla(heads, arch.equals(GLM_MOE_DSA)) : gqa(arch, heads, hidden);
        if (!arch.equals(QWEN3_5_MOE))
            requireLayerTypes(layers, 1, window);
        requireSoftmaxAttention(layers);
        int context = contextTokens();
        WeightFormat weights = weightFormat.get();
        int vocab = positive("vocab_size");
        try {
            return build(arch, layers, hidden, vocab, tied, attention, weights).withContext(context)
                    .withSlidingWindow(window);
        } catch (IllegalArgumentException e) { // a combination of sizes no field check caught: still one line
            throw bad("$", e.getMessage());
        }
    }

    private Architecture build(String arch, int layers, int hidden, int vocab, boolean tied, Attention attention,
                               WeightFormat weights) {
        return switch (arch) {
            case "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM" -> new Architecture(
                    arch, layers, hidden, vocab, tied, attention, layers, positive("intermediate_size"), null, weights);
            case "Qwen3MoeForCausalLM" -> {
                requireValue("decoder_sparse_step", 1);
                refuseMlpOnlyLayers();
                yield new Architecture(arch, layers, hidden, vocab, tied, attention, 0, 0,
                        experts("num_experts", positive("moe_intermediate_size"), 0), weights);
            }
            case QWEN3_5_MOE -> {
                refuseMlpOnlyLayers();
                int interval = positive("full_attention_interval");
                requireLayerTypes(layers, interval, null);
                GatedDeltaNet linear = interval == 1 ? null : new GatedDeltaNet(positive("linear_num_key_heads"),
                        positive("linear_num_value_heads"), positive("linear_key_head_dim"),
                        positive("linear_value_head_dim"), positive("linear_conv_kernel_dim"), stateBytesPerElement());
                // the shared expert's sigmoid gate (hidden weights per layer) is left out: 0.00006 % of the model
                yield new Architecture(arch, layers, hidden, vocab, tied, attention, 0, 0, experts("num_experts",
                        positive("moe_intermediate_size"), atLeastZero("shared_expert_intermediate_size")), weights,
                        linear, interval);
            }
            case GPT_OSS -> {
                Experts routed = experts("num_local_experts", positive("intermediate_size"), 0);
                JsonNode named = root.get("experts_per_token"); // the original release's name of the same count
                if (named != null && !(named.isInt() && named.asInt() == routed.topK()))
                    throw bad("experts_per_token", "must equal num_experts_per_tok (" + routed.topK() + "), was "
                            + named);
                yield new Architecture(arch, layers, hidden, vocab, tied, attention, 0, 0, new Experts(routed.experts(),
                        routed.topK(), routed.expertIntermediate(), 0, true), weights);
            }
            case "MixtralForCausalLM", "MiniMaxM2ForCausalLM" -> new Architecture(arch, layers, hidden, vocab, tied,
                    attention, 0, 0, experts("num_local_experts", positive("intermediate_size"),
                    atLeastZero("shared_intermediate_size")), weights);
            case DEEPSEEK_V2, "DeepseekV3ForCausalLM", GLM_MOE_DSA, GLM4_MOE -> {
                requireValue("moe_layer_freq", 1);
                // required: the class defaults (3 and 1) are DeepSeek-V3's own sizes, not a rule
                int denseLayers = nonNegative("first_k_dense_replace");
                if (denseLayers > layers)
                    throw bad("first_k_dense_replace", "must be <= num_hidden_layers (" + layers + "), was "
                            + denseLayers);
                int moeIntermediate = positive("moe_intermediate_size");
                yield new Architecture(arch, layers, hidden, vocab, tied, attention, denseLayers,
                        positive("intermediate_size"), experts("n_routed_experts", moeIntermediate,
                        nonNegative("n_shared_experts") * moeIntermediate), weights);
            }
            default -> throw new IllegalStateException("supported but not built: " + arch);
        };
    }

    /** RoPE types whose scaling is already in {@code max_position_embeddings} (vLLM does not scale by them). */
    private static final Set<String> SCALING_STATED = Set.of("su", "longrope", "llama3");

    /**
     * The longest prompt and output engines serve by default (vLLM's {@code max_model_len}, SGLang's
     * {@code context_length}, TensorRT-LLM's {@code max_seq_len}), as vLLM derives it: {@code max_position_embeddings}
     * scaled by the {@code factor} of its RoPE scaling ({@code rope_scaling}, or a newer config's
     * {@code rope_parameters}, per layer type or not), except su's, longrope's and llama3's, which the length already
     * holds; yarn scales its {@code original_max_position_embeddings} where given. 0 where the config gives no limit.
     */
    private int contextTokens() {
        if (!root.hasNonNull(CONTEXT_FIELD))
            return 0;
        int limit = positive(CONTEXT_FIELD);
        String field = root.hasNonNull("rope_scaling") ? "rope_scaling" : "rope_parameters";
        JsonNode rope = root.path(field);
        if (rope.path("full_attention").isObject()) { // one per layer type: the full-attention layers' bound it
            rope = rope.get("full_attention");
            field += ".full_attention";
        }
        String type = rope.path("rope_type").asText(rope.path("type").asText(""));
        JsonNode factor = rope.get("factor");
        if (factor == null || factor.isNull() || SCALING_STATED.contains(type))
            return limit;
        if (!factor.isNumber() || !(factor.asDouble() > 0) || Double.isInfinite(factor.asDouble()))
            throw bad(field + ".factor", "must be a finite number > 0, was " + factor);
        double base = limit;
        JsonNode original = rope.get("original_max_position_embeddings");
        if (type.equals("yarn") && original != null && !original.isNull()) {
            if (!original.isInt() || original.asInt() < 1 || original.asInt() > MAX.get(CONTEXT_FIELD))
                throw bad(field + ".original_max_position_embeddings", "must be an integer from 1 to "
                        + MAX.get(CONTEXT_FIELD) + ", was " + original);
            base = original.asInt();
        }
        return (int) Math.clamp(base * factor.asDouble(), 1, MAX.get(CONTEXT_FIELD));
    }

    /** Routed experts counted by {@code countField}, {@code num_experts_per_tok} of them per token. */
    private Experts experts(String countField, int intermediate, int sharedIntermediate) {
        int experts = positive(countField);
        int topK = positive("num_experts_per_tok");
        if (topK > experts)
            throw bad("num_experts_per_tok", "must be <= " + countField + " (" + experts + "), was " + topK);
        return new Experts(experts, topK, intermediate, sharedIntermediate);
    }

    private void refuseMlpOnlyLayers() {
        if (root.has("mlp_only_layers") && !root.get("mlp_only_layers").isEmpty())
            throw unmodeled(UnmodeledException.Kind.FIELD, "mlp_only_layers", "dense layers between MoE layers are not"
                    + " modelled, was " + root.get("mlp_only_layers"));
    }

    /** A field of one entry per layer: null where the config does not give it, refused unless an array of them. */
    private JsonNode perLayer(String field, int layers) {
        JsonNode entries = root.get(field);
        if (entries == null || entries.isNull())
            return null;
        if (!entries.isArray() || entries.size() != layers)
            throw bad(field, "must be an array of num_hidden_layers (" + layers + ") entries, was "
                    + (entries.isArray() ? "an array of " + entries.size() : entries));
        return entries;
    }

    /**
     * {@code layer_types}, where given, must be what the other fields say: attention in every interval-th layer
     * (linear attention in the others), sliding where {@code window} slides, full elsewhere.
     */
    private void requireLayerTypes(int layers, int interval, SlidingWindow window) {
        JsonNode types = perLayer("layer_types", layers);
        if (types == null)
            return;
        for (int layer = 0; layer < layers; layer++) {
            String expected = !Architecture.fullAttentionAt(layer, interval) ? "linear_attention"
                    : window != null && window.slides(layer) ? "sliding_attention" : "full_attention";
            JsonNode type = types.get(layer);
            if (type.asText("").equals(expected))
                continue;
            if (!type.isTextual() || !LAYER_TYPES.contains(type.asText()))
                throw unmodeled(UnmodeledException.Kind.FIELD, "layer_types", "only " + String.join(", ", LAYER_TYPES)
                        + " are modelled, was " + type + " at layer " + layer);
            throw unmodeled(UnmodeledException.Kind.FIELD, "layer_types", "must be \"" + expected + "\" at layer "
                    + layer + " (" + (interval > 1 ? "full attention in the last of every full_attention_interval ("
                    + interval + ") layers" : window == null ? "no sliding window is on"
                    : "the sliding window is in " + window.layers().size() + " of the " + layers + " layers, "
                    + (window.slides(layer) ? "this one among them" : "not this one")) + "), was " + type);
        }
    }

    /** The kinds of layer {@code layer_types} may name. */
    private static final List<String> LAYER_TYPES = List.of("full_attention", "sliding_attention", "linear_attention");

    /**
     * MiniMax's {@code attn_type_list}, where given: softmax attention (1) in every layer, as in M2; 0, MiniMax-M1's
     * lightning attention, is not modelled.
     */
    private void requireSoftmaxAttention(int layers) {
        JsonNode types = perLayer("attn_type_list", layers);
        if (types == null)
            return;
        for (int layer = 0; layer < layers; layer++)
            if (!types.get(layer).isInt() || types.get(layer).asInt() != 1)
                throw unmodeled(UnmodeledException.Kind.FIELD, "attn_type_list", "only softmax attention (1) in"
                        + " every layer is modelled, was " + types.get(layer) + " at layer " + layer);
    }

    /** Bytes per element of the linear-attention state ({@code mamba_ssm_dtype}). */
    private int stateBytesPerElement() {
        JsonNode node = root.get("mamba_ssm_dtype");
        if (node == null || node.isNull())
            throw bad("mamba_ssm_dtype", "missing");
        return switch (node.asText("")) {
            case "float32" -> 4;
            case "bfloat16" -> 2;
            default -> throw unmodeled(UnmodeledException.Kind.FIELD, "mamba_ssm_dtype", node + " is not modelled"
                    + " (float32 and bfloat16 are)");
        };
    }

    private String architectureName() {
        JsonNode archs = root.get("architectures");
        if (archs == null || !archs.isArray() || archs.size() != 1 || !archs.get(0).isTextual())
            throw bad("architectures", "must be an array of one name, was " + archs);
        String arch = archs.get(0).asText();
        if (!SUPPORTED.containsKey(arch))
            throw unmodeled(UnmodeledException.Kind.ARCHITECTURE, "architectures", arch + " is not supported (supported: "
                    + String.join(", ", new TreeSet<>(SUPPORTED.keySet())) + ")");
        return arch;
    }

    /** Refuses the first field of this object that none of {@code known} holds: gemmcost would ignore it. */
    private void refuseFieldsOutside(String arch, List<Set<String>> known) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (known.stream().noneMatch(set -> set.contains(field)))
                throw unmodeled(UnmodeledException.Kind.FIELD, field, "not modelled by gemmcost for " + arch);
        }
    }

    /** The classes whose sliding window {@code use_sliding_window} switches on, from {@code max_window_layers}. */
    private static final Set<String> QWEN_WINDOW_SWITCH = Set.of("Qwen2ForCausalLM", "Qwen3ForCausalLM");

    /** Their config classes' {@code max_window_layers} where a config leaves it out. */
    private static final int QWEN_MAX_WINDOW_LAYERS = 28;

    /**
     * The layers with a sliding window of {@code sliding_window} tokens ({@code null}: none). Qwen2's and Qwen3's
     * classes switch it with {@code use_sliding_window} (false where left out) and slide only the layers from
     * {@code max_window_layers} on; Qwen3-MoE's switch is refused (transformers' class slides every layer, engines
     * differ); gpt-oss's slides the layers {@code layer_types} calls {@code sliding_attention} (every other one from
     * the first where it is left out, as its config class fills it); the others slide every layer wherever
     * {@code sliding_window} is set. Where some layer slides, the size must be given: a class's default (Mistral's
     * and Qwen's 4,096, gpt-oss's 128) is one model's size.
     */
    private SlidingWindow slidingWindow(String arch, int layers) {
        boolean switched = QWEN_WINDOW_SWITCH.contains(arch) || arch.equals("Qwen3MoeForCausalLM");
        JsonNode size = root.get("sliding_window");
        if (size != null && size.isNull() || switched && !bool("use_sliding_window")) // null: no window in any class
            return null;
        if (arch.equals("Qwen3MoeForCausalLM"))
            throw unmodeled(UnmodeledException.Kind.FIELD, "use_sliding_window", "true is not modelled for " + arch
                    + " (transformers' class slides every layer, Qwen2's and Qwen3's the layers from"
                    + " max_window_layers on)");
        // the classes whose layers slide by a default size where sliding_window is left out
        boolean slidesByDefault = switched || arch.equals(GPT_OSS) || arch.equals("MistralForCausalLM");
        if (size == null && !slidesByDefault)
            return null;
        Set<Integer> sliding = new TreeSet<>();
        int from = !switched ? 0
                : root.has("max_window_layers") ? nonNegative("max_window_layers") : QWEN_MAX_WINDOW_LAYERS;
        JsonNode types = arch.equals(GPT_OSS) ? perLayer("layer_types", layers) : null;
        for (int layer = from; layer < layers; layer++)
            if (!arch.equals(GPT_OSS) || (types == null ? layer % 2 == 0
                    : types.get(layer).asText("").equals("sliding_attention")))
                sliding.add(layer);
        if (sliding.isEmpty())
            return null;
        if (size == null)
            throw bad("sliding_window", "missing, though " + sliding.size() + " of the " + layers + " layers slide ("
                    + arch + "'s class would take " + (arch.equals(GPT_OSS) ? 128 : 4096) + " tokens, one model's"
                    + " window): give it" + (switched || arch.equals(GPT_OSS) ? "" : ", or null for none"));
        return new SlidingWindow(positive("sliding_window"), sliding);
    }

    /** The classes whose head width, where the config leaves it out, is hidden_size / num_attention_heads. */
    private static final Set<String> HEAD_DIM_FROM_HIDDEN = new TreeSet<>(Set.of(GLM4_MOE, "LlamaForCausalLM",
            "MistralForCausalLM", "MixtralForCausalLM", "Qwen2ForCausalLM"));

    /** The classes that read a null {@code num_key_value_heads} as {@code num_attention_heads} (full MHA). */
    private static final Set<String> NULL_KV_HEADS_ARE_HEADS = Set.of("LlamaForCausalLM", "MistralForCausalLM",
            "MixtralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "Qwen3MoeForCausalLM",
            "MiniMaxM2ForCausalLM");

    /**
     * Grouped-query attention. A field left out takes what the architecture's HuggingFace class takes: Llama's KV
     * heads are its query heads, and {@link #HEAD_DIM_FROM_HIDDEN}'s head width is hidden_size / heads; the other
     * defaults are fixed numbers (Mistral's and Mixtral's 8 KV heads, Qwen2's 32, Qwen3's 128-wide heads) that a
     * config of another size would not mean, so there such a field must be given. Qwen2's query, key and value
     * projections have a bias (its class's, no config field), GLM-4.5's where {@code attention_bias} says so, gpt-oss's
     * unless it says not (its class's default is true).
     */
    private Attention gqa(String arch, int heads, int hidden) {
        boolean llama = arch.equals("LlamaForCausalLM");
        if (!llama && !root.has("num_key_value_heads"))
            throw bad("num_key_value_heads", "missing (only LlamaForCausalLM defaults it to num_attention_heads)");
        JsonNode kvField = root.get("num_key_value_heads");
        boolean nullKv = kvField != null && kvField.isNull();
        if (nullKv && !NULL_KV_HEADS_ARE_HEADS.contains(arch))
            throw bad("num_key_value_heads", "null, which " + arch + " does not read as num_attention_heads");
        int kvHeads = kvField != null && !nullKv ? positive("num_key_value_heads") : heads;
        if (heads % kvHeads != 0)
            throw bad("num_key_value_heads", "must divide num_attention_heads (" + heads + "), was " + kvHeads);
        int headDim;
        if (root.has("head_dim") && !root.get("head_dim").isNull())
            headDim = positive("head_dim");
        else if (!HEAD_DIM_FROM_HIDDEN.contains(arch))
            throw bad("head_dim", "missing (only " + String.join(", ", HEAD_DIM_FROM_HIDDEN) + " default it to"
                    + " hidden_size / num_attention_heads)");
        else if (hidden % heads != 0)
            throw bad("head_dim", "absent, and hidden_size (" + hidden + ") is not a multiple of heads (" + heads + ")");
        else
            headDim = hidden / heads;
        JsonNode rotary = root.get("partial_rotary_factor"); // the rotated share of a head: a kernel floor in decode
        if (rotary != null && !(rotary.isNumber() && rotary.asDouble() > 0 && rotary.asDouble() <= 1))
            throw bad("partial_rotary_factor", "must be a number in (0, 1], was " + rotary);
        // gpt-oss's output projection's bias and attention sinks (2,944 weights a layer, 0.0001 % of gpt-oss-120b)
        // are left out: the kernels that add them cost the same
        boolean qkvBias = arch.equals("Qwen2ForCausalLM") || arch.equals(GLM4_MOE) && bool("attention_bias")
                || arch.equals(GPT_OSS) && (!root.hasNonNull("attention_bias") || bool("attention_bias"));
        return new Attention.Gqa(heads, kvHeads, headDim, bool("attn_output_gate"), qkNorm(arch), qkvBias);
    }

    /**
     * Qwen3's classes norm every query and key head (their {@code q_norm} and {@code k_norm} take no config field),
     * GLM-4.5's where {@code use_qk_norm} says so; MiniMax-M2's norms the whole layer's query and key, as the engines
     * run it whatever its config says, so its {@code use_qk_norm} and {@code qk_norm_type} are read only at their class
     * defaults, true and {@code per_layer}.
     */
    private QkNorm qkNorm(String arch) {
        if (arch.equals("Qwen3ForCausalLM") || arch.equals("Qwen3MoeForCausalLM") || arch.equals(QWEN3_5_MOE))
            return QkNorm.PER_HEAD;
        if (arch.equals(GLM4_MOE)) // its q_norm and k_norm are head_dim wide
            return bool("use_qk_norm") ? QkNorm.PER_HEAD : QkNorm.NONE;
        if (!arch.equals("MiniMaxM2ForCausalLM"))
            return QkNorm.NONE;
        requireValue("use_qk_norm", true);
        requireValue("qk_norm_type", "per_layer");
        return QkNorm.PER_LAYER;
    }

    /** MLA; {@code sparse}: with DeepSeek Sparse Attention's indexer, whose three sizes the config must give. */
    private Attention mla(int heads, boolean sparse) {
        JsonNode kvHeads = root.get("num_key_value_heads"); // every head's own key and value: read, not used
        if (kvHeads != null && !kvHeads.isNull())
            positive("num_key_value_heads");
        int nope = positive("qk_nope_head_dim");
        int rope = positive("qk_rope_head_dim");
        requireValue("qk_head_dim", nope + rope); // GLM-5 states the sums it implies…
        requireValue("head_dim", rope); // …and the rotary width again
        DsaIndexer indexer = sparse
                ? new DsaIndexer(positive("index_n_heads"), positive("index_head_dim"), positive("index_topk")) : null;
        if (root.has("q_lora_rank") && root.get("q_lora_rank").isNull())
            throw unmodeled(UnmodeledException.Kind.FIELD, "q_lora_rank", "null (the query projected without a"
                    + " low-rank bottleneck, as in DeepSeek-V2-Lite) is not modelled");
        return new Attention.Mla(heads, positive("q_lora_rank"), positive("kv_lora_rank"), nope, rope,
                positive("v_head_dim"), indexer);
    }

    /**
     * The linear layers' format: the unquantised dtype ({@code torch_dtype}, or {@code dtype} in newer configs) must be
     * bfloat16; a {@code quantization_config} or a ModelOpt file beside the config quantises it.
     */
    private WeightFormat weights(Path quantConfig) {
        String field = root.has("torch_dtype") ? "torch_dtype" : "dtype";
        String dtype = root.path(field).asText("bfloat16");
        if (!dtype.equals("bfloat16"))
            throw unmodeled(UnmodeledException.Kind.QUANTIZATION, field, dtype + " is not modelled (bfloat16 is)");
        JsonNode q = root.get("quantization_config");
        if (q != null && !q.isNull())
            return quantization(q);
        if (quantConfig != null && Files.isRegularFile(quantConfig))
            return modelOpt(quantConfig);
        return WeightFormat.BF16;
    }

    /** The fp8 schemes; any other {@code quant_method} is named before the fields it brings. */
    private WeightFormat quantization(JsonNode q) {
        JsonNode method = q.get("quant_method");
        if (method == null || method.isNull())
            throw bad("quantization_config.quant_method", "missing");
        if (!method.asText("").equals("fp8"))
            throw unmodeled(UnmodeledException.Kind.QUANTIZATION, "quantization_config.quant_method",
                    method + " is not modelled (fp8 is)");
        for (Iterator<String> it = q.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!Set.of("quant_method", "fmt", "activation_scheme", "weight_block_size", "modules_to_not_convert")
                    .contains(field))
                throw unmodeled(UnmodeledException.Kind.QUANTIZATION, "quantization_config." + field,
                        "not modelled by gemmcost");
        }
        JsonNode block = q.get("weight_block_size");
        if (block == null || block.isNull())
            return WeightFormat.FP8;
        if (!(block.isArray() && block.size() == 2 && block.get(0).asInt() == 128 && block.get(1).asInt() == 128))
            throw unmodeled(UnmodeledException.Kind.QUANTIZATION, "quantization_config.weight_block_size",
                    "only [128, 128] is modelled, was " + block);
        return WeightFormat.FP8_BLOCK;
    }

    /** ModelOpt's {@code hf_quant_config.json}: {@code quantization.quant_algo} FP8 is per-tensor fp8. */
    private static WeightFormat modelOpt(Path quantConfig) {
        JsonNode algo = InputFiles.json(quantConfig).path("quantization").path("quant_algo");
        if (algo.asText("").equals("FP8"))
            return WeightFormat.FP8;
        throw new UnmodeledException(UnmodeledException.Kind.QUANTIZATION,
                quantConfig + ": quantization.quant_algo: " + algo + " is not modelled (FP8 is)");
    }

    /** {@link #DECODER_ONLY}'s switches, where the config gives them (null: not given), in the config's order. */
    private void requireDecoderOnly() {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode expected = DECODER_ONLY.get(field);
            JsonNode node = root.get(field);
            if (expected != null && !node.isNull() && !node.equals(expected))
                throw unmodeled(UnmodeledException.Kind.FIELD, field, "only " + expected + " is modelled, was " + node);
        }
    }

    private void requireValue(String field, Object expected) {
        JsonNode node = root.get(field);
        if (node == null)
            return;
        boolean same = expected instanceof Boolean b ? node.isBoolean() && node.asBoolean() == b
                : expected instanceof Integer i ? node.isInt() && node.asInt() == i
                : node.isTextual() && node.asText().equals(expected);
        if (!same)
            throw unmodeled(UnmodeledException.Kind.FIELD, field, "only "
                    + (expected instanceof String ? "\"" + expected + "\"" : expected) + " is modelled, was " + node);
    }

    /** A boolean field; absent or null is false. */
    private boolean bool(String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull())
            return false;
        if (!node.isBoolean())
            throw bad(field, "must be true or false, was " + node);
        return node.asBoolean();
    }

    private int positive(String field) {
        int value = integer(field);
        if (value < 1)
            throw bad(field, "must be >= 1, was " + value);
        return value;
    }

    /** The field's integer, at least 0; 0 where the config leaves it out. */
    private int atLeastZero(String field) {
        return root.has(field) ? nonNegative(field) : 0;
    }

    /** The field's integer, at least 0; refused where the config leaves it out. */
    private int nonNegative(String field) {
        int value = integer(field);
        if (value < 0)
            throw bad(field, "must be >= 0, was " + value);
        return value;
    }

    private int integer(String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull())
            throw bad(field, "missing");
        int max = MAX.getOrDefault(field, 1 << 16);
        if (!node.isIntegralNumber())
            throw bad(field, "must be an integer, was " + node);
        if (!node.isInt() && node.bigIntegerValue().signum() < 0)
            throw bad(field, "out of range, was " + node);
        if (!node.isInt() || node.asInt() > max)
            throw bad(field, "must be <= " + max + " (beyond any model gemmcost sizes), was " + node);
        return node.asInt();
    }

    private UnmodeledException unmodeled(UnmodeledException.Kind kind, String field, String what) {
        return new UnmodeledException(kind, file + ": " + prefix + field + ": " + what);
    }

    private BadInputException bad(String field, String what) {
        return new BadInputException(file + ": " + prefix + field + ": " + what);
    }
}
