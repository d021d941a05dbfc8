package gemmcost.plan;

import gemmcost.model.Phase;

/**
 * One forward step of a serving engine: {@code sequences} sequences, each {@code tokens} long: the prompt in
 * prefill (every token computed), the KV cache each new token reads in decode (one token computed per sequence).
 * The KV cache is stored at {@code kvBytesPerElement} (2 for bf16, 1 for fp8). The busiest attention replica holds
 * {@code busiestReplicaSequences} of them in each micro-batch, or, where that is 0, its average share
 * (⌈sequences / replicas⌉ / micro-batches): a step timed by one micro-batch of whole prompts says 1. A decode step
 * whose {@code tokens} is a mean over a request's decode steps gives the first of them ({@code firstTokens}, the
 * prompt's; 0: every step reads {@code tokens}): its steps read evenly spread lengths from there.
 */
public record Step(Phase phase, int sequences, int tokens, int kvBytesPerElement, int busiestReplicaSequences,
                   int firstTokens) {
    public Step {
        if (phase == null)
            throw new IllegalArgumentException("phase is null");
        if (sequences < 1 || tokens < 1 || kvBytesPerElement < 1)
            throw new IllegalArgumentException("must be >= 1: sequences=" + sequences + ", tokens=" + tokens
                    + ", kvBytesPerElement=" + kvBytesPerElement);
        if (busiestReplicaSequences < 0 || busiestReplicaSequences > sequences)
            throw new IllegalArgumentException("must be 0 to sequences=" + sequences + ": busiestReplicaSequences="
                    + busiestReplicaSequences);
        if (firstTokens < 0 || firstTokens > tokens || firstTokens > 0 && phase != Phase.DECODE)
            throw new IllegalArgumentException("must be 0, or 1 to tokens=" + tokens + " in decode: firstTokens="
                    + firstTokens);
    }

    /** A step whose sequences all read {@code tokens}. */
    public Step(Phase phase, int sequences, int tokens, int kvBytesPerElement, int busiestReplicaSequences) {
        this(phase, sequences, tokens, kvBytesPerElement, busiestReplicaSequences, 0);
    }

    /** A step whose sequences are spread evenly over the replicas and micro-batches. */
    public Step(Phase phase, int sequences, int tokens, int kvBytesPerElement) {
        this(phase, sequences, tokens, kvBytesPerElement, 0);
    }

    /**
     * The tokens a decode step's sequence attends to where it attends to at most {@code window} (a sliding window,
     * sparse attention's top-k): with {@link #firstTokens}, the mean of min(t, window) over lengths t spread evenly
     * from it to 2 · tokens − firstTokens, which is less than min(tokens, window) where the window lies in between.
     */
    public double attended(long window) {
        double a = firstTokens;
        double b = 2.0 * tokens - firstTokens;
        if (firstTokens == 0 || firstTokens == tokens || window <= a || window >= b)
            return Math.min(tokens, window);
        double w = window;
        return ((w * w - a * a) / 2 + w * (b - w)) / (b - a);
    }

    /** Tokens computed per sequence: the whole prompt in prefill, one new token in decode. */
    public int tokensPerSequence() {
        return phase == Phase.PREFILL ? tokens : 1;
    }
}
