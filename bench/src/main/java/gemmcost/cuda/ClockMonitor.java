package gemmcost.cuda;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Samples one GPU's clocks and clock-event reasons on a background thread for as long as it is open, so that what a
 * shape's timed launches ran at can be looked up afterwards ({@link #between}), instead of reading an idle GPU
 * before or after. Sources, best first: NVML over FFM every {@value #NVML_INTERVAL_MS} ms; one long-lived
 * {@code nvidia-smi -lms} process (its stdout read on its own thread, so a hung nvidia-smi blocks nothing, and given
 * up after {@value #FIRST_READING_TIMEOUT_S} s without a reading); or nothing. Read-only: never sets a clock.
 */
public final class ClockMonitor implements AutoCloseable {
    static final int NVML_INTERVAL_MS = 20;
    static final int SMI_INTERVAL_MS = 100;
    static final int FIRST_READING_TIMEOUT_S = 10;
    private static final int KEEP = 1 << 16;
    static final String EVENT_FIELDS = "clocks.sm,clocks.mem,clocks_event_reasons.active";
    /** The field's name before driver 535. */
    static final String THROTTLE_FIELDS = "clocks.sm,clocks.mem,clocks_throttle_reasons.active";

    private final String source;
    private final List<ClockSample> samples = new ArrayList<>();
    private volatile boolean closed;
    private volatile Thread daemon;
    private volatile Process process;
    private volatile String problem;

    private ClockMonitor(String source) {
        this.source = source;
    }

    /** Samples nothing: clocks unknown. */
    public static ClockMonitor none(String why) {
        ClockMonitor monitor = new ClockMonitor("none");
        monitor.problem = why;
        return monitor;
    }

    /** NVML when the locator finds it (from {@code cudaLibDir} first), else nvidia-smi. */
    public static ClockMonitor open(Path cudaLibDir, String pciBusId) {
        return FfmNvml.find(LibraryLocator.system(cudaLibDir)).flatMap(nvml -> nvml.device(pciBusId))
                .map(device -> polling("nvml", device::sample, NVML_INTERVAL_MS))
                .orElseGet(() -> nvidiaSmi(List.of("nvidia-smi"), pciBusId, FIRST_READING_TIMEOUT_S));
    }

    /** Polls {@code read} (given the time of the reading) every {@code intervalMs}. */
    static ClockMonitor polling(String source, LongFunction<Optional<ClockSample>> read, int intervalMs) {
        ClockMonitor monitor = new ClockMonitor(source);
        monitor.startDaemon(() -> {
            while (!monitor.closed) {
                read.apply(System.nanoTime()).ifPresent(monitor::add);
                sleep(intervalMs);
            }
        });
        return monitor;
    }

    private void startDaemon(Runnable body) {
        daemon = Thread.ofPlatform().daemon().name("gemmcost-clocks").start(body);
    }

    /**
     * One {@code nvidia-smi --query-gpu=… -i <bus id> -lms …} for the whole run; with a driver older than 535 the
     * reasons field has its older name, tried when the first answer rejects the new one.
     */
    static ClockMonitor nvidiaSmi(List<String> smi, String pciBusId, int firstReadingTimeoutS) {
        ClockMonitor monitor = new ClockMonitor("nvidia-smi");
        monitor.startDaemon(() -> monitor.readSmi(smi, pciBusId, firstReadingTimeoutS));
        return monitor;
    }

    private void readSmi(List<String> smi, String pciBusId, int firstReadingTimeoutS) {
        for (String fields : List.of(EVENT_FIELDS, THROTTLE_FIELDS)) {
            List<String> command = new ArrayList<>(smi);
            command.addAll(List.of("--query-gpu=" + fields, "--format=csv,noheader,nounits", "-i", pciBusId,
                    "-lms", Integer.toString(SMI_INTERVAL_MS)));
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                problem = "nvidia-smi not runnable: " + e.getMessage();
                return;
            }
            Thread watchdog = Thread.ofPlatform().daemon().start(() -> giveUpWithoutReading(firstReadingTimeoutS));
            boolean rejectedField = false;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null && !closed; line = lines.readLine()) {
                    Optional<ClockSample> sample = parse(line, System.nanoTime());
                    sample.ifPresent(this::add);
                    rejectedField |= sample.isEmpty() && line.toLowerCase(Locale.ROOT).contains("not a valid field");
                }
            } catch (IOException e) {
                // the process was destroyed: closed, or no reading in time
            } finally {
                watchdog.interrupt();
                process.destroyForcibly();
            }
            if (!rejectedField || closed) {
                return;
            }
        }
    }

    private void giveUpWithoutReading(int timeoutS) {
        try {
            TimeUnit.SECONDS.sleep(timeoutS);
        } catch (InterruptedException e) {
            return;
        }
        if (latest().isEmpty() && process != null) {
            problem = "nvidia-smi gave no reading within " + timeoutS + " s";
            process.destroyForcibly();
        }
    }

    /** {@code 1755, 2619, 0x0000000000000024}: SM MHz, memory MHz, reason mask; anything else is empty. */
    static Optional<ClockSample> parse(String line, long nanoTime) {
        String[] cells = line.strip().split("\\s*,\\s*");
        if (cells.length != 3) {
            return Optional.empty();
        }
        try {
            String mask = cells[2].toLowerCase(Locale.ROOT);
            long bits = Long.parseUnsignedLong(mask.startsWith("0x") ? mask.substring(2) : mask, 16);
            return Optional.of(new ClockSample(nanoTime, Integer.parseInt(cells[0]), Integer.parseInt(cells[1]),
                    ClockSample.reasonNames(bits)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    synchronized void add(ClockSample sample) {
        if (samples.size() == KEEP) {
            samples.subList(0, KEEP / 2).clear();
        }
        samples.add(sample);
    }

    /** Where the samples come from: {@code nvml}, {@code nvidia-smi} or {@code none}. */
    public String source() {
        return source;
    }

    /** Why there are no samples, when that is known. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    public synchronized Optional<ClockSample> latest() {
        return samples.isEmpty() ? Optional.empty() : Optional.of(samples.getLast());
    }

    /**
     * The samples taken in {@code [fromNanos, toNanos]}, preceded by the last one before it (the state the interval
     * began in, which is all there is for an interval shorter than the sampling period).
     */
    public synchronized List<ClockSample> between(long fromNanos, long toNanos) {
        List<ClockSample> window = new ArrayList<>();
        ClockSample before = null;
        for (ClockSample s : samples) {
            if (s.nanoTime() < fromNanos) {
                before = s;
            } else if (s.nanoTime() <= toNanos) {
                window.add(s);
            }
        }
        if (before != null) {
            window.addFirst(before);
        }
        return window;
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
        Thread t = daemon;
        if (t != null) {
            t.interrupt();
        }
    }
}
