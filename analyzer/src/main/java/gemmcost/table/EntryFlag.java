package gemmcost.table;

import gemmcost.Numbers;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the sweep (or a merge) noticed about one table entry. A table writes each flag as its {@link #text()};
 * {@link #parse} reads it back, keeping a flag it does not know (another tool's, a hand-written note) as
 * {@link Other}, and refusing a known one whose value is malformed.
 */
public sealed interface EntryFlag {
    /** The flag as the table's {@code flags} array writes it. */
    String text();

    /** The median of the samples moved by this fraction (percent) over the last window; the stopping rule's test. */
    record NoisePct(double pct) implements EntryFlag {
        public NoisePct {
            pct = rounded(nonNegative(pct, "noise_pct"), 3);
        }

        @Override
        public String text() {
            return decimal("noise_pct", pct, 3);
        }
    }

    /** Why sampling stopped: {@code noise} (the median settled) or {@code timeout} (the shape's time ran out). */
    record Stop(String reason) implements EntryFlag {
        public Stop {
            if (!reason.matches("[a-z_]+"))
                throw new IllegalArgumentException("stop: must be a lower-case word, was \"" + reason + "\"");
        }

        @Override
        public String text() {
            return "stop=" + reason;
        }
    }

    /** The SM clock (MHz) sampled while the shape ran: lowest, median, highest. */
    record SmMhz(int min, int median, int max) implements EntryFlag {
        public SmMhz {
            if (!(0 < min && min <= median && median <= max))
                throw new IllegalArgumentException("sm_mhz: must be 0 < min <= median <= max, was " + min + "/"
                        + median + "/" + max);
        }

        @Override
        public String text() {
            return "sm_mhz=" + min + "/" + median + "/" + max;
        }
    }

    /** Hardware, thermal or power-brake slowdown reasons the driver reported while the shape ran (none: unknown). */
    record Throttled(List<String> reasons) implements EntryFlag {
        public Throttled {
            reasons = List.copyOf(reasons);
            if (reasons.stream().anyMatch(String::isBlank))
                throw new IllegalArgumentException("throttled: an empty reason in " + reasons);
        }

        @Override
        public String text() {
            return reasons.isEmpty() ? "throttled" : "throttled=" + String.join("+", reasons);
        }
    }

    /** The lowest SM clock under load fell this far (percent) below the baseline of the idle warm-up. */
    record SmClockDropPct(double pct) implements EntryFlag {
        public SmClockDropPct {
            pct = rounded(nonNegative(pct, "sm_clock_drop_pct"), 1);
        }

        @Override
        public String text() {
            return decimal("sm_clock_drop_pct", pct, 1);
        }
    }

    /** The operands did not fit: the shape was timed as m-chunks whose times add up. */
    record MChunked() implements EntryFlag {
        @Override
        public String text() {
            return "m_chunked";
        }
    }

    /** Rows of one full chunk of an m-chunked shape. */
    record ChunkM(long rows) implements EntryFlag {
        public ChunkM {
            if (rows < 1)
                throw new IllegalArgumentException("chunk_m: must be >= 1, was " + rows);
        }

        @Override
        public String text() {
            return "chunk_m=" + rows;
        }
    }

    /** How many full chunks, and the rows of the last partial one (0: none). */
    record Chunks(long full, long restRows) implements EntryFlag {
        public Chunks {
            if (full < 0 || restRows < 0 || full + restRows == 0)
                throw new IllegalArgumentException("chunks: must be >= 0 and not both 0, was " + full + "+" + restRows);
        }

        @Override
        public String text() {
            return "chunks=" + full + (restRows == 0 ? "" : "+" + restRows + "_rows");
        }
    }

    /** A chunk's time over twice a half chunk's: 1.0 means time proportional to m there, so chunks add up. */
    record Linearity(double ratio) implements EntryFlag {
        public Linearity {
            ratio = rounded(nonNegative(ratio, "linearity"), 4);
        }

        @Override
        public String text() {
            return decimal("linearity", ratio, 4);
        }
    }

    /** The entry is the median of this many GPUs' measurements of the same shape. */
    record MergedGpus(int gpus) implements EntryFlag {
        public MergedGpus {
            if (gpus < 2)
                throw new IllegalArgumentException("merged_gpus: must be >= 2, was " + gpus);
        }

        @Override
        public String text() {
            return "merged_gpus=" + gpus;
        }
    }

    /** A flag gemmcost does not interpret, kept verbatim. */
    record Other(String text) implements EntryFlag {
        public Other {
            if (text.isBlank())
                throw new IllegalArgumentException("must not be blank, was \"" + text + "\"");
        }
    }

    /**
     * The flag {@code text} writes.
     *
     * @throws IllegalArgumentException naming the flag, when a flag gemmcost knows has a malformed value
     */
    static EntryFlag parse(String text) {
        int eq = text.indexOf('=');
        String key = eq < 0 ? text : text.substring(0, eq);
        String value = eq < 0 ? null : text.substring(eq + 1);
        try {
            return switch (key) {
                case "noise_pct" -> new NoisePct(decimal(value, key));
                case "stop" -> new Stop(required(value, key));
                case "sm_mhz" -> smMhz(required(value, key));
                case "throttled" -> new Throttled(value == null ? List.of() : List.of(value.split("\\+", -1)));
                case "sm_clock_drop_pct" -> new SmClockDropPct(decimal(value, key));
                case "m_chunked" -> value == null ? new MChunked() : new Other(text);
                case "chunk_m" -> new ChunkM(Long.parseLong(required(value, key)));
                case "chunks" -> chunks(required(value, key));
                case "linearity" -> new Linearity(decimal(value, key));
                case "merged_gpus" -> new MergedGpus(Integer.parseInt(required(value, key)));
                default -> new Other(text);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a number in \"" + text + "\"");
        }
    }

    /** Each of {@code texts} parsed, in order. */
    static List<EntryFlag> parseAll(List<String> texts) {
        return texts.stream().map(EntryFlag::parse).toList();
    }

    /** A plain decimal value ({@link Numbers#isDecimal}: not {@code 12d} or {@code 0x1p3}). */
    private static double decimal(String value, String key) {
        if (!Numbers.isDecimal(required(value, key)))
            throw new NumberFormatException(value);
        return Double.parseDouble(value);
    }

    private static String required(String value, String key) {
        if (value == null || value.isEmpty())
            throw new IllegalArgumentException(key + ": needs a value (" + key + "=…)");
        return value;
    }

    private static SmMhz smMhz(String value) {
        String[] parts = value.split("/", -1);
        if (parts.length != 3)
            throw new IllegalArgumentException("sm_mhz: must be min/median/max, was \"" + value + "\"");
        return new SmMhz(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    }

    private static Chunks chunks(String value) {
        Matcher m = Pattern.compile("(\\d+)(?:\\+(\\d+)_rows)?").matcher(value);
        if (!m.matches())
            throw new IllegalArgumentException("chunks: must be N or N+R_rows, was \"" + value + "\"");
        return new Chunks(Long.parseLong(m.group(1)), m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
    }

    private static double nonNegative(double value, String key) {
        if (!(Double.isFinite(value) && value >= 0))
            throw new IllegalArgumentException(key + ": must be finite and >= 0, was " + value);
        return value;
    }

    /**
     * {@code value} to the {@code decimals} its text keeps ({@link #decimal}), so that a flag read back from a table
     * equals the one written.
     */
    private static double rounded(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    /** {@code key=value} with {@code decimals} decimals. */
    private static String decimal(String key, double value, int decimals) {
        return String.format(Locale.ROOT, "%s=%." + decimals + "f", key, value);
    }
}
