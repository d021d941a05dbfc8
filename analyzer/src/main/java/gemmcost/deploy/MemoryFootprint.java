package gemmcost.deploy;

import gemmcost.device.Device;
import gemmcost.model.hf.Architecture;
import java.util.Locale;

/**
 * What one GPU of the fullest pipeline stage holds: its share of the weights and the KV cache of its attention
 * replica's sequences. Embeddings, the LM head and norms stay bf16 in fp8 checkpoints (they are never quantised);
 * routers are counted at the linear layers' width, a few MB at most.
 */
public record MemoryFootprint(long weightBytes, long kvBytes) {
    /**
     * Of an engine's memory, the part it gives to weights and KV cache: vLLM's default {@code gpu_memory_utilization};
     * the rest holds activations, CUDA graphs, the CUDA context and the communication buffers.
     */
    public static final double USABLE_MEMORY_FRACTION = 0.90;

    /**
     * The footprint of {@code model} laid out as {@code layout}, serving {@code concurrency} sequences of up to
     * {@code tokensPerSequence} tokens each with a KV cache of {@code kvBytesPerElement} (2 for bf16, 1 for fp8).
     */
    public static MemoryFootprint of(Architecture model, Parallelism layout, long concurrency, long tokensPerSequence,
                                     int kvBytesPerElement) {
        long worstWeights = 0;
        long worstKv = 0;
        for (int stage = 0; stage < layout.pp(); stage++) {
            int first = firstLayer(model.layers(), layout.pp(), stage);
            int last = firstLayer(model.layers(), layout.pp(), stage + 1);
            long weights = 0;
            for (int layer = first; layer < last; layer++)
                weights += layerWeightBytes(model, layout, layer < model.denseLayers());
            boolean embeds = stage == 0;
            boolean heads = stage == layout.pp() - 1 && !(model.tiedEmbeddings() && embeds);
            weights += ((embeds ? 1 : 0) + (heads ? 1 : 0)) * model.embeddingParameters() / layout.tp()
                    * Architecture.UNQUANTISED_BYTES;
            long sequences = Math.ceilDiv(concurrency, layout.dp());
            long kv = sequences * tokensPerSequence * (last - first)
                    * model.attention().kvElementsPerTokenPerGpu(layout.attentionTp()) * kvBytesPerElement;
            if (weights + kv > worstWeights + worstKv) {
                worstWeights = weights;
                worstKv = kv;
            }
        }
        return new MemoryFootprint(worstWeights, worstKv);
    }

    /** Layers split as evenly as can be, the earlier stages taking one more. */
    private static int firstLayer(int layers, int stages, int stage) {
        int base = layers / stages;
        int extra = layers % stages;
        return stage * base + Math.min(stage, extra);
    }

    private static long layerWeightBytes(Architecture model, Parallelism layout, boolean dense) {
        long linear = model.attention().parametersPerGpu(model.hidden(), layout.attentionTp());
        if (dense) {
            linear += model.denseFfnParameters() / layout.tp();
        } else {
            long router = model.routerParameters();
            linear += (model.moeFfnParameters() - router) / layout.tp() + router;
        }
        return linear * model.weights().bytesPerWeight() + model.normParametersPerLayer() * Architecture.UNQUANTISED_BYTES;
    }

    public long totalBytes() {
        return weightBytes + kvBytes;
    }

    /** Bytes the engine can give to weights and KV cache on {@code device}. */
    public static long usableBytes(Device device) {
        return (long) (device.memoryBytes() * USABLE_MEMORY_FRACTION);
    }

    /** Whether it fits the usable memory of {@code device}. */
    public boolean fits(Device device) {
        return totalBytes() <= usableBytes(device);
    }

    /** {@code 17.64 GB of weights + 5.37 GB of KV cache per GPU} (decimal GB, as the catalog's memory). */
    public String describe() {
        return String.format(Locale.ROOT, "%.2f GB of weights + %.2f GB of KV cache per GPU", weightBytes / 1e9,
                kvBytes / 1e9);
    }
}
