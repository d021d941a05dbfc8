package gemmcost.model.hf;

import java.util.Objects;

/**
 * A decoder-only transformer as gemmcost costs it: {@code layers} blocks of attention then an FFN, the first
 * {@code denseLayers} with a dense SwiGLU MLP of {@code denseIntermediate}, the rest with {@code experts}
 * ({@code null} for a dense model, whose every layer is dense), between a {@code vocab}-row embedding and the
 * LM head (the same matrix when {@code tiedEmbeddings}). RMSNorms: two per layer and a final one. A hybrid model
 * mixes tokens with {@code linearAttention} in every layer but each {@code fullAttentionInterval}-th, which has
 * {@code attention} ({@code null} and 1: attention in every layer). {@code contextTokens}: the longest prompt and
 * output its config says engines serve by default (0: the config does not say). {@code slidingWindow}: the attention
 * layers that attend to a window of the last tokens only ({@code null}: none).
 */
public record Architecture(String name, int layers, int hidden, int vocab, boolean tiedEmbeddings, Attention attention,
                           int denseLayers, int denseIntermediate, Experts experts, WeightFormat weights,
                           GatedDeltaNet linearAttention, int fullAttentionInterval, int contextTokens,
                           SlidingWindow slidingWindow) {
    public Architecture {
        if (contextTokens < 0)
            throw new IllegalArgumentException("must be >= 0 (0: not given): contextTokens=" + contextTokens);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(weights, "weights");
        if (linearAttention == null ? fullAttentionInterval != 1 : fullAttentionInterval < 2)
            throw new IllegalArgumentException("must be 1 without linear attention and >= 2 with it:"
                    + " fullAttentionInterval=" + fullAttentionInterval);
        if (layers < 1 || hidden < 1 || vocab < 1 || denseLayers < 0 || denseLayers > layers)
            throw new IllegalArgumentException("must be >= 1 with 0 <= denseLayers <= layers: layers=" + layers
                    + ", hidden=" + hidden + ", vocab=" + vocab + ", denseLayers=" + denseLayers);
        if (experts == null && denseLayers != layers)
            throw new IllegalArgumentException("a model without experts is dense in every layer: denseLayers="
                    + denseLayers + ", layers=" + layers);
        if (denseLayers > 0 && denseIntermediate < 1)
            throw new IllegalArgumentException("must be >= 1 with dense layers: denseIntermediate=" + denseIntermediate);
        if (slidingWindow != null)
            for (int layer : slidingWindow.layers())
                if (layer >= layers || !fullAttentionAt(layer, fullAttentionInterval))
                    throw new IllegalArgumentException("a sliding window must be in an attention layer below layers ("
                            + layers + "): layer " + layer);
    }

    /** A model without sliding-window attention. */
    public Architecture(String name, int layers, int hidden, int vocab, boolean tiedEmbeddings, Attention attention,
                        int denseLayers, int denseIntermediate, Experts experts, WeightFormat weights,
                        GatedDeltaNet linearAttention, int fullAttentionInterval, int contextTokens) {
        this(name, layers, hidden, vocab, tiedEmbeddings, attention, denseLayers, denseIntermediate, experts, weights,
                linearAttention, fullAttentionInterval, contextTokens, null);
    }

    /** A model whose context is not given. */
    public Architecture(String name, int layers, int hidden, int vocab, boolean tiedEmbeddings, Attention attention,
                        int denseLayers, int denseIntermediate, Experts experts, WeightFormat weights,
                        GatedDeltaNet linearAttention, int fullAttentionInterval) {
        this(name, layers, hidden, vocab, tiedEmbeddings, attention, denseLayers, denseIntermediate, experts, weights,
                linearAttention, fullAttentionInterval, 0);
    }

    /** A model with attention in every layer, whose context is not given. */
    public Architecture(String name, int layers, int hidden, int vocab, boolean tiedEmbeddings, Attention attention,
                        int denseLayers, int denseIntermediate, Experts experts, WeightFormat weights) {
        this(name, layers, hidden, vocab, tiedEmbeddings, attention, denseLayers, denseIntermediate, experts, weights,
                null, 1);
    }

    /** The same architecture with its linear layers stored as {@code format} (a checkpoint whose config omits it). */
    public Architecture withWeights(WeightFormat format) {
        return new Architecture(name, layers, hidden, vocab, tiedEmbeddings, attention, denseLayers, denseIntermediate,
                experts, format, linearAttention, fullAttentionInterval, contextTokens, slidingWindow);
    }

    /** The same architecture serving at most {@code tokens} of prompt and output (0: not given). */
    public Architecture withContext(int tokens) {
        return new Architecture(name, layers, hidden, vocab, tiedEmbeddings, attention, denseLayers, denseIntermediate,
                experts, weights, linearAttention, fullAttentionInterval, tokens, slidingWindow);
    }

    /** The same architecture under another name (a wrapper's around the decoder it holds). */
    public Architecture withName(String wrapped) {
        return new Architecture(wrapped, layers, hidden, vocab, tiedEmbeddings, attention, denseLayers,
                denseIntermediate, experts, weights, linearAttention, fullAttentionInterval, contextTokens,
                slidingWindow);
    }

    /** The same architecture with {@code window} ({@code null}: none). */
    public Architecture withSlidingWindow(SlidingWindow window) {
        return new Architecture(name, layers, hidden, vocab, tiedEmbeddings, attention, denseLayers, denseIntermediate,
                experts, weights, linearAttention, fullAttentionInterval, contextTokens, window);
    }

    /**
     * The same architecture with its windowed layers' caches holding every token, as a full-attention layer's do
     * (where the engine does not free what slides out, or while a prefill writes a whole prompt); they attend to the
     * window still.
     */
    public Architecture withWholeWindowCaches() {
        return slidingWindow == null ? this : withSlidingWindow(new SlidingWindow(slidingWindow.tokens(),
                slidingWindow.layers(), false));
    }

    /** The last tokens layer {@code layer}'s attention attends to: its sliding window's, else every one. */
    public long windowTokens(int layer) {
        return slidingWindow != null && slidingWindow.slides(layer) ? slidingWindow.tokens() : Long.MAX_VALUE;
    }

    /** Whether layer {@code layer} (from 0) has {@link #attention}, not linear attention. */
    public boolean fullAttentionAt(int layer) {
        return fullAttentionAt(layer, fullAttentionInterval);
    }

    /** Whether layer {@code layer} (from 0) has full attention when every {@code interval}-th layer does. */
    static boolean fullAttentionAt(int layer, int interval) {
        return (layer + 1) % interval == 0;
    }

    /** Layers of [first, last) with {@link #attention}. */
    public int fullAttentionLayers(int first, int last) {
        return last / fullAttentionInterval - first / fullAttentionInterval;
    }

    /** Weights of layer {@code layer}'s token mixer (attention or linear attention) on one of {@code tp} GPUs. */
    public long mixerParametersPerGpu(int layer, int tp) {
        return fullAttentionAt(layer) ? attention.parametersPerGpu(hidden, tp)
                : linearAttention.parametersPerGpu(hidden, tp);
    }

    /**
     * The part of {@link #mixerParametersPerGpu} a quantised checkpoint keeps in bf16: attention's norms and biases (a
     * linear-attention layer's few non-GEMM weights count with its GEMMs').
     */
    public long mixerUnquantizedParametersPerGpu(int layer, int tp) {
        return fullAttentionAt(layer) ? attention.unquantizedParametersPerGpu(tp) : 0;
    }

    /**
     * Bytes one sequence of {@code tokens} keeps in layers [first, last) on one of {@code tp} GPUs: the KV cache of
     * the attention layers at {@code kvBytesPerElement}, and the state of the linear-attention ones.
     *
     * @throws ArithmeticException beyond 2^63 bytes
     */
    public long cacheBytesPerSequencePerGpu(int first, int last, int tp, long tokens, int kvBytesPerElement) {
        return Math.addExact(kvBytesPerSequencePerGpu(first, last, tp, tokens, kvBytesPerElement),
                stateBytesPerSequencePerGpu(first, last, tp));
    }

    /**
     * Bytes of the KV cache one sequence of {@code tokens} fills in the attention layers of [first, last) on one of
     * {@code tp} GPUs, at {@code kvBytesPerElement} (and a sparse-attention index key per token); a windowed layer
     * holds what {@link SlidingWindow#cached} says.
     *
     * @throws ArithmeticException beyond 2^63 bytes
     */
    public long kvBytesPerSequencePerGpu(int first, int last, int tp, long tokens, int kvBytesPerElement) {
        long perToken = Math.addExact(Math.multiplyExact(attention.kvElementsPerTokenPerGpu(tp), kvBytesPerElement),
                attention.indexKeyBytesPerToken());
        int windowed = slidingWindow == null ? 0 : slidingWindow.layersIn(first, last);
        long held = Math.addExact(Math.multiplyExact(tokens, fullAttentionLayers(first, last) - windowed),
                windowed == 0 ? 0 : Math.multiplyExact(slidingWindow.cached(tokens), windowed));
        return Math.multiplyExact(held, perToken);
    }

    /** Bytes of one sequence's state in the linear-attention layers of [first, last) on one of {@code tp} GPUs. */
    public long stateBytesPerSequencePerGpu(int first, int last, int tp) {
        return (last - first - fullAttentionLayers(first, last)) * stateBytesPerSequencePerLayer(tp);
    }

    /** Bytes of one sequence's state in one linear-attention layer on one of {@code tp} GPUs; 0 without any. */
    private long stateBytesPerSequencePerLayer(int tp) {
        return linearAttention == null ? 0 : linearAttention.stateBytesPerSequencePerGpu(tp);
    }

    public int moeLayers() {
        return layers - denseLayers;
    }

    /** Every weight, in elements (what a checkpoint of this architecture holds, auxiliary MTP modules aside). */
    public long parameters() {
        long h = hidden;
        long embeddings = (tiedEmbeddings ? 1 : 2) * embeddingParameters();
        long mixers = 0;
        for (int layer = 0; layer < layers; layer++)
            mixers += mixerParametersPerGpu(layer, 1);
        long ffn = denseLayers * denseFfnParameters() + moeLayers() * moeFfnParameters();
        return embeddings + mixers + layers * normParametersPerLayer() + ffn + h;
    }

    /** Whether a sequence of {@code tokens} (prompt and output) is longer than the context, where the config gives one. */
    public boolean beyondContext(long tokens) {
        return contextTokens() > 0 && tokens > contextTokens();
    }

    /**
     * Bytes of all weights: the linear layers in the weight format, the embeddings, LM head, routers, norms and biases
     * (attention's and experts') in bf16 (fp8 checkpoints never quantise them); block scales (1/16,384 of fp8 block
     * bytes) aside.
     */
    public long weightBytes() {
        long unquantised = (tiedEmbeddings ? 1 : 2) * embeddingParameters() + layers * normParametersPerLayer() + hidden
                + moeLayers() * (routerParameters() + routedExpertBiasParameters());
        for (int layer = 0; layer < layers; layer++)
            unquantised += mixerUnquantizedParametersPerGpu(layer, 1);
        return (parameters() - unquantised) * weights.bytesPerWeight() + unquantised * UNQUANTISED_BYTES;
    }

    /** Bytes of an embedding, LM-head, router or norm weight: bf16 in every checkpoint format. */
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

    /** One MoE layer's router (and its bias); 0 for a dense model. */
    public long routerParameters() {
        return experts == null ? 0 : experts.routerParameters(hidden);
    }

    /** One MoE layer's routed experts' biases, bf16 in every checkpoint; 0 for a dense model or one without. */
    public long routedExpertBiasParameters() {
        return experts == null ? 0 : experts.experts() * experts.expertBiases(hidden);
    }

    /** Bytes of one MoE layer's routed experts: their weights in the weight format, their biases in bf16. */
    public long routedExpertBytes() {
        return routedExpertParameters() * weights.bytesPerWeight() + routedExpertBiasParameters() * UNQUANTISED_BYTES;
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
        return kvBytesPerSequencePerGpu(0, layers, 1, 1, bytesPerElement);
    }

    /** Bytes of one sequence's linear-attention state over all layers, whatever its length; 0 without. */
    public long stateBytesPerSequence() {
        return stateBytesPerSequencePerGpu(0, layers, 1);
    }

    static long swiGlu(long hidden, long intermediate) {
        return 3 * hidden * intermediate; // gate, up, down
    }
}
