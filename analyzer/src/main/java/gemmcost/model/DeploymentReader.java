package gemmcost.model;

import com.fasterxml.jackson.databind.JsonNode;
import gemmcost.BadInputException;
import gemmcost.InputFiles;
import gemmcost.Limits;
import gemmcost.comm.Collective;
import gemmcost.comm.LinkTier;
import gemmcost.comm.Network;
import gemmcost.device.Dtype;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a deployment config (JSON; format in the README and {@code examples/}). Every refusal is one line naming
 * the file, the JSON path and the value: {@code cfg.json: $.plan.tp: 3 does not divide model.heads = 32}.
 */
public final class DeploymentReader {
    private final String file;

    private DeploymentReader(String file) {
        this.file = file;
    }

    /** The format these configs are written in; a config may leave the key out. */
    static final String SCHEMA = "gemmcost.deployment/1";

    public static Deployment read(Path path) {
        return new DeploymentReader(path.toString()).deployment(InputFiles.json(path));
    }

    private Deployment deployment(JsonNode root) {
        object(root, "$", "schema", "name", "gpus", "phase", "model", "plan", "network");
        String schema = text(root, "$", "schema", SCHEMA);
        if (!schema.equals(SCHEMA))
            throw bad("$.schema", schema + ": this gemmcost reads " + SCHEMA + " (or a config without the key)");
        int gpus = atMost(root, "$", "gpus", Limits.MAX_GPUS);
        ModelSpec model = model(require(root, "$", "model"));
        Workload workload = workload(require(root, "$", "model"));
        Plan plan = plan(require(root, "$", "plan"), model, gpus);
        divides(plan.microBatches(), "$.plan.micro_batches", workload.batch(), "model.batch");
        Phase phase = phase(text(root, "$", "phase", "decode"), "$.phase");
        Network network = network(root.get("network"));
        return new Deployment(text(root, "$", "name", file), gpus, model, workload, plan, phase, network);
    }

    /** The config keeps the workload beside the architecture, in {@code model} (so the seed's configs stay valid). */
    private Workload workload(JsonNode m) {
        return new Workload(positive(m, "$.model", "batch"), positive(m, "$.model", "seq_len"));
    }

    private ModelSpec model(JsonNode m) {
        String at = "$.model";
        object(m, at, "layers", "hidden", "heads", "head_dim", "seq_len", "batch", "vocab", "experts",
                "expert_hidden", "top_k", "dtype", "activation");
        int experts = positive(m, at, "experts");
        int topK = positive(m, at, "top_k");
        if (topK > experts)
            throw bad(at + ".top_k", topK + " is more than model.experts = " + experts);
        String activationText = text(m, at, "activation", "gelu");
        Activation activation = Activation.parse(activationText).orElseThrow(
                () -> bad(at + ".activation", activationText + ": must be gelu or swiglu"));
        Dtype dtype = Dtype.parse(text(m, at, "dtype", "bf16"))
                .orElseThrow(() -> bad(at + ".dtype", m.get("dtype").asText() + ": unknown dtype"));
        return new ModelSpec(atMost(m, at, "layers", MAX_LAYERS), positive(m, at, "hidden"), positive(m, at, "heads"),
                positive(m, at, "head_dim"), positive(m, at, "vocab"), experts, positive(m, at, "expert_hidden"), topK,
                dtype, activation);
    }

    private Plan plan(JsonNode p, ModelSpec model, int gpus) {
        String kind = text(p, "$.plan", "kind", null);
        return switch (kind) {
            case "tp_pp" -> tpPp(p, model, gpus);
            case "ma_separation" -> maSeparation(p, model, gpus);
            case null -> throw bad("$.plan.kind", "missing (tp_pp or ma_separation)");
            default -> throw bad("$.plan.kind", kind + ": unknown plan (tp_pp or ma_separation)");
        };
    }

    private Plan tpPp(JsonNode p, ModelSpec model, int gpus) {
        String at = "$.plan";
        object(p, at, "kind", "tp", "pp", "micro_batches", "mlp");
        int tp = positive(p, at, "tp");
        int pp = positive(p, at, "pp");
        int micro = microBatches(p);
        divides(tp, "$.plan.tp", model.heads(), "model.heads");
        divides(pp, "$.plan.pp", model.layers(), "model.layers");
        divides(tp, "$.plan.tp", model.expertHidden(), "model.expert_hidden");
        if ((long) tp * pp > gpus)
            throw bad(at, "tp × pp = " + tp + " × " + pp + " = " + tp * pp + " GPUs, more than gpus = " + gpus);
        String mlp = text(p, at, "mlp", "dense");
        Plan.Mlp kind = switch (mlp) {
            case "dense" -> Plan.Mlp.DENSE;
            case "moe" -> Plan.Mlp.MOE;
            default -> throw bad(at + ".mlp", mlp + ": must be dense (as the seed costs it) or moe (as the model is)");
        };
        return new Plan.TpPp(tp, pp, micro, kind);
    }

    private Plan maSeparation(JsonNode p, ModelSpec model, int gpus) {
        String at = "$.plan";
        object(p, at, "kind", "attention", "moe", "imbalance", "micro_batches");
        JsonNode attention = require(p, at, "attention");
        JsonNode moe = require(p, at, "moe");
        object(attention, at + ".attention", "gpus", "heads");
        object(moe, at + ".moe", "gpus", "experts");
        List<Integer> attentionGpus = ints(attention, at + ".attention", "gpus");
        List<Integer> heads = ints(attention, at + ".attention", "heads");
        List<Integer> moeGpus = ints(moe, at + ".moe", "gpus");
        List<Integer> experts = ints(moe, at + ".moe", "experts");
        sameLength(attentionGpus, heads, at + ".attention");
        sameLength(moeGpus, experts, at + ".moe");
        sums(heads, at + ".attention.heads", model.heads(), "model.heads");
        sums(experts, at + ".moe.experts", model.experts(), "model.experts");
        Set<Integer> seen = new HashSet<>();
        List<Integer> all = new ArrayList<>(attentionGpus);
        all.addAll(moeGpus);
        for (int g : all) {
            if (g >= gpus)
                throw bad(at, "GPU " + g + " does not exist: gpus = " + gpus + " (GPUs are 0 … " + (gpus - 1) + ")");
            if (!seen.add(g))
                throw bad(at, "GPU " + g + " is listed twice");
        }
        double imbalance = 1.0;
        if (p.has("imbalance")) {
            JsonNode value = p.get("imbalance");
            imbalance = value.asDouble();
            if (!value.isNumber() || !(imbalance >= 1) || Double.isInfinite(imbalance))
                throw bad(at + ".imbalance", value + ": must be a number >= 1 (busiest expert's tokens over the mean)");
        }
        return new Plan.MaSeparation(attentionGpus, heads, moeGpus, experts, imbalance, microBatches(p));
    }

    private int microBatches(JsonNode p) {
        return p.has("micro_batches") ? atMost(p, "$.plan", "micro_batches", MAX_MICRO_BATCHES) : 1;
    }

    private Network network(JsonNode n) {
        Network defaults = Network.h100Default();
        if (n == null)
            return defaults;
        object(n, "$.network", "gpus_per_node", "intra_node", "inter_node");
        int perNode = n.has("gpus_per_node") ? positive(n, "$.network", "gpus_per_node") : defaults.gpusPerNode();
        return new Network(perNode, tier(n.get("intra_node"), "$.network.intra_node", defaults.intraNode()),
                tier(n.get("inter_node"), "$.network.inter_node", defaults.interNode()));
    }

    private LinkTier tier(JsonNode t, String at, LinkTier defaults) {
        if (t == null)
            return defaults;
        object(t, at, "name", "base_latency_us", "hop_latency_us", "busbw_gb_per_s");
        Map<Collective, Double> busbw = new EnumMap<>(defaults.busBandwidthBytesPerSec());
        JsonNode bw = t.get("busbw_gb_per_s");
        if (bw != null) {
            object(bw, at + ".busbw_gb_per_s", java.util.Arrays.stream(Collective.values()).map(Collective::id)
                    .toArray(String[]::new));
            for (Collective c : Collective.values())
                if (bw.has(c.id()))
                    busbw.put(c, positiveNumber(bw, at + ".busbw_gb_per_s", c.id()) * 1e9);
        }
        return new LinkTier(text(t, at, "name", defaults.name()),
                t.has("base_latency_us") ? latency(t, at, "base_latency_us") : defaults.baseLatencyUs(),
                t.has("hop_latency_us") ? latency(t, at, "hop_latency_us") : defaults.hopLatencyUs(), busbw);
    }

    /**
     * A link's latency is microseconds: over a second it is no link's (a unit mistake), and a DAG's times built on
     * it would overflow far from the field that caused it.
     */
    static final double MOST_LATENCY_US = 1e6;

    private double latency(JsonNode t, String at, String key) {
        double us = number(t, at, key);
        if (us > MOST_LATENCY_US)
            throw bad(at + "." + key, t.get(key) + ": over 1 s (1000000 us), no link's latency (a unit mistake?)");
        return us;
    }

    private Phase phase(String text, String at) {
        return Phase.parse(text).orElseThrow(() -> bad(at, text + ": must be prefill or decode"));
    }

    private void object(JsonNode node, String at, String... known) {
        if (node == null || !node.isObject())
            throw bad(at, "must be an object" + (known.length == 0 ? "" : " (keys: " + String.join(", ", known) + ")"));
        List<String> keys = List.of(known);
        node.fieldNames().forEachRemaining(key -> {
            if (!keys.contains(key))
                throw bad(at + "." + key, "unknown key (known: " + String.join(", ", keys) + ")");
        });
    }

    private JsonNode require(JsonNode node, String at, String key) {
        JsonNode value = node.get(key);
        if (value == null)
            throw bad(at + "." + key, "missing");
        return value;
    }

    /** Far beyond any model (the deepest public LLMs have about 160 layers); a plan's DAG grows with it. */
    static final int MAX_LAYERS = 1024;
    /** Pipelines run a few micro-batches per stage; thousands only multiply the DAG. */
    static final int MAX_MICRO_BATCHES = 1024;

    /** An integer from 1 to {@code max}, or one line giving that range. */
    private int atMost(JsonNode node, String at, String key, int max) {
        JsonNode value = require(node, at, key);
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() <= 0)
            throw bad(at + "." + key, value + ": must be an integer from 1 to " + max);
        if (value.intValue() > max)
            throw bad(at + "." + key, value + ": at most " + max);
        return value.intValue();
    }

    private int positive(JsonNode node, String at, String key) {
        return atMost(node, at, key, Integer.MAX_VALUE);
    }

    private double number(JsonNode node, String at, String key) {
        return finite(node, at, key, false);
    }

    private double positiveNumber(JsonNode node, String at, String key) {
        return finite(node, at, key, true);
    }

    /** A finite number at least 0, or above 0 where {@code positive}: one message for every value outside that. */
    private double finite(JsonNode node, String at, String key, boolean positive) {
        JsonNode value = require(node, at, key);
        double v = value.doubleValue();
        if (!value.isNumber() || Double.isNaN(v) || Double.isInfinite(v) || v < 0 || positive && v == 0)
            throw bad(at + "." + key, value + (positive ? ": must be a number > 0" : ": must be a number >= 0"));
        return v;
    }

    private String text(JsonNode node, String at, String key, String fallback) {
        JsonNode value = node.get(key);
        if (value == null)
            return fallback;
        if (!value.isTextual())
            throw bad(at + "." + key, value + ": must be a string");
        return value.textValue();
    }

    private List<Integer> ints(JsonNode node, String at, String key) {
        JsonNode value = require(node, at, key);
        if (!value.isArray() || value.isEmpty())
            throw bad(at + "." + key, value + ": must be a non-empty array of integers");
        List<Integer> list = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToInt() || item.intValue() < 0)
                throw bad(at + "." + key + "[" + i + "]", item + ": must be an integer >= 0");
            list.add(item.intValue());
        }
        return list;
    }

    private void divides(int divisor, String at, int value, String what) {
        if (value % divisor != 0)
            throw bad(at, divisor + " does not divide " + what + " = " + value);
    }

    private void sums(List<Integer> parts, String at, int total, String what) {
        long sum = parts.stream().mapToLong(Integer::longValue).sum(); // ints could wrap back to the total
        if (sum != total)
            throw bad(at, parts + " sum to " + sum + ", but " + what + " = " + total);
        if (parts.contains(0))
            throw bad(at, parts + ": every GPU of the group needs at least one");
    }

    private void sameLength(List<Integer> gpus, List<Integer> counts, String at) {
        if (gpus.size() != counts.size())
            throw bad(at, gpus.size() + " gpus but " + counts.size() + " counts: one count per GPU");
    }

    private BadInputException bad(String at, String what) {
        return new BadInputException(file + ": " + at + ": " + what);
    }
}
