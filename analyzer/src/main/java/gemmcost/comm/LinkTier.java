package gemmcost.comm;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One network tier in the α–β form {@code t = baseLatencyUs + steps(n)·hopLatencyUs + S·factor(n)/busbw}: GenZ's
 * collective model (abhibambhaniya/GenZ-LLM-Analyzer collective_times.py) with nccl-tests bus bandwidths.
 *
 * @param name                     e.g. {@code nvlink}
 * @param baseLatencyUs            fixed cost of one collective (launch, synchronisation)
 * @param hopLatencyUs             latency of one ring step
 * @param busBandwidthBytesPerSec  nccl-tests busbw per collective; every collective must be present
 */
public record LinkTier(String name, double baseLatencyUs, double hopLatencyUs,
                       Map<Collective, Double> busBandwidthBytesPerSec) {
    public LinkTier {
        Objects.requireNonNull(name, "name");
        if (!(baseLatencyUs >= 0) || !(hopLatencyUs >= 0))
            throw new IllegalArgumentException("must be >= 0: base_latency_us=" + baseLatencyUs
                    + ", hop_latency_us=" + hopLatencyUs);
        busBandwidthBytesPerSec = Map.copyOf(new EnumMap<>(busBandwidthBytesPerSec));
        for (Collective c : Collective.values()) {
            Double bw = busBandwidthBytesPerSec.get(c);
            if (bw == null || !(bw > 0))
                throw new IllegalArgumentException("must be > 0: busbw_gb_per_s." + c.id() + "=" + bw);
        }
    }

    /** Time of {@code collective} over {@code ranks} ranks with message size {@code bytes}; 0 for one rank. */
    public double timeUs(Collective collective, double bytes, int ranks) {
        if (ranks < 2 && collective.amongItsRanks())
            return 0;
        int n = Math.max(ranks, 2);
        return baseLatencyUs + collective.steps(n) * hopLatencyUs + bandwidthUs(collective, bytes, n);
    }

    /** The bandwidth term alone: {@code S·factor(n)/busbw}. */
    public double bandwidthUs(Collective collective, double bytes, int ranks) {
        int n = Math.max(ranks, 2);
        return bytes * collective.busBandwidthFactor(n) / busBandwidthBytesPerSec.get(collective) * 1e6;
    }
}
