package gemmcost.plan;

import gemmcost.model.Phase;

/**
 * One forward step of a serving engine: {@code sequences} sequences, each {@code tokens} long: the prompt in
 * prefill (every token computed), the KV cache each new token reads in decode (one token computed per sequence).
 * The KV cache is stored at {@code kvBytesPerElement} (2 for bf16, 1 for fp8). The busiest attention replica holds
 * {@code busiestReplicaSequences} of them in each micro-batch, or, where that is 0, its average share
 * (⌈sequences / replicas⌉ / micro-batches): a step timed by one micro-batch of whole prompts says 1.
 */
public record Step(Phase phase, int sequences, int tokens, int kvBytesPerElement, int busiestReplicaSequences) {
    public Step {
        if (phase == null)
            throw new IllegalArgumentException("phase is null");
        if (sequences < 1 || tokens < 1 || kvBytesPerElement < 1)
            throw new IllegalArgumentException("must be >= 1: sequences=" + sequences + ", tokens=" + tokens
                    + ", kvBytesPerElement=" + kvBytesPerElement);
        if (busiestReplicaSequences < 0 || busiestReplicaSequences > sequences)
            throw new IllegalArgumentException("must be 0 to sequences=" + sequences + ": busiestReplicaSequences="
                    + busiestReplicaSequences);
    }

    /** A step whose sequences are spread evenly over the replicas and micro-batches. */
    public Step(Phase phase, int sequences, int tokens, int kvBytesPerElement) {
        this(phase, sequences, tokens, kvBytesPerElement, 0);
    }

    /** Tokens computed per sequence: the whole prompt in prefill, one new token in decode. */
    public int tokensPerSequence() {
        return phase == Phase.PREFILL ? tokens : 1;
    }
}
