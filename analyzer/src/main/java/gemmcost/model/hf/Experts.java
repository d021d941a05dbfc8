package gemmcost.model.hf;

/**
 * A mixture-of-experts FFN: {@code experts} routed SwiGLU experts of {@code expertIntermediate}, {@code topK} per
 * token, beside an always-active shared expert of {@code sharedIntermediate} (0: none) and a linear router.
 */
public record Experts(int experts, int topK, int expertIntermediate, int sharedIntermediate) {
    public Experts {
        if (experts < 1 || topK < 1 || topK > experts || expertIntermediate < 1 || sharedIntermediate < 0)
            throw new IllegalArgumentException("must be 1 <= topK <= experts, expertIntermediate >= 1,"
                    + " sharedIntermediate >= 0: experts=" + experts + ", topK=" + topK + ", expertIntermediate="
                    + expertIntermediate + ", sharedIntermediate=" + sharedIntermediate);
    }

    /** Weights of one MoE layer's FFN: every expert, the shared one, the router. */
    long parameters(long hidden) {
        return experts * Architecture.swiGlu(hidden, expertIntermediate) + Architecture.swiGlu(hidden, sharedIntermediate)
                + hidden * experts;
    }

    /** Weights one token reads in one MoE layer: its top-k experts, the shared one, the router. */
    long activeParameters(long hidden) {
        return topK * Architecture.swiGlu(hidden, expertIntermediate) + Architecture.swiGlu(hidden, sharedIntermediate)
                + hidden * experts;
    }
}
