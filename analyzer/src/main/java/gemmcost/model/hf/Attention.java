package gemmcost.model.hf;

import java.util.Objects;

/** How a layer attends: grouped-query attention (MHA and MQA are its ends) or DeepSeek's multi-head latent attention. */
public sealed interface Attention {
    int heads();

    /** Weights of one layer's attention projections (and their norms), in elements. */
    long parameters(long hidden);

    /** Elements one token adds to one layer's KV cache. */
    long kvElementsPerToken();

    /** One GPU's share of {@link #parameters} when the heads are split over {@code tp} GPUs. */
    long parametersPerGpu(long hidden, int tp);

    /**
     * The part of {@link #parametersPerGpu} that is no GEMM's weight, its norms and biases, which a quantised
     * checkpoint keeps in bf16.
     */
    long unquantizedParametersPerGpu(int tp);

    /** One GPU's share of {@link #kvElementsPerToken} when the heads are split over {@code tp} GPUs. */
    long kvElementsPerTokenPerGpu(int tp);

    /** Bytes a token adds to one layer's cache on every GPU whatever the KV dtype: a sparse-attention index key. */
    default long indexKeyBytesPerToken() {
        return 0;
    }

    /**
     * {@code kvHeads} K and V heads of {@code headDim}, shared by {@code heads / kvHeads} query heads each; with
     * {@code outputGate} the query projection also makes a per-element gate for the attention's output (Qwen3.5's
     * gated attention: twice the query width); {@code qkNorm} says how the query and key heads are normed before the
     * rotary embedding; with {@code qkvBias} the query, key and value projections add a bias (Qwen2's), which every
     * engine adds in the GEMM's epilogue: weights, no op of its own.
     */
    record Gqa(int heads, int kvHeads, int headDim, boolean outputGate, QkNorm qkNorm, boolean qkvBias)
            implements Attention {
        public Gqa {
            if (heads < 1 || kvHeads < 1 || headDim < 1 || heads % kvHeads != 0)
                throw new IllegalArgumentException("must be >= 1 with kv heads dividing heads: heads=" + heads
                        + ", kvHeads=" + kvHeads + ", headDim=" + headDim);
            Objects.requireNonNull(qkNorm, "qkNorm");
        }

        public Gqa(int heads, int kvHeads, int headDim) {
            this(heads, kvHeads, headDim, false, QkNorm.NONE, false);
        }

        /** The query projection's outputs per query head: the query, and the gate where there is one. */
        public int queryWidthPerHead() {
            return outputGate ? 2 * headDim : headDim;
        }

        @Override
        public long parameters(long hidden) {
            return parametersPerGpu(hidden, 1);
        }

        @Override
        public long kvElementsPerToken() {
            return 2L * kvHeads * headDim;
        }

        /** Query heads split evenly; KV heads too, or each GPU holds a copy of one when there are fewer than GPUs. */
        @Override
        public long parametersPerGpu(long hidden, int tp) {
            long heads = this.heads / tp;
            long q = heads * queryWidthPerHead();
            long o = heads * headDim;
            long kv = 2 * kvHeadsPerGpu(tp) * headDim;
            return hidden * (q + o + kv) + unquantizedParametersPerGpu(tp);
        }

        /** The query, key and value biases of the GPU's heads, and its QK norms' weights. */
        @Override
        public long unquantizedParametersPerGpu(int tp) {
            long bias = qkvBias ? (heads / tp + 2 * kvHeadsPerGpu(tp)) * headDim : 0;
            return bias + qkNormWeightsPerGpu(tp);
        }

        /**
         * The QK norms' weights on one of {@code tp} GPUs: both whole per head, or a {@code tp}-th of a layer's (vLLM
         * shards them so even where the KV heads are copied).
         */
        private long qkNormWeightsPerGpu(int tp) {
            return switch (qkNorm) {
                case NONE -> 0;
                case PER_HEAD -> 2L * headDim;
                case PER_LAYER -> (long) (heads + kvHeads) * headDim / tp;
            };
        }

        @Override
        public long kvElementsPerTokenPerGpu(int tp) {
            return 2L * kvHeadsPerGpu(tp) * headDim;
        }

        /** KV heads one of {@code tp} GPUs holds: its share, or a copy of one when there are fewer than GPUs. */
        public long kvHeadsPerGpu(int tp) {
            return Math.max(1, kvHeads / tp);
        }
    }

    /**
     * Queries through a rank-{@code qLoraRank} bottleneck; keys and values from one cached latent of
     * {@code kvLoraRank} plus a shared rotary key of {@code qkRopeDim} (what the cache holds per token). With an
     * {@code indexer} (DeepSeek Sparse Attention; {@code null}: none) each query attends to its top-k tokens only.
     */
    record Mla(int heads, int qLoraRank, int kvLoraRank, int qkNopeDim, int qkRopeDim, int vHeadDim,
               DsaIndexer indexer) implements Attention {
        public Mla {
            if (heads < 1 || qLoraRank < 1 || kvLoraRank < 1 || qkNopeDim < 1 || qkRopeDim < 1 || vHeadDim < 1)
                throw new IllegalArgumentException("must all be >= 1: heads=" + heads + ", qLoraRank=" + qLoraRank
                        + ", kvLoraRank=" + kvLoraRank + ", qkNopeDim=" + qkNopeDim + ", qkRopeDim=" + qkRopeDim
                        + ", vHeadDim=" + vHeadDim);
        }

        public Mla(int heads, int qLoraRank, int kvLoraRank, int qkNopeDim, int qkRopeDim, int vHeadDim) {
            this(heads, qLoraRank, kvLoraRank, qkNopeDim, qkRopeDim, vHeadDim, null);
        }

        @Override
        public long parameters(long hidden) {
            long qDown = hidden * qLoraRank + qLoraRank; // q_a_proj and its norm
            long qUp = (long) qLoraRank * heads * (qkNopeDim + qkRopeDim);
            long kvDown = hidden * (kvLoraRank + qkRopeDim) + kvLoraRank; // kv_a_proj_with_mqa and its norm
            long kvUp = (long) kvLoraRank * heads * (qkNopeDim + vHeadDim);
            long out = (long) heads * vHeadDim * hidden;
            return qDown + qUp + kvDown + kvUp + out + indexerParameters(hidden);
        }

        @Override
        public long kvElementsPerToken() {
            return kvLoraRank + qkRopeDim;
        }

        /**
         * The down-projections (and their norms) and the indexer on every GPU, as SGLang and vLLM run MLA; the rest
         * split by heads.
         */
        @Override
        public long parametersPerGpu(long hidden, int tp) {
            long whole = hidden * qLoraRank + qLoraRank + hidden * (kvLoraRank + qkRopeDim) + kvLoraRank
                    + indexerParameters(hidden);
            return whole + (parameters(hidden) - whole) / tp;
        }

        /** The query and KV latents' norms, whole on every GPU (the indexer's own norm aside). */
        @Override
        public long unquantizedParametersPerGpu(int tp) {
            return qLoraRank + kvLoraRank;
        }

        /** The latent is not split by heads: every GPU of the group caches all of it. */
        @Override
        public long kvElementsPerTokenPerGpu(int tp) {
            return kvElementsPerToken();
        }

        @Override
        public long indexKeyBytesPerToken() {
            return indexer == null ? 0 : indexer.keyBytesPerToken();
        }

        private long indexerParameters(long hidden) {
            return indexer == null ? 0 : indexer.parameters(hidden, qLoraRank);
        }
    }
}
