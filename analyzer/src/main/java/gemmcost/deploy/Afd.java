package gemmcost.deploy;

import gemmcost.Limits;
import gemmcost.model.hf.Architecture;

/**
 * Attention–FFN disaggregation, as MegaScale-Infer and Step-3 run it: {@code attentionGpus} GPUs hold attention,
 * dense MLPs, shared experts, embeddings and the LM head, as replicas tensor-parallel over {@code attentionTp} GPUs
 * each serving its share of the sequences; {@code ffnGpus} other GPUs hold the routed experts, expert-parallel.
 * Every MoE layer dispatches tokens from the attention group to the experts (M-to-N) and combines them back, and
 * {@code microBatches} micro-batches ping-pong between the two groups so that each computes while the other does.
 */
public record Afd(int attentionGpus, int attentionTp, int ffnGpus, int microBatches) implements Layout {
    public Afd {
        if (attentionGpus < 1 || attentionTp < 1 || ffnGpus < 1 || microBatches < 1)
            throw new IllegalArgumentException("must all be >= 1: attention GPUs=" + attentionGpus + ", attention tp="
                    + attentionTp + ", FFN GPUs=" + ffnGpus + ", micro-batches=" + microBatches);
        if ((long) attentionGpus + ffnGpus > Limits.MAX_GPUS)
            throw new IllegalArgumentException("attention and FFN GPUs must be at most " + Limits.MAX_GPUS + " in all:"
                    + " attention GPUs=" + attentionGpus + ", FFN GPUs=" + ffnGpus);
        if (attentionGpus % attentionTp != 0)
            throw new IllegalArgumentException("the attention tp must divide the attention GPUs: attention GPUs="
                    + attentionGpus + ", tp=" + attentionTp);
    }

    @Override
    public int gpus() {
        return attentionGpus + ffnGpus;
    }

    @Override
    public int attentionReplicas() {
        return attentionGpus / attentionTp;
    }

    @Override
    public String misfit(Architecture model) {
        if (model.experts() == null)
            return "AFD separates experts from attention, and " + model.name() + " has no experts";
        if (model.experts().experts() % ffnGpus != 0)
            return "the " + ffnGpus + " FFN GPUs do not divide the " + model.experts().experts() + " experts";
        String widths = Layout.widthMisfit(model, attentionTp, 1);
        if (widths == null)
            widths = Layout.headMisfit(model, attentionTp, "tp");
        return widths != null ? widths : Layout.blockMisfit(model, attentionTp, 1);
    }

    @Override
    public String toString() {
        return "AFD " + attentionGpus + " attention GPUs (tp=" + attentionTp + ") : " + ffnGpus + " FFN GPUs, "
                + microBatches + " micro-batches";
    }
}
