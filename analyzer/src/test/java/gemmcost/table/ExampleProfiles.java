package gemmcost.table;

import java.time.Instant;
import java.util.List;

/** Profiles with known content, shared by the format tests. */
final class ExampleProfiles {
    private ExampleProfiles() {
    }

    /** Every field set; the content of {@code golden/profile-v1.json}. */
    static Profile full() {
        Profile.Device device = new Profile.Device("NVIDIA H100 80GB HBM3", "h100-sxm", "9.0", 132,
                85_520_809_984L, 52_428_800L,
                new Profile.Clocks(1980, 1755, 2619, 2619, List.of("SwPowerCap")),
                "550.54.15", "12.4", "12.4.5.8", 2.95e12);
        Profile.Host host = new Profile.Host("gpu-node-7", "Linux 5.15.0 amd64", "AMD EPYC 9454 48-Core Processor");
        Profile.Timing timing = new Profile.Timing("cuda_event", 5, true, "median",
                "rel_stdev <= 0.5% after >= 10 samples, or 15 s", "cublasLt");
        Profile.Provenance provenance = new Profile.Provenance(Profile.Kind.MEASURED, "scripts/gemmcost measure",
                "0.1.0", "685e225", Instant.parse("2025-01-31T12:34:56Z"));
        List<ProfileEntry> entries = List.of(
                new ProfileEntry(new GemmShape(4096, 4096, 4096), 180.25, 179.5, 181.0, 40, List.of()),
                new ProfileEntry(new GemmShape(1, 4096, 4096), 11.5, 11.25, 12.0, 200, EntryFlag.parseAll(List.of("hot_l2"))),
                new ProfileEntry(new GemmShape(2_097_152, 512, 4096), 12_345_678.9, 12_300_000.0, 12_400_000.125, 10,
                        EntryFlag.parseAll(List.of("m_chunked", "throttled"))),
                new ProfileEntry(new GemmShape(16, 16, 16), 0.000_125, 1),
                new ProfileEntry(new GemmShape(1, 4096, 1024), 7.0, 3));
        return new Profile(device, host, timing, "bf16", "fp32", provenance, entries);
    }

    /** Only the required fields. */
    static Profile minimal() {
        return new Profile(Profile.Device.named("H100", null), Profile.Host.UNKNOWN, Profile.Timing.UNKNOWN, "fp16",
                null, new Profile.Provenance(Profile.Kind.IMPORTED, null, "0.1.0-SNAPSHOT", null,
                Instant.parse("2025-02-01T00:00:00Z")),
                List.of(new ProfileEntry(new GemmShape(8, 16, 32), 4.5, 1)));
    }
}
