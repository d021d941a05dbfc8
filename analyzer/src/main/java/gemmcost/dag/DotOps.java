package gemmcost.dag;

import gemmcost.comm.Collective;
import gemmcost.table.GemmShape;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Decides what an agent-DOT node does from its label text (the shape attribute carries no reliable meaning). */
final class DotOps {
    /** Element bytes assumed for shapes in labels, which never state a dtype. */
    static final int BYTES = 2;

    private static final Pattern IO = Pattern.compile("^(model |final |)(input|output)s?( .*)?$");
    private static final Pattern MEMORY = Pattern.compile(
            "norm|softmax|residual|\\badd\\b|activation|gelu|relu|silu|swiglu|dropout|embedding|split|concat"
                    + "|aggregat|scale|mask|rope|positional|weighted sum");
    private static final Pattern GEMM = Pattern.compile(
            "proj|linear|qkv|mlp|ffn|\\bfc\\d?\\b|expert|gate|router|lm head|matmul|gemm|\\bup\\b|\\bdown\\b|dense");
    private static final Pattern TOKEN_DIM = Pattern.compile("batch|seq|token|^b$|^s$|^t$");

    private DotOps() {
    }

    /** The node's work and one line on what was inferred (or why it was not understood). */
    record Inference(Work work, String note) {
    }

    static Inference infer(DotLabel label) {
        String op = label.opName().toLowerCase(Locale.ROOT);
        Collective collective = collective(op);
        if (collective != null)
            return comm(collective, label);
        // "Output Projection" and "Input Embedding" name ops, not the graph's ends
        if (IO.matcher(op).matches() && !GEMM.matcher(op).find() && !MEMORY.matcher(op).find())
            return new Inference(new Work.Marker("graph input/output marker"), "graph input/output marker: 0 us");
        // an attention block's projections ("Attention Output Projection", "attn qkv proj") are GEMMs
        if ((op.contains("attention") || op.contains("attn") || op.contains("score")) && !op.contains("proj"))
            return attention(op, label);
        if (MEMORY.matcher(op).find())
            return memory(label);
        if (GEMM.matcher(op).find())
            return gemm(label);
        return unknown("op name '" + label.opName() + "' not recognised");
    }

    /** A send of a point-to-point transfer ("Send to Stage 1"), not its receiving end. */
    static boolean sends(DotLabel label) {
        String op = label.opName().toLowerCase(Locale.ROOT);
        return op.matches(".*\\bsend\\b.*") && !receives(label);
    }

    /** The receiving end of a point-to-point transfer ("Receive from Stage 0", "recv"). */
    static boolean receives(DotLabel label) {
        return label.opName().toLowerCase(Locale.ROOT).matches(".*\\b(recv|receive)\\b.*");
    }

    private static Collective collective(String op) {
        if (op.matches(".*all[- _]?reduce.*"))
            return Collective.ALL_REDUCE;
        if (op.matches(".*all[- _]?gather.*"))
            return Collective.ALL_GATHER;
        if (op.matches(".*reduce[- _]?scatter.*"))
            return Collective.REDUCE_SCATTER;
        if (op.matches(".*(all[- _]?to[- _]?all|alltoall|a2a).*"))
            return Collective.ALL_TO_ALL;
        if (op.matches(".*(dispatch|combine|return to).*"))
            return Collective.M_TO_N;
        if (op.contains("broadcast"))
            return Collective.BROADCAST;
        if (op.matches(".*(send|recv|receive|transfer|p2p|communication).*"))
            return Collective.SEND_RECV;
        return null;
    }

    private static Inference comm(Collective collective, DotLabel label) {
        List<DotLabel.Dim> data = label.inputs().isEmpty() ? label.output() : label.inputs().get(0);
        Long elements = product(data);
        if (elements == null)
            return unknown(collective.id() + " without a numeric tensor size");
        double bytes = (double) elements * BYTES;
        return new Inference(new Work.Comm(collective, bytes), collective.id() + " of " + elements + " elements × "
                + BYTES + " B (size as written in the label)");
    }

    private static Inference memory(DotLabel label) {
        if (label.inputs().isEmpty() && label.output().isEmpty())
            return unknown("memory-bound op without Input/Output sizes");
        long elements = 0;
        for (List<DotLabel.Dim> t : label.inputs()) {
            Long e = product(t);
            if (e == null)
                return unknown("memory-bound op with a symbolic size");
            elements = Math.addExact(elements, e);
        }
        Long out = product(label.output());
        if (out == null)
            return unknown("memory-bound op with a symbolic output size");
        elements = Math.addExact(elements, out);
        return new Inference(new Work.Memory((double) elements * BYTES),
                "memory-bound: " + elements + " elements read + written × " + BYTES + " B");
    }

    /** m = product of the input's token dims (all but the last if unnamed), k = the rest, n = output's rest. */
    private static Inference gemm(DotLabel label) {
        if (label.inputs().isEmpty() || label.output().isEmpty())
            return unknown("GEMM-like op without Input and Output shapes");
        List<DotLabel.Dim> in = label.inputs().get(0);
        Optional<DotLabel.Dim> empty = Stream.concat(in.stream(), label.output().stream())
                .filter(d -> d.size() != null && d.size() <= 0).findFirst();
        if (empty.isPresent())
            return unknown("GEMM-like op with a size " + empty.get().size());
        long[] inSplit = split(in);
        long[] outSplit = split(label.output());
        if (inSplit == null || outSplit == null)
            return unknown("GEMM-like op with a symbolic or unnamed size");
        GemmShape shape = new GemmShape(inSplit[0], inSplit[1], outSplit[1]);
        if (Math.max(shape.m(), Math.max(shape.k(), shape.n())) > Integer.MAX_VALUE)
            return unknown("GEMM-like op " + shape + " with a dimension beyond 2^31 - 1 (cuBLAS's are 32-bit)");
        return new Inference(new Work.Gemm(shape, 1), "GEMM " + shape + " from Input/Output (m = token dims)");
    }

    /** Attention products costed per head as batched GEMMs when the label gives heads and the head size. */
    private static Inference attention(String op, DotLabel label) {
        List<DotLabel.Dim> dims = label.inputs().isEmpty() ? label.output() : label.inputs().get(0);
        Long batch = named(dims, "batch");
        Long seq = named(dims, "seq");
        Long heads = named(dims, "head", "num_head", "n_head", "nhead");
        Long headDim = named(dims, "head_dim", "d_k", "d_head", "dim");
        if (batch == null || seq == null || heads == null || headDim == null)
            return unknown("attention without batch, seq_len, heads and head_dim in its label");
        boolean scores = op.contains("score") || op.contains("qk");
        GemmShape shape = scores ? new GemmShape(seq, headDim, seq) : new GemmShape(seq, seq, headDim);
        long count = Math.multiplyExact(batch, heads);
        return new Inference(new Work.Gemm(shape, count),
                (scores ? "QK^T" : "scores x V") + " per head: " + count + " × " + shape);
    }

    private static Long named(List<DotLabel.Dim> dims, String... prefixes) {
        for (DotLabel.Dim d : dims)
            for (String p : prefixes)
                if (d.name().startsWith(p) && d.size() != null && !(p.equals("head") && d.name().contains("dim")))
                    return d.size();
        return null;
    }

    /** {tokens, features} of a tensor, or null if any size is symbolic. */
    private static long[] split(List<DotLabel.Dim> dims) {
        if (dims.size() < 2)
            return null;
        boolean named = dims.stream().anyMatch(d -> !d.name().isEmpty());
        long tokens = 1;
        long features = 1;
        for (int i = 0; i < dims.size(); i++) {
            DotLabel.Dim d = dims.get(i);
            if (d.size() == null)
                return null;
            boolean token = named ? TOKEN_DIM.matcher(d.name()).find() : i < dims.size() - 1;
            if (token)
                tokens = Math.multiplyExact(tokens, d.size());
            else
                features = Math.multiplyExact(features, d.size());
        }
        return tokens == 1 && features == 1 ? null : new long[] {tokens, features};
    }

    private static Long product(List<DotLabel.Dim> dims) {
        if (dims.isEmpty())
            return null;
        long p = 1;
        for (DotLabel.Dim d : dims) {
            if (d.size() == null || d.size() <= 0)
                return null;
            p = Math.multiplyExact(p, d.size()); // a size beyond a long is refused, not taken for a symbolic one
        }
        return p;
    }

    private static Inference unknown(String why) {
        return new Inference(new Work.Unknown(why), "not understood: " + why + " (costed 0)");
    }
}
