package gemmcost.table;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A cost table: GEMM times for one device and dtype, with everything needed to judge the numbers (device
 * state, host, timing method, provenance). Entries are sorted by shape and unique. Optional fields are
 * {@code null} when unknown; the nested records then say "unknown" by having only null fields. The JSON form
 * (schema {@value #SCHEMA} version {@value #SCHEMA_VERSION}) is read and written by {@link ProfileJson}.
 */
public record Profile(Device device, Host host, Timing timing, String dtype, String computeType,
                      Provenance provenance, List<ProfileEntry> entries) {
    public static final String SCHEMA = "gemmcost.profile";
    public static final int SCHEMA_VERSION = 1;

    public Profile {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(provenance, "provenance");
        requireText(dtype, "dtype");
        if (entries.isEmpty())
            throw new IllegalArgumentException("must not be empty: entries");
        List<ProfileEntry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.shape().compareTo(b.shape()));
        for (int i = 1; i < sorted.size(); i++)
            if (sorted.get(i).shape().equals(sorted.get(i - 1).shape()))
                throw new IllegalArgumentException("duplicate shape: " + sorted.get(i).shape());
        entries = List.copyOf(sorted);
    }

    /**
     * The GPU the times belong to. {@code catalogId} is a key of the device catalog (e.g. {@code h100-sxm});
     * {@code memoryBandwidthBytesPerSec} the achievable device-memory bandwidth measured with the table (a large
     * device-to-device copy, bytes read plus written per second), null when not measured.
     */
    public record Device(String name, String catalogId, String computeCapability, Integer smCount,
                         Long memoryBytes, Long l2Bytes, Clocks clocks, String driverVersion,
                         String cudaRuntimeVersion, String cublasVersion, Double memoryBandwidthBytesPerSec) {
        public Device {
            requireText(name, "device name");
            Objects.requireNonNull(clocks, "clocks");
            if (memoryBandwidthBytesPerSec != null
                    && !(memoryBandwidthBytesPerSec > 0 && Double.isFinite(memoryBandwidthBytesPerSec)))
                throw new IllegalArgumentException("must be finite and > 0: memoryBandwidthBytesPerSec="
                        + memoryBandwidthBytesPerSec);
        }

        /** A device known only by name (and optionally its catalog id). */
        public static Device named(String name, String catalogId) {
            return new Device(name, catalogId, null, null, null, null, Clocks.UNKNOWN, null, null, null, null);
        }
    }

    /** Clocks seen during the measurement, in MHz, and the NVML clock-event (throttle) reasons observed. */
    public record Clocks(Integer smMhzStart, Integer smMhzEnd, Integer memMhzStart, Integer memMhzEnd,
                         List<String> throttleReasons) {
        public static final Clocks UNKNOWN = new Clocks(null, null, null, null, List.of());

        public Clocks {
            throttleReasons = List.copyOf(throttleReasons);
        }
    }

    /** The machine the measurement ran on. */
    public record Host(String hostname, String os, String cpu) {
        public static final Host UNKNOWN = new Host(null, null, null);
    }

    /**
     * How each time was taken: {@code timer} (e.g. {@code cuda_event}), untimed warm-up launches per shape,
     * whether L2 was flushed before each sample, the {@code statistic} of {@code time_us} (e.g. {@code median}),
     * the rule that stopped sampling, and the GEMM backend (e.g. {@code cublasLt}).
     */
    public record Timing(String timer, Integer warmupIterations, Boolean l2Flush, String statistic,
                         String stoppingRule, String backend) {
        public static final Timing UNKNOWN = new Timing(null, null, null, null, null, null);
    }

    /** Where the numbers come from and which gemmcost wrote the file; {@code createdUtc} is a UTC instant. */
    public record Provenance(Kind kind, String source, String toolVersion, String gitCommit, Instant createdUtc) {
        /** How the source of every table made on gemmcost's CUDA stand-in begins. */
        public static final String STANDIN_SOURCE = "SIMULATED on gemmcost's CUDA stand-in";

        public Provenance {
            Objects.requireNonNull(kind, "kind");
            requireText(toolVersion, "tool_version");
            Objects.requireNonNull(createdUtc, "createdUtc");
        }
    }

    /**
     * Whether gemmcost measured the times itself, imported them from someone else's measurements, or simulated them
     * on its CUDA stand-in (a test of the bench without a GPU, never a measurement).
     */
    public enum Kind {
        MEASURED, IMPORTED, SIMULATED;

        /** The JSON spelling, e.g. {@code "imported"}. */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank())
            throw new IllegalArgumentException("must not be blank: " + name + "=" + value);
    }
}
