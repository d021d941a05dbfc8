package gemmcost.bench;

import gemmcost.cuda.GemmBackend;
import gemmcost.cuda.GpuException;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import gemmcost.table.ProfileEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Measures a list of shapes with one backend: per shape one trial (buffers allocated once), untimed warm-up
 * launches, then timed launches until the {@link StoppingRule} says stop; each finished shape goes to the
 * journal at once, and shapes the journal already holds are skipped. A GPU error on one shape is recorded and
 * the sweep goes on.
 */
final class Sweep {
    private final GemmBackend backend;
    private final Dtype dtype;
    private final StoppingRule rule;
    private final int warmupLaunches;
    private final LongSupplier nanoTime;

    Sweep(GemmBackend backend, Dtype dtype, StoppingRule rule, int warmupLaunches, LongSupplier nanoTime) {
        if (warmupLaunches < 0) {
            throw new IllegalArgumentException("must be >= 0: warmupLaunches=" + warmupLaunches);
        }
        this.backend = backend;
        this.dtype = dtype;
        this.rule = rule;
        this.warmupLaunches = warmupLaunches;
        this.nanoTime = nanoTime;
    }

    /** A shape the device refused. */
    record Failure(GemmShape shape, String reason) {
    }

    /** Every entry (earlier runs' and this run's) and this run's failures. */
    record Result(List<ProfileEntry> entries, List<Failure> failures) {
        Result {
            entries = List.copyOf(entries);
            failures = List.copyOf(failures);
        }
    }

    Result run(List<GemmShape> shapes, Journal journal) {
        return run(shapes, journal, null);
    }

    Result run(List<GemmShape> shapes, Journal journal, Profiler.Progress progress) {
        List<ProfileEntry> entries = new ArrayList<>(journal.done());
        Set<GemmShape> done = new HashSet<>();
        entries.forEach(e -> done.add(e.shape()));
        List<Failure> failures = new ArrayList<>();
        for (GemmShape shape : shapes) {
            if (!done.add(shape)) {
                continue;
            }
            try {
                ProfileEntry entry = measure(shape);
                journal.append(entry);
                entries.add(entry);
                report(progress, shape, String.format(Locale.ROOT, "%.4g us, %d samples, %s", entry.timeUs(),
                        entry.samples(), String.join(" ", entry.flags())));
            } catch (GpuException e) {
                failures.add(new Failure(shape, e.getMessage()));
                report(progress, shape, "FAILED: " + e.getMessage());
            }
        }
        return new Result(entries, failures);
    }

    private static void report(Profiler.Progress progress, GemmShape shape, String what) {
        if (progress != null) {
            progress.finished(shape, what);
        }
    }

    ProfileEntry measure(GemmShape shape) {
        try (GemmBackend.GemmTrial trial = backend.open(shape, dtype)) {
            for (int i = 0; i < warmupLaunches; i++) {
                trial.launchUs();
            }
            Samples samples = new Samples(rule);
            long start = nanoTime.getAsLong();
            Optional<StoppingRule.Stop> stop = Optional.empty();
            while (stop.isEmpty()) {
                samples.add(trial.launchUs());
                stop = samples.stop((nanoTime.getAsLong() - start) / 1e3);
            }
            Samples.Summary s = samples.summary(stop.get());
            return new ProfileEntry(shape, s.medianUs(), s.p10Us(), s.p90Us(), s.samples(), flags(s));
        }
    }

    private static List<String> flags(Samples.Summary s) {
        List<String> flags = new ArrayList<>();
        flags.add(String.format(Locale.ROOT, "noise_pct=%.3f", s.noiseRel() * 100));
        flags.add("stop=" + s.stop().name().toLowerCase(Locale.ROOT));
        return flags;
    }
}
