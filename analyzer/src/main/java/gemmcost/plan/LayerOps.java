package gemmcost.plan;

import gemmcost.dag.Work;
import gemmcost.model.Deployment;
import gemmcost.model.ModelSpec;
import gemmcost.model.Phase;
import gemmcost.table.GemmShape;

/** The ops both plans share (norms, projections, attention per head), for a step of {@code sequences} sequences. */
final class LayerOps {
    private final OpGraph graph;
    private final ModelSpec model;
    private final Phase phase;
    private final long sequences;
    private final long seqLen;
    private final long tokens;
    private final int bytes;

    /** The ops of one of the deployment's micro-batches: its share of the batch, at the workload's length. */
    static LayerOps microBatch(OpGraph graph, Deployment deployment) {
        return new LayerOps(graph, deployment.model(), deployment.phase(),
                deployment.workload().batch() / deployment.plan().microBatches(), deployment.workload().seqLen());
    }

    /** {@code sequences} of one micro-batch, each of {@code seqLen} tokens (prompt, or KV cache in decode). */
    private LayerOps(OpGraph graph, ModelSpec model, Phase phase, long sequences, long seqLen) {
        this.graph = graph;
        this.model = model;
        this.phase = phase;
        this.sequences = sequences;
        this.seqLen = seqLen;
        this.tokens = phase.tokens(sequences, seqLen);
        this.bytes = model.elementBytes();
    }

    /** Tokens of this step: m of every projection. */
    long tokens() {
        return tokens;
    }

    /** An element-wise op over {@code rows} × hidden that reads {@code reads} tensors and writes one. */
    int elementwise(String id, String name, int[] gpus, long rows, int reads, int... after) {
        return graph.op(id, name, gpus, new Work.Memory((double) rows * model.hidden() * bytes * (reads + 1)), after);
    }

    int gemm(String id, String name, int[] gpus, long m, long k, long n, int... after) {
        return graph.op(id, name, gpus, new Work.Gemm(m, k, n), after);
    }

    /** Q, K and V projections for {@code heads} heads: three GEMMs (m, hidden, heads·head_dim), as the seed has them. */
    int[] qkv(String prefix, int[] gpus, int heads, int after) {
        long n = (long) heads * model.headDim();
        return new int[] {
                gemm(prefix + ".q", "Q projection", gpus, tokens, model.hidden(), n, after),
                gemm(prefix + ".k", "K projection", gpus, tokens, model.hidden(), n, after),
                gemm(prefix + ".v", "V projection", gpus, tokens, model.hidden(), n, after)};
    }

    /**
     * Attention of one head. Prefill: QKᵀ and ·V as batched GEMMs over the sequences, (S, d, S) and (S, S, d), with
     * an unfused softmax between them (no causal-mask saving, as in the seed). Decode: one query row per sequence
     * against a KV cache of seq_len tokens, which is memory-bound: the K and V bytes over the bandwidth.
     */
    int head(String prefix, int[] gpus, int... after) {
        long s = seqLen;
        long d = model.headDim();
        if (phase == Phase.DECODE)
            return graph.op(prefix, "attention (KV-cache read)", gpus,
                    new Work.Memory(2.0 * sequences * s * d * bytes), after);
        int scores = graph.op(prefix + ".scores", "attention scores QK^T", gpus,
                new Work.Gemm(new GemmShape(s, d, s), sequences), after);
        int softmax = graph.op(prefix + ".softmax", "softmax", gpus,
                new Work.Memory(2.0 * sequences * s * s * bytes), scores);
        return graph.op(prefix + ".context", "attention x V", gpus,
                new Work.Gemm(new GemmShape(s, s, d), sequences), softmax);
    }

    /** The attention heads of one GPU (or TP group), all waiting for Q, K and V. */
    int[] heads(String prefix, int[] gpus, int heads, int[] qkv) {
        int[] out = new int[heads];
        for (int h = 0; h < heads; h++)
            out[h] = head(prefix + ".head" + h, gpus, qkv);
        return out;
    }

    /** One expert (or a TP shard of the dense MLP): up (gate and up for SwiGLU), activation, down. */
    int ffn(String prefix, String name, int[] gpus, long rows, int width, int... after) {
        int upWidth = model.upWidth(width);
        int up = gemm(prefix + ".up", name + " up", gpus, rows, model.hidden(), upWidth, after);
        int act = graph.op(prefix + ".act", name + " activation", gpus,
                new Work.Memory((double) rows * (upWidth + width) * bytes), up);
        return gemm(prefix + ".down", name + " down", gpus, rows, width, model.hidden(), act);
    }

    /** Bytes of {@code rows} hidden-state rows. */
    double hiddenBytes(long rows) {
        return (double) rows * model.hidden() * bytes;
    }
}
