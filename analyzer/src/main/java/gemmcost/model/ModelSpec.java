package gemmcost.model;

import gemmcost.device.Dtype;
import java.util.Objects;

/**
 * A transformer with MoE feed-forward blocks. {@code seqLen} is the prompt length in prefill and the KV-cache
 * length read by each decode step.
 *
 * @param expertHidden hidden size of one expert, and of the dense MLP when a plan costs the MLP dense
 * @param activation   GELU (up, activation, down) or SwiGLU (gate and up fused: n = 2·expertHidden)
 */
public record ModelSpec(int layers, int hidden, int heads, int headDim, int seqLen, int batch, int vocab,
                        int experts, int expertHidden, int topK, Dtype dtype, Activation activation) {
    public ModelSpec {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(activation, "activation");
        if (topK > experts)
            throw new IllegalArgumentException("top_k: " + topK + " is more than experts=" + experts);
    }

    public ModelSpec withBatch(int sequences) {
        return new ModelSpec(layers, hidden, heads, headDim, seqLen, sequences, vocab, experts, expertHidden, topK,
                dtype, activation);
    }

    public ModelSpec withSeqLen(int tokens) {
        return new ModelSpec(layers, hidden, heads, headDim, tokens, batch, vocab, experts, expertHidden, topK,
                dtype, activation);
    }

    /** Bytes of one activation or weight element. */
    public int elementBytes() {
        return dtype.elementBytes();
    }

    /** Width of the first expert GEMM: gate and up fused for SwiGLU. */
    public int upWidth(int expertHiddenShard) {
        return activation == Activation.SWIGLU ? 2 * expertHiddenShard : expertHiddenShard;
    }
}
