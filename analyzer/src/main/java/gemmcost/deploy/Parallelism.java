package gemmcost.deploy;

import gemmcost.Limits;
import gemmcost.model.hf.Architecture;

/**
 * How a model is laid over {@code tp × pp} GPUs, as SGLang and TensorRT-LLM run it: {@code pp} pipeline stages of
 * {@code tp} GPUs; in each stage attention is {@code dp} replicas, each tensor-parallel over {@code tp / dp} GPUs and
 * serving its share of the batch, and the experts are expert-parallel over {@code ep} groups, each expert
 * tensor-parallel over {@code tp / ep} GPUs. Dense MLPs, shared experts, embeddings and the LM head go with attention:
 * each replica runs them on its own tokens, tensor-parallel over its {@code tp / dp} GPUs, as TensorRT-LLM's attention
 * data parallelism runs its dense MLPs; SGLang by default keeps them tensor-parallel over {@code tp} and gathers the
 * tokens, which is not modeled.
 */
public record Parallelism(int tp, int pp, int ep, int dp) implements Layout {
    public Parallelism {
        if (tp < 1 || pp < 1 || ep < 1 || dp < 1)
            throw new IllegalArgumentException("must all be >= 1: tp=" + tp + ", pp=" + pp + ", ep=" + ep + ", dp=" + dp);
        if (tp % ep != 0)
            throw new IllegalArgumentException("ep must divide tp (experts are spread over the tp GPUs of a stage):"
                    + " tp=" + tp + ", ep=" + ep);
        if ((long) tp * pp > Limits.MAX_GPUS)
            throw new IllegalArgumentException("tp x pp must be at most " + Limits.MAX_GPUS + " GPUs: tp=" + tp
                    + ", pp=" + pp);
        if (tp % dp != 0)
            throw new IllegalArgumentException("dp must divide tp (attention replicas share the tp GPUs of a stage):"
                    + " tp=" + tp + ", dp=" + dp);
    }

    @Override
    public int gpus() {
        return tp * pp;
    }

    @Override
    public int microBatches() {
        return pp;
    }

    @Override
    public int attentionTp() {
        return tp / dp;
    }

    @Override
    public int attentionReplicas() {
        return dp;
    }

    @Override
    public String misfit(Architecture model) {
        String heads = Layout.headMisfit(model, attentionTp(), "tp/dp");
        if (heads != null)
            return heads;
        String widths = Layout.widthMisfit(model, attentionTp(), tp / ep);
        if (widths == null)
            widths = Layout.blockMisfit(model, attentionTp(), tp / ep);
        if (widths != null)
            return widths;
        if (model.experts() == null && ep > 1)
            return "ep=" + ep + " spreads experts, and " + model.name() + " has none";
        if (model.experts() != null && model.experts().experts() % ep != 0)
            return "ep=" + ep + " does not divide the " + model.experts().experts() + " experts";
        if (pp > model.layers())
            return "pp=" + pp + " is more stages than the " + model.layers() + " layers";
        return null;
    }

    /** The first of {@code layers} layers in {@code stage}: split as evenly as can be, earlier stages taking one more. */
    public int firstLayer(int layers, int stage) {
        int base = layers / pp;
        int extra = layers % pp;
        return stage * base + Math.min(stage, extra);
    }

    @Override
    public String toString() {
        return "tp=" + tp + ", pp=" + pp + ", ep=" + ep + ", dp=" + dp;
    }
}
