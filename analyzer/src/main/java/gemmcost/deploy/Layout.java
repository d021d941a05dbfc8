package gemmcost.deploy;

import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.WeightFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** How a model's layers are placed on GPUs: attention and FFN on the same GPUs, or on separate groups (AFD). */
public sealed interface Layout permits Parallelism, Afd {
    int gpus();

    /** Micro-batches a step's batch is split into: what keeps pipeline stages or the AFD groups busy. */
    int microBatches();

    /** Why {@code model} cannot be laid out this way, or {@code null} when it can. */
    String misfit(Architecture model);

    /** GPUs one attention replica's heads (and its dense MLPs) are split over. */
    int attentionTp();

    /** Attention replicas, each serving its share of the sequences. */
    int attentionReplicas();

    /**
     * Why the MLP widths of {@code model} cannot be split: dense MLPs and shared experts over {@code attentionTp}
     * GPUs, each routed expert over {@code expertTp}; or {@code null}.
     */
    static String widthMisfit(Architecture model, int attentionTp, int expertTp) {
        if (model.denseLayers() > 0 && model.denseIntermediate() % attentionTp != 0)
            return attentionTp + " GPUs per attention replica do not divide the dense MLP's width "
                    + model.denseIntermediate();
        if (model.experts() == null)
            return null;
        if (model.experts().sharedIntermediate() % attentionTp != 0)
            return attentionTp + " GPUs per attention replica do not divide the shared expert's width "
                    + model.experts().sharedIntermediate();
        if (model.experts().expertIntermediate() % expertTp != 0)
            return expertTp + " GPUs per expert do not divide the expert width " + model.experts().expertIntermediate();
        return null;
    }

    /**
     * Why a split of {@code model}'s fp8_block weights would cut their 128 × 128 scale blocks, which no engine loads
     * (vLLM and SGLang refuse a tensor-parallel slice that is no multiple of the block at load, TensorRT-LLM's
     * block-scale kernels take whole blocks): the attention projections' per-GPU widths over {@code attentionTp} GPUs,
     * the dense MLPs' and shared experts' too, and each routed expert's over {@code expertTp}; or {@code null}.
     */
    static String blockMisfit(Architecture model, int attentionTp, int expertTp) {
        if (model.weights() != WeightFormat.FP8_BLOCK)
            return null;
        List<String> cuts = new ArrayList<>();
        if (model.attention() instanceof Attention.Gqa g) {
            cuts.add(cutOf("the query heads' width " + (long) g.heads() * g.queryWidthPerHead(), attentionTp,
                    (long) g.heads() / attentionTp * g.queryWidthPerHead()));
            cuts.add(cutOf("the KV heads' width " + (long) g.kvHeads() * g.headDim(), attentionTp,
                    g.kvHeadsPerGpu(attentionTp) * g.headDim()));
        }
        if (model.denseLayers() > 0)
            cuts.add(cut("the dense MLP's width", model.denseIntermediate(), attentionTp));
        if (model.experts() != null) {
            cuts.add(cut("the shared expert's width", model.experts().sharedIntermediate(), attentionTp));
            cuts.add(cut("the expert width", model.experts().expertIntermediate(), expertTp));
        }
        return cuts.stream().filter(Objects::nonNull).findFirst().orElse(null);
    }

    private static String cut(String what, int width, int tp) {
        return width == 0 ? null : cutOf(what + " " + width, tp, width / tp);
    }

    private static String cutOf(String what, int tp, long perGpu) {
        if (tp == 1 || perGpu % WeightFormat.BLOCK_EDGE == 0)
            return null;
        return tp + " GPUs split " + what + " into " + perGpu + " a GPU, not whole " + WeightFormat.BLOCK_EDGE + "-wide"
                + " blocks of its fp8_block scales, which the engines refuse to load";
    }

    /** Why {@code tp} cannot split the heads of {@code model}, or {@code null}. */
    static String headMisfit(Architecture model, int tp, String name) {
        if (model.attention().heads() % tp != 0)
            return name + "=" + tp + " does not divide the " + model.attention().heads() + " attention heads";
        if (model.attention() instanceof Attention.Gqa g && g.kvHeads() % tp != 0
                && tp % g.kvHeads() != 0)
            return name + "=" + tp + " and the " + g.kvHeads() + " KV heads do not divide one another";
        if (model.linearAttention() != null && model.linearAttention().keyHeads() % tp != 0)
            return name + "=" + tp + " does not divide the " + model.linearAttention().keyHeads()
                    + " linear-attention key heads";
        return null;
    }
}
