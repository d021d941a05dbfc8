package gemmcost.model.hf;

/**
 * DeepSeek Sparse Attention's lightning indexer (GLM-5, DeepSeek-V3.2): {@code heads} index heads of {@code headDim}
 * score every cached token for each query, and the query attends to the {@code topK} best only. Its key, one per
 * token and layer, is cached beside the latent in fp8 with one fp32 scale, whatever the KV cache's dtype.
 */
public record DsaIndexer(int heads, int headDim, int topK) {
    /** Bytes of one token's index key in the cache: fp8 elements and their fp32 scale. */
    public static final int KEY_SCALE_BYTES = 4;

    public DsaIndexer {
        if (heads < 1 || headDim < 1 || topK < 1)
            throw new IllegalArgumentException("must be >= 1: heads=" + heads + ", headDim=" + headDim + ", topK="
                    + topK);
    }

    public long keyBytesPerToken() {
        return (long) headDim + KEY_SCALE_BYTES;
    }

    /**
     * Weights per layer: the query projection from the query latent, the key projection and its layer norm (weight
     * and bias), the per-head weights of the scores.
     */
    public long parameters(long hidden, int qLoraRank) {
        return (long) qLoraRank * heads * headDim + hidden * headDim + 2L * headDim + hidden * heads;
    }
}
