package gemmcost.cuda;

import java.util.Objects;

/**
 * What a device says about itself; strings are null when unknown.
 *
 * @param name                marketing name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param computeCapability   e.g. {@code 9.0}
 * @param smCount             streaming multiprocessors
 * @param memoryBytes         total device memory
 * @param l2Bytes             L2 cache size (the flush buffer must exceed it)
 * @param driverVersion       CUDA version the driver supports, e.g. {@code 13.0}
 * @param runtimeVersion      CUDA runtime version, e.g. {@code 13.0}
 * @param cublasVersion       cuBLAS version, e.g. {@code 13.0.2}
 * @param pciBusId            e.g. {@code 0000:3B:00.0}: which physical GPU, whatever CUDA_VISIBLE_DEVICES says
 * @param uuid                e.g. {@code GPU-5a7d…}, from NVML; null when NVML is not there
 * @param simulated           true on gemmcost's CUDA stand-in: its times come from a virtual clock, never a GPU
 */
public record DeviceProperties(String name, String computeCapability, int smCount, long memoryBytes, long l2Bytes,
                               String driverVersion, String runtimeVersion, String cublasVersion,
                               String pciBusId, String uuid, boolean simulated) {
    public DeviceProperties {
        Objects.requireNonNull(name, "name");
        if (smCount <= 0 || memoryBytes <= 0 || l2Bytes <= 0) {
            throw new IllegalArgumentException("must be > 0: smCount=" + smCount + ", memoryBytes=" + memoryBytes
                    + ", l2Bytes=" + l2Bytes);
        }
    }

    /** The memset before each timed launch: max(2 × L2, 256 MiB), so no operand survives in L2 (timing-method §3). */
    public long l2FlushBytes() {
        return Math.max(2 * l2Bytes, 256L << 20);
    }

    /** The first {@code count} dot-separated integers of {@code version} ("12.6.4.1"), or null where there are not. */
    static int[] versionParts(String version, int count) {
        if (version == null)
            return null;
        String[] parts = version.split("\\.");
        if (parts.length < count)
            return null;
        int[] out = new int[count];
        try {
            for (int i = 0; i < count; i++)
                out[i] = Integer.parseInt(parts[i]);
        } catch (NumberFormatException e) {
            return null;
        }
        return out;
    }
}
