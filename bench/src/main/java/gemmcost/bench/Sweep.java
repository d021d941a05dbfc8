package gemmcost.bench;

import gemmcost.ResumableFailure;
import gemmcost.cuda.ClockSample;
import gemmcost.cuda.GemmBackend;
import gemmcost.cuda.GpuException;
import gemmcost.device.Dtype;
import gemmcost.table.EntryFlag;
import gemmcost.table.GemmShape;
import gemmcost.table.ProfileEntry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Measures a list of shapes with one backend: per shape one trial (buffers allocated once), warm-up launches by
 * count and wall time, then timed launches until the {@link StoppingRule} says stop; the clocks sampled during the
 * timed launches (not the allocation or the warm-up) become the entry's flags. Each finished shape goes to the
 * journal at once, and shapes the journal already holds are skipped. A GPU error on one shape is recorded and the
 * sweep goes on, unless the CUDA context is lost: then every later shape would fail too, so the sweep stops with a
 * {@link ContextLost} and a fresh process resumes, passing over the shape it was lost at (the journal says which).
 */
public final class Sweep {
    static final double MEMORY_BUDGET_FRACTION = 0.8;

    private final GemmBackend backend;
    private final Dtype dtype;
    private final StoppingRule rule;
    private final Warmup warmup;
    private final LongSupplier nanoTime;
    private final Clocks clocks;
    /** The clock samples of the current shape's timed launches, every timed interval of it (chunks included). */
    private final List<ClockSample> timedClocks = new ArrayList<>();
    private final OptionalInt baselineSmMhz;

    /** The clock samples a monitor took in an interval of {@link System#nanoTime()}. */
    public interface Clocks {
        Clocks NONE = (from, to) -> List.of();

        List<ClockSample> between(long fromNanos, long toNanos);
    }

    Sweep(GemmBackend backend, Dtype dtype, StoppingRule rule, Warmup warmup, LongSupplier nanoTime, Clocks clocks,
          OptionalInt baselineSmMhz) {
        this.backend = backend;
        this.dtype = dtype;
        this.rule = rule;
        this.warmup = warmup;
        this.nanoTime = nanoTime;
        this.clocks = clocks;
        this.baselineSmMhz = baselineSmMhz;
    }

    /** A shape the device refused. */
    record Failure(GemmShape shape, String reason) {
    }

    /**
     * Every entry (earlier runs' and this run's), this run's failures, the last clock sample this run saw, every
     * clock-event reason seen while it measured, how many shapes were not started, and what stopped the sweep short:
     * the time limit, or the lost CUDA context.
     */
    record Result(List<ProfileEntry> entries, List<Failure> failures, Optional<ClockSample> lastClocks,
                  Set<String> reasonsSeen, int notStarted, Optional<String> stoppedBy) {
        Result {
            entries = List.copyOf(entries);
            failures = List.copyOf(failures);
            reasonsSeen = Set.copyOf(reasonsSeen);
            Objects.requireNonNull(stoppedBy, "stoppedBy");
        }
    }

    /** The CUDA context was lost at {@code shape}: the sweep stops, and {@code partial} holds what it had measured. */
    static final class ContextLost extends ResumableFailure {
        @java.io.Serial
        private static final long serialVersionUID = 1L;
        final transient Result partial;
        private final String shape;
        private final String journal;

        ContextLost(GemmShape shape, GpuException cause, Result partial, Path journal) {
            super(message(shape.toString(), cause, partial, journal.toString(), ""), cause);
            this.partial = partial;
            this.shape = shape.toString();
            this.journal = journal.toString();
        }

        /** The one line a command ends with; {@code table}: where the shapes done are written too, or "". */
        String message(String table) {
            return message(shape, (GpuException) getCause(), partial, journal, table);
        }

        private static String message(String shape, GpuException cause, Result partial, String journal,
                                      String table) {
            return "the GPU's CUDA context is lost (" + cause.getMessage() + ") at " + shape + "; the "
                    + partial.entries().size() + " shapes done are in the journal" + table + ": run the same command"
                    + " again to resume in a fresh process, which passes this shape over (delete its lost_context line"
                    + " from " + journal + " to retry it)";
        }
    }

    /** Measures the shapes the journal does not hold yet, one progress line each on {@code log}. */
    Result run(List<GemmShape> shapes, Journal journal, PrintWriter log) {
        return run(shapes, journal, log, Long.MAX_VALUE);
    }

    /**
     * As {@link #run(List, Journal, PrintWriter)}, starting no shape once {@code nanoTime} has reached
     * {@code deadlineNanos}: the shapes left stay out of the result and the journal, for a later run to resume.
     */
    Result run(List<GemmShape> shapes, Journal journal, PrintWriter log, long deadlineNanos) {
        List<ProfileEntry> entries = new ArrayList<>(journal.done());
        Set<GemmShape> done = new HashSet<>();
        entries.forEach(e -> done.add(e.shape()));
        List<GemmShape> todo = shapes.stream().filter(done::add).toList();
        Progress progress = new Progress(log, todo.size(), nanoTime);
        List<Failure> failures = new ArrayList<>();
        Set<String> reasons = new LinkedHashSet<>();
        Optional<ClockSample> last = Optional.empty();
        String label = reading(backend);
        int started = 0;
        for (GemmShape shape : todo) {
            // Long.MAX_VALUE: no deadline (the overflow-safe difference would misread it for a negative clock)
            if (deadlineNanos != Long.MAX_VALUE && nanoTime.getAsLong() - deadlineNanos >= 0) {
                break;
            }
            started++;
            String lostBefore = journal.lostAt().get(shape);
            if (lostBefore != null) {
                failures.add(new Failure(shape, "an earlier run lost the CUDA context at this shape (" + lostBefore
                        + "); passed over: delete its lost_context line from " + journal.file() + " to retry it"));
                progress.finished(shape, "PASSED OVER: the CUDA context was lost at it in an earlier run");
                continue;
            }
            timedClocks.clear();
            try {
                ProfileEntry measured = measure(shape);
                List<ClockSample> window = List.copyOf(timedClocks);
                window.forEach(s -> reasons.addAll(s.reasons()));
                last = window.isEmpty() ? last : Optional.of(window.getLast());
                ProfileEntry entry = withFlags(measured, ThrottleFlags.of(baselineSmMhz, window));
                journal.append(entry);
                entries.add(entry);
                progress.finished(shape, String.format(Locale.ROOT, "%.4g us %s, %d samples, %s", entry.timeUs(),
                        label, entry.samples(), String.join(" ", entry.flagTexts())));
            } catch (GpuException e) {
                GpuException lost = backend.lostContext(e);
                if (lost != null) {
                    journal.appendLost(shape, lost.getMessage());
                    Optional<String> stop = Optional.of("the CUDA context lost at " + shape + " (not measured; a"
                            + " resume passes it over)");
                    throw new ContextLost(shape, lost, new Result(entries, failures, last, reasons,
                            todo.size() - started, stop), journal.file());
                }
                failures.add(new Failure(shape, e.getMessage()));
                progress.finished(shape, "FAILED: " + e.getMessage());
            }
        }
        int notStarted = todo.size() - started;
        return new Result(entries, failures, last, reasons, notStarted,
                notStarted > 0 ? Optional.of("the time limit") : Optional.empty());
    }

    /**
     * One shape's entry. A shape whose operands do not fit in {@value #MEMORY_BUDGET_FRACTION} of device memory is
     * measured in m-chunks (rows of A and C are contiguous): a chunk of the largest power-of-two row count that fits,
     * a half chunk for the linearity evidence, and the remainder rows if any; the entry is the sum, flagged. Out of
     * memory halves the chunk and retries.
     */
    ProfileEntry measure(GemmShape shape) {
        long chunkRows = rowsThatFit(shape);
        while (true) {
            boolean whole = chunkRows >= shape.m();
            try {
                return whole ? measureWhole(shape) : measureChunked(shape, chunkRows);
            } catch (GpuException e) {
                if (!e.outOfMemory() || (whole ? shape.m() : chunkRows) < 2) {
                    throw e;
                }
                chunkRows = whole ? Long.highestOneBit(shape.m() - 1) : chunkRows / 2;
                timedClocks.clear(); // the failed attempt's clocks do not describe the entry that will be kept
            }
        }
    }

    /** How a time or clock read through {@code backend} is labelled: {@code simulated} on the stand-in, else measured. */
    public static String reading(GemmBackend backend) {
        return backend.device().simulated() ? "simulated" : "measured";
    }

    /** Device memory the sweep's operands may use: a fraction of it, less what the backend keeps for itself. */
    long budgetBytes() {
        return (long) (MEMORY_BUDGET_FRACTION * backend.device().memoryBytes()) - backend.reservedBytes();
    }

    /** Rows of A and C that fit beside B and what the backend keeps for itself, rounded down to a power of two. */
    long rowsThatFit(GemmShape shape) {
        double budget = budgetBytes();
        double bytesPerRow = (double) (shape.k() + shape.n()) * dtype.elementBytes();
        double fixedBytes = (double) shape.k() * shape.n() * dtype.elementBytes();
        double rows = Math.floor((budget - fixedBytes) / bytesPerRow);
        if (rows < 1) {
            throw new GpuException("B (" + shape.k() + "x" + shape.n() + ") alone does not fit in device memory", false);
        }
        return rows >= shape.m() ? shape.m() : Long.highestOneBit((long) rows);
    }

    private ProfileEntry measureChunked(GemmShape shape, long chunkRows) {
        long fullChunks = shape.m() / chunkRows;
        long restRows = shape.m() % chunkRows;
        ProfileEntry chunk = measureWhole(new GemmShape(chunkRows, shape.k(), shape.n()));
        ProfileEntry half = chunkRows >= 2 ? measureWhole(new GemmShape(chunkRows / 2, shape.k(), shape.n())) : null;
        ProfileEntry rest = restRows > 0 ? measureWhole(new GemmShape(restRows, shape.k(), shape.n())) : null;
        double time = fullChunks * chunk.timeUs() + (rest == null ? 0 : rest.timeUs());
        double p10 = fullChunks * chunk.p10Us() + (rest == null ? 0 : rest.p10Us());
        double p90 = fullChunks * chunk.p90Us() + (rest == null ? 0 : rest.p90Us());
        List<EntryFlag> flags = new ArrayList<>();
        flags.add(new EntryFlag.MChunked());
        flags.add(new EntryFlag.ChunkM(chunkRows));
        flags.add(new EntryFlag.Chunks(fullChunks, restRows));
        if (half != null) {
            // 1.0 = time exactly proportional to m at this size; the sum of chunks is then the whole shape's time
            flags.add(new EntryFlag.Linearity(chunk.timeUs() / (2 * half.timeUs())));
        }
        chunk.flags().stream().filter(EntryFlag.Stop.class::isInstance).forEach(flags::add);
        return new ProfileEntry(shape, time, p10, p90, chunk.samples(), flags);
    }

    private ProfileEntry measureWhole(GemmShape shape) {
        try (GemmBackend.GemmTrial trial = backend.open(shape, dtype)) {
            Samples.Summary s = sampleWithClocks(trial::launchUs);
            return new ProfileEntry(shape, s.medianUs(), s.p10Us(), s.p90Us(), s.samples(), flags(s));
        }
    }

    /** Warm-up, then timed launches until the stopping rule says stop. */
    Samples.Summary sample(Launch launch) {
        return sample(launch, false);
    }

    /** Like {@link #sample(Launch)}, keeping the clocks sampled during the timed launches for the shape's flags. */
    Samples.Summary sampleWithClocks(Launch launch) {
        return sample(launch, true);
    }

    private Samples.Summary sample(Launch launch, boolean keepClocks) {
        long warmupStart = nanoTime.getAsLong();
        for (int i = 0; i < warmup.minLaunches() || (nanoTime.getAsLong() - warmupStart) / 1e6 < warmup.minWallMs();
             i++) {
            launch.us();
        }
        Samples samples = new Samples(rule);
        long start = nanoTime.getAsLong();
        long end = start;
        Optional<StoppingRule.Stop> stop = Optional.empty();
        while (stop.isEmpty()) {
            samples.add(launch.us());
            end = nanoTime.getAsLong();
            stop = samples.stop((end - start) / 1e3);
        }
        if (keepClocks)
            timedClocks.addAll(clocks.between(start, end));
        return samples.summary(stop.get());
    }

    /** One timed launch, GPU µs. */
    interface Launch {
        double us();
    }

    private static ProfileEntry withFlags(ProfileEntry e, List<EntryFlag> extra) {
        if (extra.isEmpty()) {
            return e;
        }
        List<EntryFlag> flags = new ArrayList<>(e.flags());
        flags.addAll(extra);
        return new ProfileEntry(e.shape(), e.timeUs(), e.p10Us(), e.p90Us(), e.samples(), flags);
    }

    private static List<EntryFlag> flags(Samples.Summary s) {
        return List.of(new EntryFlag.NoisePct(s.noiseRel() * 100),
                new EntryFlag.Stop(s.stop().name().toLowerCase(Locale.ROOT)));
    }
}
