package gemmcost.comm;

import java.util.Locale;
import java.util.Optional;

/**
 * Communication patterns, with the nccl-tests bus-bandwidth factor and the ring-algorithm step count for
 * {@code n} ranks (Thakur, Rabenseifner, Gropp 2005; nccl-tests doc/PERFORMANCE.md).
 */
public enum Collective {
    ALL_REDUCE, ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL, BROADCAST,
    /** Point-to-point send/recv between two ranks (pipeline stages). */
    SEND_RECV,
    /** M senders to N receivers (MoE dispatch and combine); {@code bytes} is what the busiest receiver gets. */
    M_TO_N;

    /** busbw = algbw × factor, so t = S · factor / busbw. */
    public double busBandwidthFactor(int ranks) {
        double n = ranks;
        return switch (this) {
            case ALL_REDUCE -> 2 * (n - 1) / n;
            case ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL -> (n - 1) / n;
            case BROADCAST, SEND_RECV -> 1;
            case M_TO_N -> 1;
        };
    }

    /** Latency-bound steps of the ring form: each pays the per-hop latency once. */
    public int steps(int ranks) {
        return switch (this) {
            case ALL_REDUCE -> 2 * (ranks - 1);
            case ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL, BROADCAST -> ranks - 1;
            case SEND_RECV, M_TO_N -> 1;
        };
    }

    /**
     * Whether it moves data among its own ranks only, so that over one rank there is nothing to exchange; a
     * send/recv or an M-to-N listed on one GPU still crosses to another.
     */
    public boolean amongItsRanks() {
        return this != SEND_RECV && this != M_TO_N;
    }

    /** The JSON name, e.g. {@code all_reduce}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Collective> parse(String id) {
        for (Collective c : values())
            if (c.id().equals(id))
                return Optional.of(c);
        return Optional.empty();
    }
}
