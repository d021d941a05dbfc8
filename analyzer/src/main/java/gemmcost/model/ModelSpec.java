package gemmcost.model;

import gemmcost.device.Dtype;
import java.util.Objects;

/**
 * A transformer's architecture, with MoE feed-forward blocks; what it serves (batch, sequence lengths) is the
 * {@link Workload}.
 *
 * @param expertHidden hidden size of one expert, and of the dense MLP when a plan costs the MLP dense
 * @param activation   GELU (up, activation, down) or SwiGLU (gate and up fused: n = 2·expertHidden)
 */
public record ModelSpec(int layers, int hidden, int heads, int headDim, int vocab, int experts, int expertHidden,
                        int topK, Dtype dtype, Activation activation) {
    public ModelSpec {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(activation, "activation");
        if (topK > experts)
            throw new IllegalArgumentException("top_k: " + topK + " is more than experts=" + experts);
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
