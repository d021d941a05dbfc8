package gemmcost.model;

import java.util.Locale;
import java.util.Optional;

/** Prefill processes every prompt token (m = batch·seq); a decode step one token per sequence (m = batch). */
public enum Phase {
    PREFILL, DECODE;

    /** {@code prefill} or {@code decode}. */
    public static Optional<Phase> parse(String id) {
        for (Phase p : values())
            if (p.id().equals(id))
                return Optional.of(p);
        return Optional.empty();
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Tokens in one step for {@code sequences} sequences of length {@code seqLen}. */
    public long tokens(long sequences, long seqLen) {
        return this == PREFILL ? sequences * seqLen : sequences;
    }
}
