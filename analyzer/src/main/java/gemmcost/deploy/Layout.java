package gemmcost.deploy;

import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;

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

    /** Why {@code tp} cannot split the heads of {@code model}, or {@code null}. */
    static String headMisfit(Architecture model, int tp, String name) {
        if (model.attention().heads() % tp != 0)
            return name + "=" + tp + " does not divide the " + model.attention().heads() + " attention heads";
        if (model.attention() instanceof Attention.Gqa g && g.kvHeads() % tp != 0
                && tp % g.kvHeads() != 0)
            return name + "=" + tp + " and the " + g.kvHeads() + " KV heads do not divide one another";
        return null;
    }
}
