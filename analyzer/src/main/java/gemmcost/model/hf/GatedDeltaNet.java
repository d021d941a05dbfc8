package gemmcost.model.hf;

/**
 * Linear attention as Qwen3.5 runs it (Gated DeltaNet): {@code keyHeads} query and key heads of {@code keyDim},
 * {@code valueHeads} value heads of {@code valueDim} (each key head serves valueHeads / keyHeads of them), a causal
 * convolution of {@code convKernel} taps over q, k and v, and instead of a KV cache that grows with the tokens a
 * fixed recurrent state per sequence: keyDim × valueDim elements of {@code stateBytesPerElement} per value head, plus
 * the convolution's last convKernel − 1 inputs.
 */
public record GatedDeltaNet(int keyHeads, int valueHeads, int keyDim, int valueDim, int convKernel,
                            int stateBytesPerElement) {
    /** The convolution's state holds activations, bf16 in every engine. */
    public static final int CONV_STATE_BYTES = 2;

    public GatedDeltaNet {
        if (keyHeads < 1 || valueHeads < 1 || keyDim < 1 || valueDim < 1 || convKernel < 1
                || valueHeads % keyHeads != 0 || (stateBytesPerElement != 2 && stateBytesPerElement != 4))
            throw new IllegalArgumentException("must be >= 1 with key heads dividing value heads and a 2- or 4-byte"
                    + " state: keyHeads=" + keyHeads + ", valueHeads=" + valueHeads + ", keyDim=" + keyDim
                    + ", valueDim=" + valueDim + ", convKernel=" + convKernel + ", stateBytesPerElement="
                    + stateBytesPerElement);
    }

    /** q, k and v side by side: the channels the convolution runs over. */
    public long convChannels() {
        return 2L * keyHeads * keyDim + (long) valueHeads * valueDim;
    }

    /** The input projections' width: q, k, v and the output gate z (in_proj_qkvz), each head's β and decay (ba). */
    public long inputWidth() {
        return convChannels() + (long) valueHeads * valueDim + 2L * valueHeads;
    }

    /** The output projection's input: every value head. */
    public long valueWidth() {
        return (long) valueHeads * valueDim;
    }

    /**
     * Weights of one layer (projections, convolution, per-head decay and time step, the gated norm): one GPU's share
     * when the heads are split over {@code tp} GPUs (the norm, over one head's width, on each).
     */
    public long parametersPerGpu(long hidden, int tp) {
        long split = hidden * inputWidth() + convChannels() * convKernel + 2L * valueHeads + valueWidth() * hidden;
        return split / tp + valueDim;
    }

    /** Bytes one sequence's state takes in one layer on one of {@code tp} GPUs (heads split). */
    public long stateBytesPerSequencePerGpu(int tp) {
        return recurrentStateBytesPerGpu(tp) + convStateBytesPerGpu(tp);
    }

    /** The convolution's part of that: its last convKernel − 1 inputs of the GPU's channels. */
    public long convStateBytesPerGpu(int tp) {
        return (convKernel - 1L) * convChannels() / tp * CONV_STATE_BYTES;
    }

    /** The delta rule's part of that: keyDim × valueDim elements for each of the GPU's value heads. */
    public long recurrentStateBytesPerGpu(int tp) {
        return (long) valueHeads / tp * keyDim * valueDim * stateBytesPerElement;
    }
}
