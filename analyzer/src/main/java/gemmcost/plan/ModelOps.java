package gemmcost.plan;

import gemmcost.comm.Collective;
import gemmcost.dag.Work;
import gemmcost.model.Phase;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.DsaIndexer;
import gemmcost.model.hf.Experts;
import gemmcost.model.hf.GatedDeltaNet;
import gemmcost.model.hf.QkNorm;
import gemmcost.table.GemmShape;
import java.util.Locale;

/**
 * The ops of a real model's layer on one GPU of an attention replica tensor-parallel over {@code tp} GPUs, for
 * {@code sequences} sequences of one micro-batch (the busiest replica's share spread over the micro-batches, so
 * possibly fractional: bytes and FLOPs take it as is, a GEMM's m rounded up). Element-wise ops and attention move
 * bf16 activations.
 */
final class ModelOps {
    private static final int BYTES = ModelDag.ACTIVATION_BYTES;
    /** The router's scores are fp32; each choice is an int32 expert id and an fp32 weight. */
    private static final int SCORE_BYTES = 4;
    private static final int CHOICE_BYTES = 8;

    private final OpGraph graph;
    private final Architecture model;
    private final Step step;
    private final double sequences;
    private final double tokens;
    private final long m;
    private final int tp;

    ModelOps(OpGraph graph, Architecture model, Step step, double sequences, int tp) {
        this.graph = graph;
        this.model = model;
        this.step = step;
        this.sequences = sequences;
        this.tokens = sequences * step.tokensPerSequence();
        this.m = rows(tokens);
        this.tp = tp;
    }

    /** GEMM rows for {@code tokens} tokens: rounded up, at least one. */
    private static long rows(double tokens) {
        return Math.max(1, (long) Math.ceil(tokens - 1e-9));
    }

    /** Tokens one replica computes in the step. */
    double tokens() {
        return tokens;
    }

    double hiddenBytes(double rows) {
        return rows * model.hidden() * BYTES;
    }

    /** An element-wise op over {@code rows} × hidden that reads {@code reads} tensors and writes one. */
    int elementwise(String id, String name, int[] gpus, double rows, int reads, int... after) {
        return graph.op(id, name, gpus, new Work.Memory(hiddenBytes(rows) * (reads + 1)), after);
    }

    private int gemm(String id, String name, int[] gpus, long rows, long k, long n, int... after) {
        return graph.op(id, name, gpus, new Work.Gemm(rows, k, n), after);
    }

    /** A GEMM a quantised checkpoint keeps in bf16 ({@link Work.Gemm#unquantized}): the LM head, the router. */
    private int unquantizedGemm(String id, String name, int[] gpus, long rows, long k, long n, int after) {
        return graph.op(id, name, gpus, new Work.Gemm(new GemmShape(rows, k, n), 1, true), after);
    }

    /**
     * Layer {@code layer}'s token mixer, its all-reduce over the replica, the residual add and the FFN's norm. Only the
     * first layer norms its input itself; the others get it normed by the layer before ({@link #residual}).
     */
    int attentionBlock(String id, int layer, int[] group, int[] replica, int after) {
        int norm = layer == 0 ? elementwise(id + ".norm1", "norm", group, tokens, 1, after) : after;
        int out = !model.fullAttentionAt(layer) ? gatedDeltaNet(id, group, model.linearAttention(), norm)
                : switch (model.attention()) {
                    case Attention.Gqa g -> gqa(id, layer, group, replica, g, norm);
                    case Attention.Mla a -> mla(id, group, a, norm);
                };
        return addAndNorm(id + ".norm2", group, allReduce(id + ".attn", replica, out));
    }

    /** Grouped-query attention; in a layer with a sliding window each query attends to the window's tokens only. */
    private int gqa(String id, int layer, int[] group, int[] replica, Attention.Gqa g, int after) {
        long heads = g.heads() / tp;
        long kvHeads = g.kvHeadsPerGpu(tp);
        int qkv = gemm(id + ".qkv", "QKV projection", group, m, model.hidden(),
                heads * g.queryWidthPerHead() + 2 * kvHeads * g.headDim(), after);
        int normed = qkNorm(id, group, replica, g.qkNorm(), (heads + kvHeads) * g.headDim(), qkv);
        int rope = ropeAndCacheWrite(id, group, (heads + kvHeads) * g.headDim(), g.kvElementsPerTokenPerGpu(tp),
                normed);
        int attention = attention(id, group, heads, kvHeads, g.headDim(), g.headDim(), g.kvElementsPerTokenPerGpu(tp),
                model.windowTokens(layer), rope);
        if (g.outputGate()) // sigmoid(gate) times the output: reads both, writes one
            attention = graph.op(id + ".output_gate", "attention output gate", group,
                    new Work.Memory(3.0 * tokens * heads * g.headDim() * BYTES), attention);
        return gemm(id + ".o_proj", "output projection", group, m, heads * g.headDim(), model.hidden(), attention);
    }

    /**
     * Tokens per chunk of the chunked Gated DeltaNet kernel that prefills (flash-linear-attention's
     * {@code chunk_gated_delta_rule}, which vLLM and SGLang run): the state passes through device memory once a chunk.
     */
    static final int DELTA_RULE_CHUNK = 64;

    /**
     * FLOPs of the delta rule per value head and token, in units of keyDim × valueDim: the state S decays (1), the key
     * reads the value it holds (2), the error corrects S as a rank-one update (2), the query reads the output (2).
     */
    static final int DELTA_RULE_FLOPS_PER_STATE_ELEMENT = 1 + 2 + 2 + 2;

    /**
     * Gated DeltaNet on one GPU's share of the heads: the input projections (q, k, v, gate, β and decay), the causal
     * convolution over q, k and v, the delta rule, the gated norm and the output projection. Decode reads and writes
     * every sequence's state (and the convolution its last inputs); prefill runs the rule in chunks of
     * {@value #DELTA_RULE_CHUNK} tokens (fewer for a shorter prompt), adding each chunk's attention, computed whole and
     * masked as the kernel does (2 · chunk · (keyDim + valueDim) per token and head), and a state read and write per
     * chunk.
     */
    private int gatedDeltaNet(String id, int[] group, GatedDeltaNet d, int after) {
        double valueHeads = (double) d.valueHeads() / tp;
        double channels = (double) d.convChannels() / tp;
        boolean decode = step.phase() == Phase.DECODE;
        int in = gemm(id + ".in_proj", "linear-attention input projections", group, m, model.hidden(),
                d.inputWidth() / tp, after);
        double convStateBytes = decode ? 2 * sequences * d.convStateBytesPerGpu(tp) : 0;
        int conv = graph.op(id + ".conv", "causal convolution", group,
                new Work.Memory(2 * tokens * channels * BYTES + convStateBytes), in);
        double stateBytesPerSequence = d.recurrentStateBytesPerGpu(tp);
        double flopsPerToken = DELTA_RULE_FLOPS_PER_STATE_ELEMENT * d.keyDim() * d.valueDim() * valueHeads;
        double ioBytes = tokens * (channels + d.valueWidth() / (double) tp) * BYTES; // q, k, v in, the output out
        Work.Attention work;
        if (decode) {
            work = new Work.Attention(tokens * flopsPerToken, ioBytes + 2 * sequences * stateBytesPerSequence);
        } else {
            int chunk = Math.min(DELTA_RULE_CHUNK, step.tokens());
            double chunkFlopsPerToken = 2.0 * chunk * (d.keyDim() + d.valueDim()) * valueHeads;
            double chunks = sequences * Math.ceilDiv(step.tokens(), DELTA_RULE_CHUNK);
            work = new Work.Attention(tokens * (flopsPerToken + chunkFlopsPerToken),
                    ioBytes + 2 * chunks * stateBytesPerSequence);
        }
        int rule = graph.op(id + ".delta_rule", decode ? "delta rule (state read and write)" : "delta rule (chunked)",
                group, work, conv);
        int norm = graph.op(id + ".gated_norm", "gated norm", group,
                new Work.Memory(3.0 * tokens * d.valueWidth() / tp * BYTES), rule);
        return gemm(id + ".out_proj", "linear-attention output projection", group, m, d.valueWidth() / tp,
                model.hidden(), norm);
    }

    /**
     * MLA as SGLang and vLLM run it: the down-projections whole on every GPU, heads split. Decode absorbs the key
     * and value up-projections into the query and output (attention over the cached latent, MQA-like); prefill
     * expands the latent into per-head keys and values. A per-head projection is costed as one GEMM of every
     * head's weights side by side: the same FLOPs and weight bytes, one kernel.
     */
    private int mla(String id, int[] group, Attention.Mla a, int after) {
        long heads = a.heads() / tp;
        long latent = a.kvLoraRank() + a.qkRopeDim();
        int down = gemm(id + ".qkv_down", "Q and KV down-projection", group, m, model.hidden(),
                a.qLoraRank() + latent, after);
        int norms = graph.op(id + ".latent_norm", "latent norms", group,
                new Work.Memory(2.0 * tokens * (a.qLoraRank() + a.kvLoraRank()) * BYTES), down);
        int qUp = gemm(id + ".q_up", "Q up-projection", group, m, a.qLoraRank(),
                heads * (a.qkNopeDim() + a.qkRopeDim()), norms);
        int rope = ropeAndCacheWrite(id, group, (heads + 1) * a.qkRopeDim(), latent, qUp);
        int chosen = a.indexer() == null ? -1 : indexer(id, group, a, after, norms);
        long window = a.indexer() == null ? Long.MAX_VALUE : a.indexer().topK();
        if (step.phase() == Phase.DECODE) {
            int absorb = gemm(id + ".q_absorb", "Q x W_UK (per head, absorbed)", group, m, a.qkNopeDim(),
                    heads * a.kvLoraRank(), rope);
            int attention = attention(id, group, heads, 1, latent, a.kvLoraRank(), latent, window, andAny(absorb, chosen));
            int vUp = gemm(id + ".v_absorb", "x W_UV (per head, absorbed)", group, m, a.kvLoraRank(),
                    heads * a.vHeadDim(), attention);
            return gemm(id + ".o_proj", "output projection", group, m, heads * a.vHeadDim(), model.hidden(), vUp);
        }
        int kvUp = gemm(id + ".kv_up", "KV up-projection", group, m, a.kvLoraRank(),
                heads * (a.qkNopeDim() + a.vHeadDim()), rope);
        int attention = attention(id, group, heads, heads, a.qkNopeDim() + a.qkRopeDim(), a.vHeadDim(), latent,
                window, andAny(kvUp, chosen));
        return gemm(id + ".o_proj", "output projection", group, m, heads * a.vHeadDim(), model.hidden(), attention);
    }

    /**
     * The rotary embedding of the query and key heads and the new tokens written into the KV cache: a kernel of its
     * own before attention in every engine (TensorRT-LLM's QKV preprocessing, vLLM's and SGLang's rotary and
     * cache-store kernels), so at least a kernel floor in a decode step. It reads and writes {@code rotatedPerToken}
     * elements of each token and writes {@code cachedPerToken} cache elements.
     */
    private int ropeAndCacheWrite(String id, int[] group, long rotatedPerToken, long cachedPerToken, int after) {
        return graph.op(id + ".rope", "rotary embedding and KV-cache write", group, new Work.Memory(tokens
                * (2.0 * rotatedPerToken * BYTES + (double) cachedPerToken * step.kvBytesPerElement())), after);
    }

    /** A norm's fp32 sums of squares per token: the query's and the key's. */
    private static final int QK_SQUARE_SUMS_BYTES = 2 * 4;

    /**
     * The query and key heads normed ({@link QkNorm}): a kernel of their own in every engine that reads and writes
     * {@code normedPerToken} elements of each token (TensorRT-LLM fuses it with the rotary embedding, then writes the
     * cache in its QKV preprocessing; vLLM and SGLang run RMSNorm kernels before theirs), so at least a kernel floor
     * more than a layer without it in a decode step. A norm over the whole layer's heads on tensor-parallel GPUs first
     * sums each token's squares on every GPU (a read of the heads), all-reduces the two sums (vLLM's MiniMax-M2: one
     * all-reduce of both), then scales the heads.
     */
    private int qkNorm(String id, int[] group, int[] replica, QkNorm norm, long normedPerToken, int after) {
        if (norm == QkNorm.NONE)
            return after;
        int sums = after;
        if (norm == QkNorm.PER_LAYER && replica.length > 1) {
            int partial = graph.op(id + ".qk_norm_sums", "QK norm's sums of squares", group,
                    new Work.Memory(tokens * (normedPerToken * BYTES + QK_SQUARE_SUMS_BYTES)), after);
            sums = graph.op(id + ".qk_norm_all_reduce", "all-reduce (QK norm's sums of squares)", replica,
                    new Work.Comm(Collective.ALL_REDUCE, tokens * QK_SQUARE_SUMS_BYTES), partial);
        }
        return graph.op(id + ".qk_norm", "QK norm", group, new Work.Memory(2.0 * tokens * normedPerToken * BYTES), sums);
    }

    /** {@code op}, and {@code other} where there is one (-1: none), for an op that waits for both. */
    private static int[] andAny(int op, int other) {
        return other < 0 ? new int[] {op} : new int[] {op, other};
    }

    /**
     * DeepSeek Sparse Attention's indexer, whole on every GPU: its query from the query latent, its key and per-head
     * weights as one GEMM from the layer's input, and the scores of every cached token (decode: each sequence's new
     * token against its cache of index keys, read whole; prefill: causal), which pick the tokens attention reads.
     * The scores are costed at the attention rate, as bf16 (the engines' kernels run them in fp8, up to twice as
     * fast). Returns the op attention waits for.
     */
    private int indexer(String id, int[] group, Attention.Mla a, int input, int queryLatent) {
        DsaIndexer x = a.indexer();
        int q = gemm(id + ".index_q", "indexer query", group, m, a.qLoraRank(), (long) x.heads() * x.headDim(),
                queryLatent);
        int k = gemm(id + ".index_k", "indexer key and weights", group, m, model.hidden(), x.headDim() + x.heads(),
                input);
        double t = step.tokens();
        double flopsPerPair = 2.0 * x.heads() * x.headDim();
        Work.Attention work = step.phase() == Phase.DECODE
                ? new Work.Attention(sequences * t * flopsPerPair, sequences * t * x.keyBytesPerToken())
                : new Work.Attention(sequences * t * (t + 1) / 2 * flopsPerPair,
                        tokens * ((x.heads() + 1.0) * x.headDim() * BYTES + x.keyBytesPerToken()));
        return graph.op(id + ".index_scores", "indexer scores and top-" + x.topK(), group, work, q, k);
    }

    /**
     * A fused attention kernel over {@code heads} query heads and {@code kvHeads} key/value heads of key width
     * {@code qkDim} and value width {@code vDim}, with {@code kvPerToken} cached elements per token, each query
     * attending to at most {@code window} of them (sparse attention's top-k, a sliding window). Decode: each
     * sequence's new token against its {@code tokens}-long cache, of which it reads what it attends to. Prefill:
     * causal, so the t·(t+1)/2 query-key pairs of a t-token prompt (fewer with a window); Q, K, V and the output move
     * once (the new tokens' cache entries are written before it, with the rotary embedding).
     */
    private int attention(String id, int[] group, long heads, long kvHeads, long qkDim, long vDim, long kvPerToken,
                          long window, int... after) {
        double t = step.tokens();
        Work.Attention work;
        if (step.phase() == Phase.DECODE) {
            double read = step.attended(window);
            work = new Work.Attention(2.0 * sequences * heads * read * (qkDim + vDim),
                    sequences * read * kvPerToken * step.kvBytesPerElement() + tokens * heads * (qkDim + vDim) * BYTES);
        } else {
            double w = Math.min(t, window); // the first w queries see 1, 2, … w tokens; each later one w
            double pairs = w * (w + 1) / 2 + (t - w) * w;
            work = new Work.Attention(2.0 * sequences * heads * pairs * (qkDim + vDim),
                    tokens * (heads + kvHeads) * (qkDim + vDim) * BYTES);
        }
        return graph.op(id + ".attention", step.phase() == Phase.DECODE ? "attention (KV-cache read)"
                : "attention (causal)", group, work, after);
    }

    /** A dense SwiGLU MLP split over the replica, its all-reduce and the residual add (with the next norm). */
    int denseMlp(String id, int[] group, int[] replica, int after) {
        int mlp = mlp(id + ".mlp", "dense MLP", group, m, model.denseIntermediate() / tp, 1, after);
        return residual(id, group, allReduce(id + ".mlp", replica, mlp), -1);
    }

    /**
     * The router's GEMM and its top-k: a kernel that reads the scores and writes each token's choices. The router
     * stays in bf16 in a quantised checkpoint (Qwen3's and MiniMax's fp8 configs list their {@code gate} among
     * {@code modules_to_not_convert}; DeepSeek's fp8 checkpoint keeps its gate weights in bf16), as the LM head does.
     */
    int router(String id, int[] group, int after) {
        Experts e = model.experts();
        int scores = unquantizedGemm(id + ".router", "router", group, m, model.hidden(), e.experts(), after);
        return graph.op(id + ".topk", "top-k of the router's scores", group,
                new Work.Memory(tokens * ((double) e.experts() * SCORE_BYTES + (double) e.topK() * CHOICE_BYTES)),
                scores);
    }

    /**
     * The shared expert split over the replica, with its own all-reduce unless {@code reducedLater} (one all-reduce
     * then sums it with the routed experts); {@code after} itself when there is none.
     */
    int sharedExpert(String id, int[] group, int[] replica, boolean reducedLater, int after) {
        int shared = model.experts().sharedIntermediate();
        if (shared == 0)
            return after;
        int mlp = mlp(id + ".shared", "shared expert", group, m, shared / tp, 1, after);
        return reducedLater ? mlp : allReduce(id + ".shared", replica, mlp);
    }

    /**
     * {@code local} experts on each GPU of {@code group}, each split over {@code expertTp} GPUs, receiving
     * {@code routedRows} token rows in all from the {@code stageTokens} tokens the router spread over every expert.
     * Only the experts some token chose run: with uniform top-k routing, an expert is idle with probability
     * (1 − k/E)^tokens: on one GPU (or group of {@code expertTp}) the whole number of experts that makes on average,
     * and where the experts are spread over several, the step waits for the one that runs the most
     * ({@link Routing#busiestActiveExperts}), each on the rows of an active expert on average. Their up (gate and up)
     * and down GEMMs are each costed as one GEMM of those experts' weights side by side, as a grouped MoE kernel runs
     * them. That one GEMM reads one expert's rows; the others' move once more, in the dispatch's format: TensorRT-LLM's
     * expand kernel writes the routed rows in their experts' order, and vLLM's and SGLang's fused MoE kernel reads them
     * in that order itself.
     */
    int experts(String id, int[] group, int local, double routedRows, double stageTokens, int expertTp, int after) {
        Experts e = model.experts();
        double chosen = 1 - Math.pow(1 - (double) e.topK() / e.experts(), stageTokens);
        // the whole number of experts a GPU runs on average: an active expert's rows are the routed rows over it
        double meanActive = Math.max(1, Math.min(local, Math.ceil(local * chosen - 1e-9)));
        int gpus = e.experts() / local;
        double busiest = gpus == 1 ? meanActive
                : Math.min(local, Math.max(1, Routing.busiestActiveExperts(local, gpus, chosen)));
        int permute = graph.op(id + ".experts.permute", "routed rows in their experts' order", group,
                new Work.Memory(routedRows * model.hidden() * dispatchBytes()), after);
        return mlp(id + ".experts", experts(busiest) + " routed experts", group, rows(routedRows / meanActive),
                e.expertIntermediate() / expertTp, busiest, permute);
    }

    /** A count of experts as a name says it: whole, or to two decimals where it is an expectation. */
    private static String experts(double count) {
        return Math.abs(count - Math.rint(count)) < 1e-9 ? Long.toString(Math.round(count))
                : String.format(Locale.ROOT, "%.2f", count);
    }

    /**
     * Each token's {@code partsPerToken} expert outputs (its top-k, and their slices where an expert is split over
     * GPUs; on average fewer than one where a GPU holds 1/ep of the experts and every token) weighted and summed into
     * one row, where they meet: {@code rows} of them read, one per token written (a kernel of its own in every engine:
     * TensorRT-LLM's finalize, vLLM's and SGLang's MoE sum).
     */
    int sumExpertOutputs(String id, int[] group, double rows, double partsPerToken, int after) {
        return graph.op(id + ".experts.sum", "expert outputs weighted and summed", group,
                new Work.Memory(hiddenBytes(rows + rows / partsPerToken)), after);
    }

    /**
     * Bytes per element a token is sent to its experts in: fp8 when the experts' weights are fp8 (DeepEP and
     * TensorRT-LLM quantise before dispatch, vLLM and SGLang before the experts' GEMM; the scales, 1/128 of that,
     * aside), bf16 otherwise.
     */
    int dispatchBytes() {
        return Math.min(BYTES, model.weights().bytesPerWeight());
    }

    /**
     * {@code groups} SwiGLU MLPs of {@code width} side by side, on {@code rows} rows each: up, activation, down (an
     * expected number of experts may be fractional: the GEMMs' n rounded).
     */
    private int mlp(String id, String name, int[] group, long rows, long width, double groups, int after) {
        int up = gemm(id + ".up", name + " gate and up", group, rows, model.hidden(), Math.round(groups * 2 * width),
                after);
        int act = graph.op(id + ".act", name + " activation", group,
                new Work.Memory(3.0 * groups * rows * width * BYTES), up);
        return gemm(id + ".down", name + " down", group, rows, width, Math.round(groups * model.hidden()), act);
    }

    /**
     * The residual add once {@code a} and {@code b} (-1: none) are done, with the norm of the next layer's input (or
     * the final norm) in the same kernel, as every engine runs them.
     */
    int residual(String id, int[] group, int a, int b) {
        return addAndNorm(id + ".residual", group, andAny(a, b));
    }

    /** A fused residual add and norm: it reads the output and the residual, and writes the sum and its norm. */
    private int addAndNorm(String id, int[] group, int... after) {
        return graph.op(id, "residual add and norm", group, new Work.Memory(4 * hiddenBytes(tokens)), after);
    }

    /** An all-reduce of the replica's activations, or {@code after} itself on one GPU. */
    private int allReduce(String id, int[] replica, int after) {
        if (replica.length < 2)
            return after;
        return graph.op(id + "_all_reduce", "all-reduce", replica,
                new Work.Comm(Collective.ALL_REDUCE, hiddenBytes(tokens)), after);
    }

    /**
     * The replica's activations all-gathered, when each of its GPUs holds a part of them after the experts (its
     * share of the dispatch, or of a reduce-scatter); {@code after} itself on one GPU.
     */
    int gatherReplica(String id, int[] replica, int after) {
        if (replica.length < 2)
            return after;
        return graph.op(id + ".replica_gather", "all-gather the replica's tokens", replica,
                new Work.Comm(Collective.ALL_GATHER, hiddenBytes(tokens)), after);
    }

    /**
     * The LM head on the last token of each sequence (vocab split over the replica), after the last layer's residual
     * add and the final norm: in bf16 whatever the other GEMMs' format, as engines serve a quantised checkpoint (its
     * quantisation leaves {@code lm_head} out: ModelOpt's and DeepSeek's fp8 checkpoints, vLLM's and SGLang's fp8
     * schemes quantise linear layers, not the vocabulary projection) and as {@code MemoryFootprint} holds it.
     */
    void lmHead(String prefix, int[] group, int after) {
        unquantizedGemm(prefix + ".lm_head", "LM head", group, rows(sequences), model.hidden(),
                Math.ceilDiv(model.vocab(), tp), after);
    }
}
