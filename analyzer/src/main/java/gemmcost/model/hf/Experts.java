package gemmcost.model.hf;

/**
 * A mixture-of-experts FFN: {@code experts} routed SwiGLU experts of {@code expertIntermediate}, {@code topK} per
 * token, beside an always-active shared expert of {@code sharedIntermediate} (0: none) and a linear router. With
 * {@code biases} every routed expert's projections and the router add a bias (gpt-oss's), which the engines add in
 * their GEMMs' epilogue: weights, no op of their own.
 */
public record Experts(int experts, int topK, int expertIntermediate, int sharedIntermediate, boolean biases) {
    public Experts {
        if (experts < 1 || topK < 1 || topK > experts || expertIntermediate < 1 || sharedIntermediate < 0)
            throw new IllegalArgumentException("must be 1 <= topK <= experts, expertIntermediate >= 1,"
                    + " sharedIntermediate >= 0: experts=" + experts + ", topK=" + topK + ", expertIntermediate="
                    + expertIntermediate + ", sharedIntermediate=" + sharedIntermediate);
    }

    /** Experts without biases. */
    public Experts(int experts, int topK, int expertIntermediate, int sharedIntermediate) {
        this(experts, topK, expertIntermediate, sharedIntermediate, false);
    }

    /** Weights of one MoE layer's FFN: every expert, the shared one, the router. */
    long parameters(long hidden) {
        return experts * (Architecture.swiGlu(hidden, expertIntermediate) + expertBiases(hidden))
                + Architecture.swiGlu(hidden, sharedIntermediate) + routerParameters(hidden);
    }

    /** Weights one token reads in one MoE layer: its top-k experts, the shared one, the router. */
    long activeParameters(long hidden) {
        return topK * (Architecture.swiGlu(hidden, expertIntermediate) + expertBiases(hidden))
                + Architecture.swiGlu(hidden, sharedIntermediate) + routerParameters(hidden);
    }

    /** The router's weights and bias. */
    long routerParameters(long hidden) {
        return (hidden + (biases ? 1 : 0)) * experts;
    }

    /** One routed expert's biases: its gate and up projections' and its down projection's; 0 without. */
    long expertBiases(long hidden) {
        return biases ? 2L * expertIntermediate + hidden : 0;
    }
}
