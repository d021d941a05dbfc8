package gemmcost.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Reads (never sets) a GPU's current SM and memory clocks and its active clock-event (throttle) reasons through
 * {@code nvidia-smi --query-gpu}. Missing {@code nvidia-smi} or an unparseable answer is simply "unknown".
 */
public final class ClockReader {
    private static final String FIELDS = "clocks.sm,clocks.mem,clocks_event_reasons.active";
    /** NVML clocks-event reason bits (nvml.h, nvmlClocksEventReason*). */
    private static final Map<Long, String> REASONS = new TreeMap<>(Map.of(
            0x1L, "gpu_idle", 0x2L, "applications_clocks_setting", 0x4L, "sw_power_cap", 0x8L, "hw_slowdown",
            0x10L, "sync_boost", 0x20L, "sw_thermal_slowdown", 0x40L, "hw_thermal_slowdown",
            0x80L, "hw_power_brake_slowdown", 0x100L, "display_clock_setting"));

    private final Function<List<String>, Optional<String>> run;

    ClockReader(Function<List<String>, Optional<String>> run) {
        this.run = run;
    }

    /** Reads through the real {@code nvidia-smi}. */
    public static ClockReader system() {
        return new ClockReader(ClockReader::execute);
    }

    /** One reading: clocks in MHz and the names of the active reasons (empty when none). */
    public record Sample(int smMhz, int memMhz, List<String> reasons) {
        public Sample {
            reasons = List.copyOf(reasons);
        }
    }

    public Optional<Sample> read(int device) {
        return run.apply(List.of("nvidia-smi", "--query-gpu=" + FIELDS, "--format=csv,noheader,nounits",
                "-i", Integer.toString(device))).flatMap(ClockReader::parse);
    }

    static Optional<Sample> parse(String output) {
        String[] cells = output.strip().split("\\s*,\\s*");
        if (cells.length != 3) {
            return Optional.empty();
        }
        try {
            int sm = Integer.parseInt(cells[0]);
            int mem = Integer.parseInt(cells[1]);
            String mask = cells[2].toLowerCase(Locale.ROOT);
            long bits = Long.parseUnsignedLong(mask.startsWith("0x") ? mask.substring(2) : mask, 16);
            List<String> reasons = new ArrayList<>();
            REASONS.forEach((bit, name) -> {
                if ((bits & bit) != 0) {
                    reasons.add(name);
                }
            });
            return Optional.of(new Sample(sm, mem, reasons));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> execute(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
