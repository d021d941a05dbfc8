package gemmcost.bench;

import gemmcost.ResumableFailure;
import gemmcost.ToolVersion;
import gemmcost.cuda.ClockSample;
import gemmcost.cuda.DeviceProperties;
import gemmcost.cuda.GemmBackend;
import gemmcost.cuda.GpuException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * Profiles one GPU: the device warmed up under load first (its SM clock then is the sweep's baseline), then per
 * dtype the correctness check, the sweep (resumable through its journal) and the table written atomically to
 * {@code <out>/<gpu-slug>/<dtype>.json} with the device's own properties and the timing method as provenance. A
 * table made on the CUDA stand-in says {@code simulated}: it is never a measurement.
 */
public final class Profiler {
    /** The device warm-up's GEMM: large enough to hold a GPU at its sustained clocks. */
    static final GemmShape WARMUP_SHAPE = new GemmShape(8192, 8192, 8192);

    private final GemmBackend backend;
    private final StoppingRule rule;
    private final Warmup warmup;
    private final double deviceWarmupS;
    private final LongSupplier nanoTime;
    private final PrintWriter log;
    private final Sweep.Clocks clocks;

    public Profiler(GemmBackend backend, StoppingRule rule, Warmup warmup, double deviceWarmupS, LongSupplier nanoTime,
             PrintWriter log, Sweep.Clocks clocks) {
        this.backend = backend;
        this.rule = rule;
        this.warmup = warmup;
        this.deviceWarmupS = deviceWarmupS;
        this.nanoTime = nanoTime;
        this.log = log;
        this.clocks = clocks;
    }

    /** {@code NVIDIA H100 80GB HBM3} → {@code nvidia-h100-80gb-hbm3}. */
    static String slug(String deviceName) {
        return deviceName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    /** Measures every dtype and returns the tables written. */
    public List<Path> run(List<Dtype> dtypes, List<GemmShape> shapes, Path outDir) {
        return run(dtypes, shapes, outDir, Long.MAX_VALUE);
    }

    /**
     * As {@link #run(List, List, Path)}, starting no shape once {@code nanoTime} reaches {@code deadlineNanos}: each
     * dtype's table then holds the shapes measured so far (its source says partial) and the journal lets the same
     * command resume the rest.
     */
    public List<Path> run(List<Dtype> dtypes, List<GemmShape> shapes, Path outDir, long deadlineNanos) {
        DeviceProperties device = backend.device();
        Path dir = outDir.resolve(slug(device.name()));
        List<Path> written = new ArrayList<>();
        Baseline baseline = null;
        Double bandwidth = null;
        for (Dtype dtype : dtypes)
            Journal.requireResumable(journal(dir, dtype), setup(dtype));
        for (Dtype dtype : dtypes) {
            log.println(CorrectnessCheck.require(backend, dtype).describe());
            boolean first = baseline == null;
            if (first) {
                baseline = warmUpDevice(dtype);
            }
            Sweep sweep = new Sweep(backend, dtype, rule, warmup, nanoTime, clocks, baseline.smMhz());
            if (first) {
                bandwidth = measureBandwidth(sweep);
            }
            Path table = dir.resolve(dtype.id() + ".json");
            Instant started = Instant.now();
            Sweep.Result result;
            try (Journal journal = Journal.open(journal(dir, dtype), setup(dtype))) {
                result = sweep.run(shapes, journal, log, deadlineNanos);
            } catch (Sweep.ContextLost lost) { // the shapes done still make a table, for what follows to use
                lost.partial.failures().forEach(f -> log.println("failed " + f.shape() + ": " + f.reason()));
                if (lost.partial.entries().isEmpty())
                    throw lost;
                ProfileJson.write(table, profile(device, dtype, lost.partial, started,
                        clocksSeen(baseline, lost.partial), bandwidth));
                throw new ResumableFailure(lost.message(" and in " + table), lost.getCause());
            }
            result.failures().forEach(f -> log.println("failed " + f.shape() + ": " + f.reason()));
            if (result.notStarted() > 0) {
                log.printf(Locale.ROOT, "%s: time limit reached, %d of %d shapes not started; the journal holds the"
                        + " %d done: run the same command again to resume%n", dtype.id(), result.notStarted(),
                        shapes.size(), result.entries().size());
            }
            if (result.entries().isEmpty()) {
                log.println(dtype.id() + ": no shape measured, no table written");
                continue;
            }
            ProfileJson.write(table, profile(device, dtype, result, started, clocksSeen(baseline, result), bandwidth));
            log.printf(Locale.ROOT, "wrote %s: %d shapes (%d failed), this run's sweep in %.1f s%n", table,
                    result.entries().size(), result.failures().size(),
                    Duration.between(started, Instant.now()).toMillis() / 1e3);
            written.add(table);
        }
        return written;
    }

    /**
     * The median SM and memory clocks of the device warm-up's second half, under load: the SM clock is the baseline
     * the shapes' clocks are compared with; both are the table's {@code sm_mhz_start} and {@code mem_mhz_start}.
     */
    record Baseline(OptionalInt smMhz, OptionalInt memMhz) {
        static Baseline of(List<ClockSample> underLoad) {
            return new Baseline(median(underLoad, ClockSample::smMhz), median(underLoad, ClockSample::memMhz));
        }

        private static OptionalInt median(List<ClockSample> samples, ToIntFunction<ClockSample> clock) {
            int[] mhz = samples.stream().mapToInt(clock).sorted().toArray();
            return mhz.length == 0 ? OptionalInt.empty() : OptionalInt.of(mhz[mhz.length / 2]);
        }
    }

    /**
     * Runs {@link #WARMUP_SHAPE} back to back for the configured time (mamf-finder warms for 30 s: "a cold
     * accelerator gives a higher score on say a single shape"), for the clocks under load ({@link Baseline}).
     */
    Baseline warmUpDevice(Dtype dtype) {
        long start = nanoTime.getAsLong();
        long end = start + (long) (deviceWarmupS * 1e9);
        int launches = 0;
        try (GemmBackend.GemmTrial trial = backend.open(WARMUP_SHAPE, dtype)) {
            do {
                trial.launchUs();
                launches++;
            } while (nanoTime.getAsLong() < end);
        }
        Baseline baseline = Baseline.of(clocks.between(start + (end - start) / 2, nanoTime.getAsLong()));
        log.printf(Locale.ROOT, "device warm-up: %d launches of %s %s in %.1f s; SM clock under load: %s%n", launches,
                WARMUP_SHAPE, dtype.id(), (nanoTime.getAsLong() - start) / 1e9, baseline.smMhz().isPresent()
                        ? baseline.smMhz().getAsInt() + " MHz " + Sweep.reading(backend) : "unknown");
        return baseline;
    }

    /** Bytes each copy of the bandwidth measurement moves one way: far beyond any L2, small beside device memory. */
    static final long BANDWIDTH_COPY_BYTES = 2L << 30;
    static final long BANDWIDTH_MIN_BYTES = 64L << 20;

    /**
     * The achievable device-memory bandwidth: a {@value #BANDWIDTH_COPY_BYTES}-byte device-to-device copy timed
     * like a GEMM (flush, events around one copy, the same warm-up and stopping rule); it reads and writes that many
     * bytes, so bandwidth = 2 · bytes / median time. A power of two, at most a quarter of what the sweep may use, halved
     * while the device runs out of memory (another process may hold some) down to {@value #BANDWIDTH_MIN_BYTES}
     * bytes; null, said on the log, when even that does not fit.
     */
    Double measureBandwidth(Sweep sweep) {
        long budget = sweep.budgetBytes();
        long first = Long.highestOneBit(Math.max(1, Math.min(BANDWIDTH_COPY_BYTES, budget / 4)));
        for (long bytes = first; bytes >= BANDWIDTH_MIN_BYTES; bytes /= 2) {
            Samples.Summary s;
            try (GemmBackend.GemmTrial copy = backend.openCopy(bytes)) {
                s = sweep.sample(copy::launchUs);
            } catch (GpuException e) {
                if (e.outOfMemory()) {
                    continue;
                }
                throw e;
            }
            double bytesPerSec = 2.0 * bytes / (s.medianUs() * 1e-6);
            log.printf(Locale.ROOT, "memory bandwidth: %.4g GB/s %s (device-to-device copy of %d MiB, read + written;"
                            + " median of %d, p10-p90 %.4g-%.4g us)%n", bytesPerSec / 1e9,
                    Sweep.reading(backend), bytes >> 20, s.samples(), s.p10Us(),
                    s.p90Us());
            return bytesPerSec;
        }
        log.println("memory bandwidth: not measured (no room for two " + (BANDWIDTH_MIN_BYTES >> 20)
                + " MiB buffers); memory-bound ops will use the datasheet");
        return null;
    }

    private static Path journal(Path dir, Dtype dtype) {
        return dir.resolve(dtype.id() + ".journal");
    }

    /** What a journal's measurements depend on: a resume must not mix two of these. */
    private Map<String, String> setup(Dtype dtype) {
        DeviceProperties d = backend.device();
        Map<String, String> setup = new LinkedHashMap<>();
        setup.put("backend", backend.name());
        setup.put("device", d.name());
        setup.put("pci_bus_id", d.pciBusId());
        setup.put("driver_version", d.driverVersion());
        setup.put("cuda_runtime_version", d.runtimeVersion());
        setup.put("cublas_version", d.cublasVersion());
        setup.put("dtype", dtype.id());
        setup.put("timing", timingRule());
        return setup;
    }

    /** The warm-up and stopping rule, as the table and the journal's setup state them. */
    private String timingRule() {
        return warmup.describe() + "; " + rule.describe();
    }

    /** The clocks under load before the sweep, the last ones seen, and every clock-event reason seen measuring. */
    static Profile.Clocks clocksSeen(Baseline baseline, Sweep.Result result) {
        return new Profile.Clocks(boxed(baseline.smMhz()), result.lastClocks().map(ClockSample::smMhz).orElse(null),
                boxed(baseline.memMhz()), result.lastClocks().map(ClockSample::memMhz).orElse(null),
                List.copyOf(new TreeSet<>(result.reasonsSeen())));
    }

    private static Integer boxed(OptionalInt mhz) {
        return mhz.isPresent() ? mhz.getAsInt() : null;
    }

    private Profile profile(DeviceProperties d, Dtype dtype, Sweep.Result result, Instant started,
                            Profile.Clocks seen, Double bandwidthBytesPerSec) {
        ToolVersion tool = ToolVersion.current();
        Profile.Device device = new Profile.Device(d.name(), DeviceCatalog.matchName(d.name()).map(Device::id).orElse(null),
                d.computeCapability(), d.smCount(), d.memoryBytes(), d.l2Bytes(), seen,
                d.driverVersion(), d.runtimeVersion(), d.cublasVersion(), bandwidthBytesPerSec);
        Profile.Timing timing = new Profile.Timing("cuda_events_per_launch", warmup.minLaunches(), true,
                "median (p10/p90 spread)", timingRule(), backend.name());
        Profile.Kind kind = d.simulated() ? Profile.Kind.SIMULATED : Profile.Kind.MEASURED;
        String source = (d.simulated() ? Profile.Provenance.STANDIN_SOURCE + " (no GPU), by gemmcost profile,"
                : "measured by gemmcost profile,") + " started " + started.truncatedTo(ChronoUnit.SECONDS)
                + result.stoppedBy().map(by -> "; partial: " + by + (result.notStarted() == 0 ? ""
                        : " stopped it with " + result.notStarted() + " shapes of the set not started (the same command"
                        + " resumes them from the journal)")).orElse("");
        Profile.Provenance provenance = new Profile.Provenance(kind, source, tool.version(), tool.gitCommit(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        return new Profile(device, new Profile.Host(hostname(), System.getProperty("os.name") + " "
                + System.getProperty("os.arch"), null), timing, dtype.id(), computeType(dtype), provenance,
                result.entries());
    }

    /**
     * The table's {@code compute_type}: cuBLAS's, fp32 accumulation throughout, on TF32 tensor cores for tf32
     * ({@code CUBLAS_COMPUTE_32F_FAST_TF32}).
     */
    static String computeType(Dtype dtype) {
        return dtype == Dtype.TF32 ? "fp32_fast_tf32" : "fp32";
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
