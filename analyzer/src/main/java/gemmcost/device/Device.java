package gemmcost.device;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One GPU model's datasheet limits. Tensor-core peaks are dense (never the 2:4-sparse figures that product
 * pages print first); fp32 is the non-tensor-core SIMT peak.
 *
 * @param id                    catalog key used on the command line, e.g. {@code h100-sxm}
 * @param name                  marketing name
 * @param smCount               streaming multiprocessors
 * @param memoryBytes           device memory in bytes (the catalog's: the datasheet's binary gigabytes)
 * @param bandwidthBytesPerSec  peak memory bandwidth, decimal bytes per second
 * @param peakFlopsPerSec       dense peak per dtype; a dtype missing here has no datasheet peak on this device
 * @param source                where the numbers come from
 */
public record Device(String id, String name, int smCount, long memoryBytes, double bandwidthBytesPerSec,
                     Map<Dtype, Double> peakFlopsPerSec, String source) {
    /**
     * Bytes in a binary gigabyte (GiB), the unit datasheets give GPU memory in: HBM and GDDR come in power-of-two
     * gigabit dies (H100: five 16 GiB stacks enabled, 80 GiB), and the H200 this project measured
     * (profiles/nvidia-h200) has 150,109,880,320 bytes as CUDA reports them (139.8 GiB, the driver keeps the rest)
     * under its "141 GB". Bandwidths are decimal.
     */
    public static final long GIB = 1L << 30;

    public Device {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        if (smCount <= 0 || memoryBytes <= 0 || !(bandwidthBytesPerSec > 0)) {
            throw new IllegalArgumentException("must be > 0: smCount=" + smCount + ", memoryBytes=" + memoryBytes
                    + ", bandwidthBytesPerSec=" + bandwidthBytesPerSec);
        }
        peakFlopsPerSec = Map.copyOf(peakFlopsPerSec);
        peakFlopsPerSec.forEach((dtype, peak) -> {
            if (!(peak > 0)) {
                throw new IllegalArgumentException("must be > 0: peakFlopsPerSec[" + dtype.id() + "]=" + peak);
            }
        });
    }

    /** The roofline of this device for {@code dtype}, if the datasheet gives a peak for it. */
    public Optional<Roofline> roofline(Dtype dtype) {
        Double peak = peakFlopsPerSec.get(dtype.peakDtype());
        return peak == null ? Optional.empty()
                : Optional.of(new Roofline(peak, bandwidthBytesPerSec, dtype.elementBytes()));
    }
}
