package gemmcost.deploy;

import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;

/**
 * How a model is laid over {@code tp × pp} GPUs, as SGLang and TensorRT-LLM run it: {@code pp} pipeline stages of
 * {@code tp} GPUs; in each stage attention is {@code dp} replicas, each tensor-parallel over {@code tp / dp} GPUs and
 * serving its share of the batch, and the experts are expert-parallel over {@code ep} groups, each expert
 * tensor-parallel over {@code tp / ep} GPUs. Dense MLPs, embeddings and the LM head are tensor-parallel over
 * {@code tp}.
 */
public record Parallelism(int tp, int pp, int ep, int dp) {
    public Parallelism {
        if (tp < 1 || pp < 1 || ep < 1 || dp < 1)
            throw new IllegalArgumentException("must all be >= 1: tp=" + tp + ", pp=" + pp + ", ep=" + ep + ", dp=" + dp);
        if (tp % ep != 0)
            throw new IllegalArgumentException("ep must divide tp (experts are spread over the tp GPUs of a stage):"
                    + " tp=" + tp + ", ep=" + ep);
        if (tp % dp != 0)
            throw new IllegalArgumentException("dp must divide tp (attention replicas share the tp GPUs of a stage):"
                    + " tp=" + tp + ", dp=" + dp);
    }

    public int gpus() {
        return tp * pp;
    }

    /** GPUs one attention replica's heads are split over. */
    public int attentionTp() {
        return tp / dp;
    }

    /** Why {@code model} cannot be laid out this way, or {@code null} when it can. */
    public String misfit(Architecture model) {
        int attentionTp = attentionTp();
        if (model.attention().heads() % attentionTp != 0)
            return "tp/dp=" + attentionTp + " does not divide the " + model.attention().heads() + " attention heads";
        if (model.attention() instanceof Attention.Gqa g && g.kvHeads() % attentionTp != 0
                && attentionTp % g.kvHeads() != 0)
            return "tp/dp=" + attentionTp + " and the " + g.kvHeads() + " KV heads do not divide one another";
        if (model.experts() != null && model.experts().experts() % ep != 0)
            return "ep=" + ep + " does not divide the " + model.experts().experts() + " experts";
        if (pp > model.layers())
            return "pp=" + pp + " is more stages than the " + model.layers() + " layers";
        return null;
    }

    @Override
    public String toString() {
        return "tp=" + tp + ", pp=" + pp + ", ep=" + ep + ", dp=" + dp;
    }
}
