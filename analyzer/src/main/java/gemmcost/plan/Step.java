package gemmcost.plan;

import gemmcost.model.Phase;

/**
 * One forward step of a serving engine: {@code sequences} sequences, each {@code tokens} long: the prompt in
 * prefill (every token computed), the KV cache each new token reads in decode (one token computed per sequence).
 * The KV cache is stored at {@code kvBytesPerElement} (2 for bf16, 1 for fp8).
 */
public record Step(Phase phase, int sequences, int tokens, int kvBytesPerElement) {
    public Step {
        if (phase == null)
            throw new IllegalArgumentException("phase is null");
        if (sequences < 1 || tokens < 1 || kvBytesPerElement < 1)
            throw new IllegalArgumentException("must be >= 1: sequences=" + sequences + ", tokens=" + tokens
                    + ", kvBytesPerElement=" + kvBytesPerElement);
    }

    /** Tokens computed per sequence: the whole prompt in prefill, one new token in decode. */
    public int tokensPerSequence() {
        return phase == Phase.PREFILL ? tokens : 1;
    }
}
