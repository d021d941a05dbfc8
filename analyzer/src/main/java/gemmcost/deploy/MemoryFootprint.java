package gemmcost.deploy;

import gemmcost.device.Device;
import gemmcost.model.hf.Architecture;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the fullest GPU holds: its share of the weights, the KV cache of its attention replica's sequences, and a
 * linear-attention model's state of each of those sequences; {@code gpu}: which of the layout's GPUs it is.
 * Embeddings, the LM head, routers and norms stay bf16 in fp8 checkpoints (they are never quantised).
 */
public record MemoryFootprint(long weightBytes, long kvBytes, long stateBytes, Gpu gpu) {
    public MemoryFootprint {
        if (weightBytes < 0 || kvBytes < 0 || stateBytes < 0)
            throw new IllegalArgumentException("must be >= 0: weightBytes=" + weightBytes + ", kvBytes=" + kvBytes
                    + ", stateBytes=" + stateBytes);
        Objects.requireNonNull(gpu, "gpu");
        if (gpu == Gpu.FFN && (kvBytes != 0 || stateBytes != 0))
            throw new IllegalArgumentException("an FFN GPU holds no KV cache or state: kvBytes=" + kvBytes
                    + ", stateBytes=" + stateBytes);
    }

    /** A GPU of a TP x PP layout: weights, KV cache and state. */
    public MemoryFootprint(long weightBytes, long kvBytes, long stateBytes) {
        this(weightBytes, kvBytes, stateBytes, Gpu.ANY);
    }

    /** Weights and a KV cache, no state. */
    public MemoryFootprint(long weightBytes, long kvBytes) {
        this(weightBytes, kvBytes, 0);
    }

    /** Which GPU: any of a TP x PP layout's (each holds attention and experts), or one side of AFD's. */
    public enum Gpu {
        ANY("GPU"), ATTENTION("attention GPU"), FFN("FFN GPU");

        private final String words;

        Gpu(String words) {
            this.words = words;
        }
    }

    /**
     * Of an engine's memory, the part it gives to weights and KV cache: vLLM's default {@code gpu_memory_utilization};
     * the rest holds activations, CUDA graphs, the CUDA context and the communication buffers.
     */
    public static final double USABLE_MEMORY_FRACTION = 0.90;

    /**
     * The footprint of {@code model} laid out as {@code layout}, serving {@code concurrency} sequences of up to
     * {@code tokensPerSequence} tokens each with a KV cache of {@code kvBytesPerElement} (2 for bf16, 1 for fp8).
     *
     * @throws ArithmeticException if the KV cache is beyond 2^63 bytes
     */
    public static MemoryFootprint of(Architecture model, Layout layout, long concurrency, long tokensPerSequence,
                                     int kvBytesPerElement) {
        Cache cache = cache(model, layout, concurrency, tokensPerSequence, kvBytesPerElement);
        return switch (layout) {
            case Parallelism p -> fullestStage(model, p, cache);
            case Afd afd -> afdSides(model, afd, cache).getFirst();
        };
    }

    /**
     * What each kind of GPU of {@code layout} holds, the fullest first where there are two: the fullest GPU of a
     * TP x PP layout, or an AFD layout's attention GPU and its FFN GPU (the fit is the fullest's; a user sizes the
     * concurrency by the attention GPUs' KV cache).
     *
     * @throws ArithmeticException if the KV cache is beyond 2^63 bytes
     */
    public static List<MemoryFootprint> sides(Architecture model, Layout layout, long concurrency,
                                              long tokensPerSequence, int kvBytesPerElement) {
        if (layout instanceof Afd afd)
            return afdSides(model, afd, cache(model, layout, concurrency, tokensPerSequence, kvBytesPerElement));
        return List.of(of(model, layout, concurrency, tokensPerSequence, kvBytesPerElement));
    }

    /** An AFD layout's attention GPU and its FFN GPU, the fuller first (the attention GPU where they are equal). */
    private static List<MemoryFootprint> afdSides(Architecture model, Afd afd, Cache cache) {
        MemoryFootprint replica = cache.holding(attentionSide(model, afd.attentionTp(), 0, model.layers(),
                true, true), 0, model.layers());
        MemoryFootprint attention = new MemoryFootprint(replica.weightBytes(), replica.kvBytes(),
                replica.stateBytes(), Gpu.ATTENTION);
        MemoryFootprint ffn = new MemoryFootprint(model.moeLayers() * model.routedExpertBytes() / afd.ffnGpus(), 0, 0,
                Gpu.FFN);
        return attention.totalBytes() >= ffn.totalBytes() ? List.of(attention, ffn) : List.of(ffn, attention);
    }

    /** A GPU holding {@code weightBytes} and the sequences' KV cache and state in layers [first, last). */
    private interface Cache {
        MemoryFootprint holding(long weightBytes, int first, int last);
    }

    /** The KV cache and state of a replica's share of {@code concurrency} sequences, beside some weights. */
    private static Cache cache(Architecture model, Layout layout, long concurrency, long tokensPerSequence,
                               int kvBytesPerElement) {
        long sequences = Math.ceilDiv(concurrency, layout.attentionReplicas());
        int tp = layout.attentionTp();
        return (weights, first, last) -> new MemoryFootprint(weights, Math.multiplyExact(sequences,
                model.kvBytesPerSequencePerGpu(first, last, tp, tokensPerSequence, kvBytesPerElement)),
                Math.multiplyExact(sequences, model.stateBytesPerSequencePerGpu(first, last, tp)));
    }

    private static MemoryFootprint fullestStage(Architecture model, Parallelism layout, Cache cache) {
        MemoryFootprint worst = new MemoryFootprint(0, 0);
        for (int stage = 0; stage < layout.pp(); stage++) {
            int first = layout.firstLayer(model.layers(), stage);
            int last = layout.firstLayer(model.layers(), stage + 1);
            int moeLayers = last - Math.max(first, Math.min(last, model.denseLayers()));
            long weights = attentionSide(model, layout.attentionTp(), first, last, stage == 0,
                    stage == layout.pp() - 1)
                    + moeLayers * model.routedExpertBytes() / layout.tp();
            MemoryFootprint f = cache.holding(weights, first, last);
            if (f.totalBytes() > worst.totalBytes())
                worst = f;
        }
        return worst;
    }

    /**
     * Bytes of what goes with attention in layers [first, last) on one GPU of a replica split over {@code tp}:
     * attention, dense MLPs, shared experts and norms; routers whole; the embedding and LM head (and the final norm)
     * when the span starts or ends the model.
     */
    private static long attentionSide(Architecture model, int tp, int first, int last, boolean embeds,
                                      boolean heads) {
        long linear = 0;
        long routers = 0;
        long mixerUnquantised = 0;
        for (int layer = first; layer < last; layer++) {
            long mixerBf16 = model.mixerUnquantizedParametersPerGpu(layer, tp);
            linear += model.mixerParametersPerGpu(layer, tp) - mixerBf16;
            mixerUnquantised += mixerBf16;
            linear += layer < model.denseLayers() ? model.denseFfnParameters() / tp
                    : model.sharedExpertParameters() / tp;
            routers += layer < model.denseLayers() ? 0 : model.routerParameters();
        }
        boolean lmHead = heads && !(model.tiedEmbeddings() && embeds);
        long unquantised = (last - first) * model.normParametersPerLayer() + routers + mixerUnquantised
                + ((embeds ? 1 : 0) + (lmHead ? 1 : 0)) * model.embeddingParameters() / tp
                + (heads ? model.hidden() : 0); // the final norm, with the LM head
        return linear * model.weights().bytesPerWeight() + unquantised * Architecture.UNQUANTISED_BYTES;
    }

    /** Weights, KV cache and state; saturates at 2^63 − 1 bytes, far over any GPU's memory. */
    public long totalBytes() {
        try {
            return Math.addExact(Math.addExact(weightBytes, kvBytes), stateBytes);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    /** Bytes the engine can give to weights, KV cache and linear-attention state on {@code device}. */
    public static long usableBytes(Device device) {
        return (long) (device.memoryBytes() * USABLE_MEMORY_FRACTION);
    }

    /** Whether it fits the usable memory of {@code device}. */
    public boolean fits(Device device) {
        return totalBytes() <= usableBytes(device);
    }

    /**
     * {@code 17.64 GB of weights + 5.37 GB of KV cache per GPU} (decimal GB of bytes), with {@code + 1.23 GB of
     * linear-attention state} before {@code per GPU} where there is any; an AFD side's GPU is named
     * ({@code per attention GPU}), and an FFN GPU's, which holds no cache, is {@code 81.74 GB of weights per FFN GPU}.
     */
    public String describe() {
        String cache = gpu == Gpu.FFN ? "" : String.format(Locale.ROOT, " + %.2f GB of KV cache", kvBytes / 1e9);
        String state = stateBytes == 0 ? ""
                : String.format(Locale.ROOT, " + %.2f GB of linear-attention state", stateBytes / 1e9);
        return String.format(Locale.ROOT, "%.2f GB of weights%s%s per %s", weightBytes / 1e9, cache, state,
                gpu.words);
    }
}
