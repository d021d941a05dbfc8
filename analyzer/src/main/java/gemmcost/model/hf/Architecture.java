package gemmcost.model.hf;

import java.util.Objects;

/**
 * A decoder-only transformer as gemmcost costs it: {@code layers} blocks of attention then an FFN, the first
 * {@code denseLayers} with a dense SwiGLU MLP of {@code denseIntermediate}, the rest with {@code experts}
 * ({@code null} for a dense model, whose every layer is dense), between a {@code vocab}-row embedding and the
 * LM head (the same matrix when {@code tiedEmbeddings}). RMSNorms: two per layer and a final one.
 */
public record Architecture(String name, int layers, int hidden, int vocab, boolean tiedEmbeddings, Attention attention,
                           int denseLayers, int denseIntermediate, Experts experts, WeightFormat weights) {
    public Architecture {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(weights, "weights");
        if (layers < 1 || hidden < 1 || vocab < 1 || denseLayers < 0 || denseLayers > layers)
            throw new IllegalArgumentException("must be >= 1 with 0 <= denseLayers <= layers: layers=" + layers
                    + ", hidden=" + hidden + ", vocab=" + vocab + ", denseLayers=" + denseLayers);
        if (experts == null && denseLayers != layers)
            throw new IllegalArgumentException("a model without experts is dense in every layer: denseLayers="
                    + denseLayers + ", layers=" + layers);
        if (denseLayers > 0 && denseIntermediate < 1)
            throw new IllegalArgumentException("must be >= 1 with dense layers: denseIntermediate=" + denseIntermediate);
    }

    /** The same architecture with its linear layers stored as {@code format} (a checkpoint whose config omits it). */
    public Architecture withWeights(WeightFormat format) {
        return new Architecture(name, layers, hidden, vocab, tiedEmbeddings, attention, denseLayers, denseIntermediate,
                experts, format);
    }

    public int moeLayers() {
        return layers - denseLayers;
    }

    /** Every weight, in elements (what a checkpoint of this architecture holds, auxiliary MTP modules aside). */
    public long parameters() {
        long h = hidden;
        long embeddings = (tiedEmbeddings ? 1 : 2) * embeddingParameters();
        long perLayer = attention.parameters(h) + normParametersPerLayer();
        long ffn = denseLayers * denseFfnParameters() + moeLayers() * moeFfnParameters();
        return embeddings + layers * perLayer + ffn + h;
    }

    /**
     * Bytes of all weights: the linear layers in the weight format, the embeddings, LM head and norms in bf16 (fp8
     * checkpoints never quantise them); block scales (1/16,384 of fp8 block bytes) aside.
     */
    public long weightBytes() {
        long unquantised = (tiedEmbeddings ? 1 : 2) * embeddingParameters() + layers * normParametersPerLayer() + hidden;
        return (parameters() - unquantised) * weights.bytesPerWeight() + unquantised * UNQUANTISED_BYTES;
    }

    /** Bytes of an embedding, LM-head or norm weight: bf16 in every checkpoint format. */
    public static final int UNQUANTISED_BYTES = 2;

    /** The embedding matrix (the LM head is another of the same size unless tied). */
    public long embeddingParameters() {
        return (long) vocab * hidden;
    }

    /** A layer's two RMSNorms. */
    public long normParametersPerLayer() {
        return 2L * hidden;
    }

    /** One dense layer's SwiGLU MLP. */
    public long denseFfnParameters() {
        return swiGlu(hidden, denseIntermediate);
    }

    /** One MoE layer's FFN: routed experts, shared expert, router; 0 for a dense model. */
    public long moeFfnParameters() {
        return experts == null ? 0 : experts.parameters(hidden);
    }

    /** One MoE layer's routed experts; 0 for a dense model. */
    public long routedExpertParameters() {
        return experts == null ? 0 : experts.experts() * swiGlu(hidden, experts.expertIntermediate());
    }

    /** One MoE layer's shared expert; 0 for a dense model or one without. */
    public long sharedExpertParameters() {
        return experts == null ? 0 : swiGlu(hidden, experts.sharedIntermediate());
    }

    /** One MoE layer's router; 0 for a dense model. */
    public long routerParameters() {
        return experts == null ? 0 : (long) hidden * experts.experts();
    }

    /** Weights one token's forward pass reads: the dense part, its top-k and shared experts, the LM head. */
    public long activeParameters() {
        if (experts == null)
            return parameters();
        long h = hidden;
        return parameters() - moeLayers() * (experts.parameters(h) - experts.activeParameters(h));
    }

    /** Bytes one token adds to the KV cache over all layers, at {@code bytesPerElement} (2 for bf16, 1 for fp8). */
    public long kvBytesPerToken(int bytesPerElement) {
        return layers * attention.kvElementsPerToken() * bytesPerElement;
    }

    static long swiGlu(long hidden, long intermediate) {
        return 3 * hidden * intermediate; // gate, up, down
    }
}
