package gemmcost.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.Experts;
import gemmcost.model.hf.HfConfigReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gemmcost model}: a HuggingFace config as gemmcost reads it, with its weight and KV-cache sizes. */
@Command(name = "model",
        header = "Show a HuggingFace model config as gemmcost reads it.",
        description = {"Read a HuggingFace config.json (and a ModelOpt hf_quant_config.json beside it, if any) and",
                "print the architecture gemmcost costs, its weights and the KV cache one token adds. Supported:",
                "Llama, Qwen3, Qwen3-MoE, Mixtral, MiniMax-M2, DeepSeek-V3/R1; any other architecture, and any field",
                "gemmcost does not model, is refused naming it. The sizes are modeled: counted from the config."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost model ../shared/data/model-configs/deepseek-ai--DeepSeek-R1.config.json",
                "  scripts/gemmcost model --json ../shared/data/model-configs/meta-llama--Llama-3.1-8B-Instruct.config.json"})
final class ModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CONFIG.json", description = "A HuggingFace config.json.")
    Path config;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Architecture a = HfConfigReader.read(config);
        PrintWriter out = spec.commandLine().getOut();
        if (json)
            out.println(json(a));
        else
            text(a, out);
        return Gemmcost.OK;
    }

    private void text(Architecture a, PrintWriter out) {
        out.printf(Locale.ROOT, "%s: %s, %d layers%s, hidden %d, vocab %d%s%n", config, a.name(), a.layers(),
                a.experts() == null ? "" : " (" + a.denseLayers() + " dense, " + a.moeLayers() + " MoE)", a.hidden(),
                a.vocab(), a.tiedEmbeddings() ? ", tied embeddings" : "");
        out.println("attention: " + attention(a.attention()));
        if (a.experts() != null)
            out.println("experts:   " + experts(a.experts()));
        out.println("weights:   " + a.weights().name().toLowerCase(Locale.ROOT));
        out.println("sizes (modeled: counted from the config):");
        out.printf(Locale.ROOT, "  parameters        %.2f B (%.2f B active per token)%n", a.parameters() / 1e9,
                a.activeParameters() / 1e9);
        out.printf(Locale.ROOT, "  weight bytes      %.2f GB at %d byte(s) per weight (scales and unquantised modules aside)%n",
                weightBytes(a) / 1e9, a.weights().bytesPerWeight());
        out.printf(Locale.ROOT, "  KV cache / token  %d B in bf16, %d B in fp8%n", a.kvBytesPerToken(2),
                a.kvBytesPerToken(1));
    }

    private static String attention(Attention attention) {
        return switch (attention) {
            case Attention.Gqa g -> String.format(Locale.ROOT, "GQA, %d query heads, %d KV heads of %d", g.heads(),
                    g.kvHeads(), g.headDim());
            case Attention.Mla m -> String.format(Locale.ROOT,
                    "MLA, %d heads, query rank %d, KV latent %d + rotary key %d, value head %d", m.heads(),
                    m.qLoraRank(), m.kvLoraRank(), m.qkRopeDim(), m.vHeadDim());
        };
    }

    private static String experts(Experts e) {
        return String.format(Locale.ROOT, "%d routed of %d, top-%d%s", e.experts(), e.expertIntermediate(), e.topK(),
                e.sharedIntermediate() == 0 ? "" : ", shared " + e.sharedIntermediate());
    }

    private static long weightBytes(Architecture a) {
        return a.parameters() * a.weights().bytesPerWeight();
    }

    private String json(Architecture a) {
        ObjectNode node = new ObjectMapper().createObjectNode()
                .put("config", config.toString())
                .put("architecture", a.name())
                .put("layers", a.layers())
                .put("dense_layers", a.denseLayers())
                .put("weights", a.weights().name().toLowerCase(Locale.ROOT))
                .put("parameters", a.parameters())
                .put("active_parameters", a.activeParameters())
                .put("weight_bytes", weightBytes(a))
                .put("kv_bytes_per_token_bf16", a.kvBytesPerToken(2))
                .put("kv_bytes_per_token_fp8", a.kvBytesPerToken(1))
                .put("label", "modeled");
        return node.toString();
    }
}
