package gemmcost.model;

/**
 * What a deployment serves, apart from the model's architecture: {@code batch} sequences per step, and
 * {@code seqLen}, the prompt length in prefill and the KV-cache length each decode step reads.
 */
public record Workload(int batch, int seqLen) {
    public Workload {
        if (batch <= 0 || seqLen <= 0)
            throw new IllegalArgumentException("must be > 0: batch=" + batch + ", seqLen=" + seqLen);
    }

    public Workload withBatch(int sequences) {
        return new Workload(sequences, seqLen);
    }

    public Workload withSeqLen(int tokens) {
        return new Workload(batch, tokens);
    }
}
