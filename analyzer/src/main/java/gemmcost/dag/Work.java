package gemmcost.dag;

import gemmcost.comm.Collective;
import gemmcost.table.GemmShape;
import java.util.Objects;

/** What one DAG node does, and so how it is costed. A closed set: costing switches over it exhaustively. */
public sealed interface Work {
    /** A duration given in the input, used as is. */
    record Fixed(double timeUs) implements Work {
        public Fixed {
            if (!(timeUs >= 0) || Double.isInfinite(timeUs))
                throw new IllegalArgumentException("must be finite and >= 0: duration_us=" + timeUs);
        }
    }

    /**
     * {@code count} independent GEMMs of one shape on one GPU (count > 1: a batched GEMM, e.g. attention scores
     * for every sequence of a head). Costed as Get_Time(count·m, k, n): the same FLOPs and output bytes;
     * {@code unquantized}: in bf16 whatever format the model's other GEMMs run in (a quantised checkpoint's LM head
     * and MoE router).
     */
    record Gemm(GemmShape shape, long count, boolean unquantized) implements Work {
        public Gemm {
            Objects.requireNonNull(shape, "shape");
            if (count <= 0)
                throw new IllegalArgumentException("must be > 0: count=" + count);
            if (Math.multiplyHigh(shape.m(), count) != 0 || shape.m() * count < 0)
                throw new IllegalArgumentException("m × count overflows: m=" + shape.m() + ", count=" + count);
        }

        public Gemm(GemmShape shape, long count) {
            this(shape, count, false);
        }

        public Gemm(long m, long k, long n) {
            this(new GemmShape(m, k, n), 1);
        }

        /** The single shape the table is asked for. */
        public GemmShape costedShape() {
            return count == 1 ? shape : new GemmShape(shape.m() * count, shape.k(), shape.n());
        }
    }

    /** A memory-bound operation (norm, softmax, residual, activation, gather): bytes read plus written. */
    record Memory(double bytes) implements Work {
        public Memory {
            if (!(bytes >= 0) || Double.isInfinite(bytes))
                throw new IllegalArgumentException("must be finite and >= 0: bytes=" + bytes);
        }
    }

    /**
     * A fused attention kernel (FlashAttention, FlashMLA): {@code flops} of QKᵀ and ·V on tensor cores and
     * {@code bytes} of Q, K, V (the KV cache in decode) and output moved; costed as the slower of the two.
     */
    record Attention(double flops, double bytes) implements Work {
        public Attention {
            if (!(flops >= 0) || Double.isInfinite(flops) || !(bytes >= 0) || Double.isInfinite(bytes))
                throw new IllegalArgumentException("must be finite and >= 0: flops=" + flops + ", bytes=" + bytes);
        }
    }

    /** A collective or transfer among the node's GPUs; {@code bytes} is the message size S of nccl-tests. */
    record Comm(Collective collective, double bytes) implements Work {
        public Comm {
            Objects.requireNonNull(collective, "collective");
            if (!(bytes >= 0) || Double.isInfinite(bytes))
                throw new IllegalArgumentException("must be finite and >= 0: bytes=" + bytes);
        }
    }

    /**
     * A node that does no work of its own, {@code what} it is: a graph's input or output marker, a join, the receiving
     * end of a transfer its send is costed for. 0 µs, modeled as such.
     */
    record Marker(String what) implements Work {
        public Marker {
            Objects.requireNonNull(what, "what");
        }
    }

    /** A node whose cost could not be determined (an imported label gemmcost did not understand); costs 0. */
    record Unknown(String why) implements Work {
        public Unknown {
            Objects.requireNonNull(why, "why");
        }
    }
}
