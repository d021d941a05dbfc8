package gemmcost.bench;

import gemmcost.ToolVersion;
import gemmcost.cuda.ClockReader;
import gemmcost.cuda.DeviceProperties;
import gemmcost.cuda.GemmBackend;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileJson;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Profiles one GPU: per dtype, the correctness check, then the sweep (resumable through its journal), then the
 * table written atomically to {@code <out>/<gpu-slug>/<dtype>.json} with the device's own properties and the
 * timing method as provenance.
 */
final class Profiler {
    private final GemmBackend backend;
    private final StoppingRule rule;
    private final int warmupLaunches;
    private final LongSupplier nanoTime;
    private final PrintWriter log;
    private final Supplier<Optional<ClockReader.Sample>> clocks;

    Profiler(GemmBackend backend, StoppingRule rule, int warmupLaunches, LongSupplier nanoTime, PrintWriter log,
             Supplier<Optional<ClockReader.Sample>> clocks) {
        this.backend = backend;
        this.clocks = clocks;
        this.rule = rule;
        this.warmupLaunches = warmupLaunches;
        this.nanoTime = nanoTime;
        this.log = log;
    }

    /** {@code NVIDIA H100 80GB HBM3} → {@code nvidia-h100-80gb-hbm3}. */
    static String slug(String deviceName) {
        return deviceName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    /** Measures every dtype and returns the tables written. */
    List<Path> run(List<Dtype> dtypes, List<GemmShape> shapes, Path outDir) {
        DeviceProperties device = backend.device();
        Path dir = outDir.resolve(slug(device.name()));
        List<Path> written = new ArrayList<>();
        for (Dtype dtype : dtypes) {
            log.println(CorrectnessCheck.require(backend, dtype).describe());
            Path table = dir.resolve(dtype.id() + ".json");
            Instant started = Instant.now();
            Sweep.Result result;
            try (Journal journal = Journal.open(dir.resolve(dtype.id() + ".journal"))) {
                Sweep sweep = new Sweep(backend, dtype, rule, warmupLaunches, nanoTime, clocks);
                result = sweep.run(shapes, journal, log);
            }
            Profile.Clocks seen = clocksSeen(result.clocksAtStart(), result.clocksAtEnd());
            result.failures().forEach(f -> log.println("failed " + f.shape() + ": " + f.reason()));
            if (result.entries().isEmpty()) {
                log.println(dtype.id() + ": no shape measured, no table written");
                continue;
            }
            ProfileJson.write(table, profile(device, dtype, result, started, seen));
            log.printf(Locale.ROOT, "wrote %s: %d shapes (%d failed) in %s%n", table, result.entries().size(),
                    result.failures().size(), Duration.between(started, Instant.now()).truncatedTo(ChronoUnit.SECONDS));
            written.add(table);
        }
        return written;
    }

    /** SM and memory clocks before and after the sweep, and every clock-event reason seen in either reading. */
    static Profile.Clocks clocksSeen(Optional<ClockReader.Sample> before, Optional<ClockReader.Sample> after) {
        Set<String> reasons = new TreeSet<>();
        before.ifPresent(s -> reasons.addAll(s.reasons()));
        after.ifPresent(s -> reasons.addAll(s.reasons()));
        return new Profile.Clocks(before.map(ClockReader.Sample::smMhz).orElse(null),
                after.map(ClockReader.Sample::smMhz).orElse(null), before.map(ClockReader.Sample::memMhz).orElse(null),
                after.map(ClockReader.Sample::memMhz).orElse(null), List.copyOf(reasons));
    }

    private Profile profile(DeviceProperties d, Dtype dtype, Sweep.Result result, Instant started,
                            Profile.Clocks seen) {
        ToolVersion tool = ToolVersion.current();
        Profile.Device device = new Profile.Device(d.name(), DeviceCatalog.matchName(d.name()).map(Device::id).orElse(null),
                d.computeCapability(), d.smCount(), d.memoryBytes(), d.l2Bytes(), seen,
                d.driverVersion(), d.runtimeVersion(), d.cublasVersion());
        Profile.Timing timing = new Profile.Timing("cuda_events_per_launch", warmupLaunches, true,
                "median (p10/p90 spread)", rule.describe(), backend.name());
        Profile.Provenance provenance = new Profile.Provenance(Profile.Kind.MEASURED,
                "measured by gemmcost profile, started " + started.truncatedTo(ChronoUnit.SECONDS),
                tool.version(), tool.gitCommit(), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        return new Profile(device, new Profile.Host(hostname(), System.getProperty("os.name") + " "
                + System.getProperty("os.arch"), null), timing, dtype.id(), "fp32", provenance, result.entries());
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
