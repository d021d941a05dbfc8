package gemmcost.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gemmcost.deploy.Fit;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.Experts;
import gemmcost.model.hf.GatedDeltaNet;
import gemmcost.model.hf.HfConfigReader;
import gemmcost.model.hf.SlidingWindow;
import gemmcost.model.hf.WeightFormat;
import gemmcost.serving.Engine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gemmcost model}: a HuggingFace config as gemmcost reads it, with its weight and KV-cache sizes. */
@Command(name = "model",
        header = "Show a HuggingFace model config as gemmcost reads it.",
        description = {"Read a HuggingFace config.json (and a ModelOpt hf_quant_config.json beside it, if any) and",
                "print the architecture gemmcost costs, its weights and the KV cache one token adds (and the state",
                "a linear-attention model keeps per sequence). Supported: Llama, Mistral, Qwen2/2.5, Qwen3,",
                "Qwen3-MoE, Qwen3.5, Mixtral, MiniMax-M2, DeepSeek-V2/V3/R1, Kimi-K2/K2.5, GLM-4.5/4.6, GLM-5,",
                "gpt-oss; any other architecture, and any field gemmcost does not model, is refused naming it. The",
                "sizes are modeled: counted from the config.",
                "With --gpu, the weights and KV cache one GPU of the fullest pipeline stage holds, refused (exit 2)",
                "when over the 90 %% of its memory an engine gives them (vLLM's default gpu_memory_utilization)."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost model ../shared/data/model-configs/deepseek-ai--DeepSeek-R1.config.json",
                "  scripts/gemmcost model --json ../shared/data/model-configs/meta-llama--Llama-3.1-8B-Instruct.config.json",
                "  scripts/gemmcost model ../shared/data/model-configs/deepseek-ai--DeepSeek-R1.config.json --gpu h200 --tp 8"
                        + " --ep 8 --dp 8 --concurrency 256 --isl 4096 --osl 1024 --kv-dtype fp8"})
final class ModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CONFIG.json", description = "A HuggingFace config.json.")
    Path config;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--weights", paramLabel = "FORMAT", description = "The linear layers' weight format (bf16, fp8,"
            + " fp8_block), for a checkpoint whose config does not say, or says a format gemmcost does not read (mxfp4,"
            + " compressed-tensors); default: what the config says.")
    WeightFormat weights;

    @ArgGroup(exclusive = false, heading = "%nDoes it fit (with --gpu):%n")
    FitOptions fit;

    /** A layout and a workload whose weights and KV cache must fit the GPUs' memory. */
    static final class FitOptions {
        @Option(names = "--gpu", required = true, paramLabel = "DEVICE", description = "A catalog device id.")
        String gpu;

        @ArgGroup(exclusive = false)
        Options.Layout layout = new Options.Layout();

        @Option(names = "--concurrency", defaultValue = "1", description = "Sequences served at once."
                + " Default: ${DEFAULT-VALUE}.")
        int concurrency;

        @Option(names = "--isl", defaultValue = "1024", description = "Input tokens per sequence. Default: ${DEFAULT-VALUE}.")
        int isl;

        @Option(names = "--osl", defaultValue = "1024", description = "Output tokens per sequence. Default: ${DEFAULT-VALUE}.")
        int osl;

        @Option(names = "--kv-dtype", defaultValue = "bf16", paramLabel = "DTYPE", converter = Options.KvDtype.class,
                description = "KV-cache element type (bf16, fp16, fp8). Default: ${DEFAULT-VALUE}.")
        Dtype kvDtype;
    }

    @Override
    public Integer call() {
        Architecture a = HfConfigReader.read(config, weights);
        Fit placement = fit == null ? null : place(a);
        PrintWriter out = spec.commandLine().getOut();
        if (json)
            out.println(json(a, placement));
        else
            text(a, placement, out);
        return Gemmcost.OK;
    }

    /** The placement on {@code --gpu}, or a one-line refusal when the layout cannot split the model or it does not fit. */
    private Fit place(Architecture a) {
        Device device = DeviceCatalog.require(fit.gpu);
        Options.requirePositive("--concurrency", fit.concurrency);
        Options.requirePositive("--isl", fit.isl);
        Options.requirePositive("--osl", fit.osl);
        // the KV each sequence holds as predict's default engine admits it
        return Fit.check(config, a, device, fit.layout.parallelism(), fit.concurrency,
                Engine.DEFAULT.kvTokensHeld(fit.isl, fit.osl), fit.kvDtype);
    }

    private void text(Architecture a, Fit placement, PrintWriter out) {
        out.printf(Locale.ROOT, "%s: %s, %d layers%s, hidden %d, vocab %d%s%n", config, a.name(), a.layers(),
                a.experts() == null ? "" : " (" + a.denseLayers() + " dense, " + a.moeLayers() + " MoE)", a.hidden(),
                a.vocab(), a.tiedEmbeddings() ? ", tied embeddings" : "");
        int fullLayers = a.fullAttentionLayers(0, a.layers());
        out.println("attention: " + attention(a.attention()) + (a.linearAttention() == null ? ""
                : String.format(Locale.ROOT, ", in %d of %d layers", fullLayers, a.layers())) + window(a));
        if (a.linearAttention() != null)
            out.println("linear:    " + linear(a, a.layers() - fullLayers));
        if (a.experts() != null)
            out.println("experts:   " + experts(a.experts()));
        out.println("weights:   " + a.weights().id());
        if (a.contextTokens() > 0)
            out.printf(Locale.ROOT, "context:   %d tokens of prompt and output (modeled: as vLLM derives max_model_len"
                    + " from the config)%n", a.contextTokens());
        out.println("sizes (modeled: counted from the config):");
        out.printf(Locale.ROOT, "  parameters        %.2f B (%.2f B active per token)%n", a.parameters() / 1e9,
                a.activeParameters() / 1e9);
        out.printf(Locale.ROOT, "  weight bytes      %.2f GB (linear layers at %d byte(s) per weight; embeddings, LM"
                + " head, routers, norms and biases in bf16)%n", a.weightBytes() / 1e9, a.weights().bytesPerWeight());
        out.printf(Locale.ROOT, "  KV cache / token  %d B in bf16, %d B in fp8%s%n", a.kvBytesPerToken(2),
                a.kvBytesPerToken(1), a.slidingWindow() == null ? "" : String.format(Locale.ROOT,
                        " (a windowed layer's up to %d tokens)", a.slidingWindow().tokens()));
        if (a.linearAttention() != null)
            out.printf(Locale.ROOT, "  state / sequence  %d B (linear attention, whatever the length)%n",
                    a.stateBytesPerSequence());
        if (placement != null)
            out.printf(Locale.ROOT, "  fits %d x %s (%s): %s of the %.2f GB an engine uses%n",
                    placement.layout().gpus(), placement.device().id(), placement.layout(),
                    placement.describe(), placement.usableBytes() / 1e9);
        if (placement != null && beyondContext(a))
            out.printf(Locale.ROOT, "  beyond context: --isl + --osl = %d tokens, over the model's %d: engines refuse"
                    + " such requests unless the context is extended%n", (long) fit.isl + fit.osl, a.contextTokens());
    }

    /** Whether the placement's sequences are longer than the model's context (where its config gives one). */
    private boolean beyondContext(Architecture a) {
        return a.beyondContext((long) fit.isl + fit.osl);
    }

    private static String attention(Attention attention) {
        return switch (attention) {
            case Attention.Gqa g -> String.format(Locale.ROOT, "GQA, %d query heads, %d KV heads of %d%s%s%s",
                    g.heads(), g.kvHeads(), g.headDim(), g.qkvBias() ? ", QKV bias" : "",
                    g.outputGate() ? ", output gate" : "", switch (g.qkNorm()) {
                        case NONE -> "";
                        case PER_HEAD -> ", QK norm per head";
                        case PER_LAYER -> ", QK norm over the layer";
                    });
            case Attention.Mla m -> String.format(Locale.ROOT,
                    "MLA, %d heads, query rank %d, KV latent %d + rotary key %d, value head %d%s", m.heads(),
                    m.qLoraRank(), m.kvLoraRank(), m.qkRopeDim(), m.vHeadDim(), m.indexer() == null ? ""
                            : String.format(Locale.ROOT, ", sparse: an indexer of %d heads of %d picks the top %d",
                            m.indexer().heads(), m.indexer().headDim(), m.indexer().topK()));
        };
    }

    /** {@code , a sliding window of 128 tokens in 18 of 36 layers}, or nothing without one. */
    private static String window(Architecture a) {
        SlidingWindow w = a.slidingWindow();
        return w == null ? "" : String.format(Locale.ROOT, ", a sliding window of %d token%s in %d of %d layers",
                w.tokens(), w.tokens() == 1 ? "" : "s", w.layers().size(), a.layers());
    }

    private static String linear(Architecture a, int linearLayers) {
        GatedDeltaNet d = a.linearAttention();
        return String.format(Locale.ROOT, "Gated DeltaNet in %d of %d layers, %d key heads of %d, %d value heads of"
                        + " %d, convolution of %d, state in %d-byte elements",
                linearLayers, a.layers(), d.keyHeads(), d.keyDim(),
                d.valueHeads(), d.valueDim(), d.convKernel(), d.stateBytesPerElement());
    }

    private static String experts(Experts e) {
        return String.format(Locale.ROOT, "%d routed, each an MLP of width %d, top-%d%s%s", e.experts(),
                e.expertIntermediate(), e.topK(), e.sharedIntermediate() == 0 ? ""
                        : ", a shared expert of width " + e.sharedIntermediate(), e.biases() ? ", with biases" : "");
    }

    /** The attention's sizes as {@link #attention} prints them, and its kind ({@code gqa} or {@code mla}). */
    private static ObjectNode attentionJson(ObjectNode parent, Attention attention) {
        ObjectNode node = parent.objectNode();
        return switch (attention) {
            case Attention.Gqa g -> node.put("kind", "gqa").put("heads", g.heads()).put("kv_heads", g.kvHeads())
                    .put("head_dim", g.headDim()).put("qkv_bias", g.qkvBias()).put("output_gate", g.outputGate())
                    .put("qk_norm", g.qkNorm().name().toLowerCase(Locale.ROOT));
            case Attention.Mla m -> {
                node.put("kind", "mla").put("heads", m.heads()).put("q_lora_rank", m.qLoraRank())
                        .put("kv_lora_rank", m.kvLoraRank()).put("qk_nope_head_dim", m.qkNopeDim())
                        .put("qk_rope_head_dim", m.qkRopeDim()).put("v_head_dim", m.vHeadDim());
                yield node.set("indexer", m.indexer() == null ? null : node.objectNode()
                        .put("heads", m.indexer().heads()).put("head_dim", m.indexer().headDim())
                        .put("top_k", m.indexer().topK()));
            }
        };
    }

    private String json(Architecture a, Fit placement) {
        ObjectNode node = new ObjectMapper().createObjectNode()
                .put("config", config.toString())
                .put("architecture", a.name())
                .put("layers", a.layers())
                .put("dense_layers", a.denseLayers());
        ObjectNode attention = attentionJson(node, a.attention());
        SlidingWindow w = a.slidingWindow();
        attention.set("sliding_window", w == null ? null : node.objectNode().put("tokens", w.tokens())
                .set("layers", node.arrayNode().addAll(w.sorted().stream().map(IntNode::valueOf).toList())));
        node.set("attention", attention);
        node.set("experts", a.experts() == null ? null : node.objectNode().put("routed", a.experts().experts())
                .put("width", a.experts().expertIntermediate()).put("top_k", a.experts().topK())
                .put("shared_width", a.experts().sharedIntermediate()).put("biases", a.experts().biases()));
        node.put("weights", a.weights().id())
                .put("context_tokens", a.contextTokens() > 0 ? a.contextTokens() : null)
                .put("parameters", a.parameters())
                .put("active_parameters", a.activeParameters())
                .put("weight_bytes", a.weightBytes())
                .put("kv_bytes_per_token_bf16", a.kvBytesPerToken(2))
                .put("kv_bytes_per_token_fp8", a.kvBytesPerToken(1))
                .put("state_bytes_per_sequence", a.stateBytesPerSequence())
                .put("label", "modeled");
        if (placement != null)
            node.put("weight_bytes_per_gpu", placement.footprint().weightBytes())
                    .put("kv_bytes_per_gpu", placement.footprint().kvBytes())
                    .put("state_bytes_per_gpu", placement.footprint().stateBytes())
                    .put("usable_bytes_per_gpu", placement.usableBytes())
                    .put("beyond_context", beyondContext(a));
        return node.toString();
    }
}
