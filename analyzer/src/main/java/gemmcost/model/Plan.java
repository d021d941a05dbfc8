package gemmcost.model;

import java.util.List;
import java.util.Objects;

/** How a model is laid out on GPUs. */
public sealed interface Plan {
    /** Micro-batches the batch is split into (pipelining between stages or the MA groups). */
    int microBatches();

    /** How the baseline's feed-forward block is costed. */
    enum Mlp {
        /** One MLP of width expert_hidden per layer, as the seed report costs it. */
        DENSE,
        /** The model's experts, each TP-sharded, with top-k routing, as the model actually is. */
        MOE
    }

    /**
     * Megatron-style tensor parallelism within a stage (column-parallel QKV and up-projection, row-parallel output
     * and down-projection, an all-reduce after each) and pipeline stages connected by send/recv. Stage s uses
     * GPUs s·tp … s·tp + tp − 1.
     */
    record TpPp(int tp, int pp, int microBatches, Mlp mlp) implements Plan {
        public TpPp {
            Objects.requireNonNull(mlp, "mlp");
        }
    }

    /**
     * MoE-attention separation: attention GPUs each hold the listed number of heads, MoE GPUs each hold experts.
     *
     * @param imbalance tokens of the busiest expert over the mean (1 = uniform routing)
     */
    record MaSeparation(List<Integer> attentionGpus, List<Integer> heads, List<Integer> moeGpus,
                        List<Integer> experts, double imbalance, int microBatches) implements Plan {
        public MaSeparation {
            attentionGpus = List.copyOf(attentionGpus);
            heads = List.copyOf(heads);
            moeGpus = List.copyOf(moeGpus);
            experts = List.copyOf(experts);
        }
    }
}
