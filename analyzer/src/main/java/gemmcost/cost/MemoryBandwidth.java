package gemmcost.cost;

import gemmcost.device.Device;
import gemmcost.gettime.Label;
import gemmcost.table.Profile;
import java.util.Optional;

/**
 * The device-memory bandwidth memory-bound ops are costed with, and how it was obtained: measured with the table
 * (an achievable rate, so those times are labelled {@link Label#MEASURED_BANDWIDTH}; {@link Label#SIMULATED} on the
 * CUDA stand-in) or the datasheet peak (a lower bound, {@link Label#MODELED}).
 */
public record MemoryBandwidth(double bytesPerSec, Label label, String source) {
    public MemoryBandwidth {
        if (!(bytesPerSec > 0 && Double.isFinite(bytesPerSec)))
            throw new IllegalArgumentException("must be finite and > 0: bytesPerSec=" + bytesPerSec);
    }

    /** The datasheet peak of a catalog device. */
    public static MemoryBandwidth datasheet(Device device) {
        return new MemoryBandwidth(device.bandwidthBytesPerSec(), Label.MODELED, "datasheet bandwidth");
    }

    /**
     * What streaming kernels reach of the datasheet bandwidth: decode GEMMs on an H100 SXM stream weights at
     * 3.02–3.08 TB/s of 3.35 (Vidur's public profiles, Llama-2-70B up-projection at TP1, {@code gpu-limits.md} §5).
     */
    public static final double ACHIEVABLE_BANDWIDTH_FRACTION = 0.90;

    /** {@link #ACHIEVABLE_BANDWIDTH_FRACTION} of a catalog device's datasheet peak: a modeled achievable rate. */
    public static MemoryBandwidth achievable(Device device) {
        return new MemoryBandwidth(device.bandwidthBytesPerSec() * ACHIEVABLE_BANDWIDTH_FRACTION, Label.MODELED,
                Math.round(ACHIEVABLE_BANDWIDTH_FRACTION * 100) + " % of the datasheet bandwidth");
    }

    /** The bandwidth a table measured, if it has one. */
    public static Optional<MemoryBandwidth> measured(Profile table) {
        Double measured = table.device().memoryBandwidthBytesPerSec();
        if (measured == null)
            return Optional.empty();
        boolean simulated = table.provenance().kind() == Profile.Kind.SIMULATED;
        return Optional.of(new MemoryBandwidth(measured, simulated ? Label.SIMULATED : Label.MEASURED_BANDWIDTH,
                simulated ? "simulated bandwidth" : "measured bandwidth"));
    }
}
