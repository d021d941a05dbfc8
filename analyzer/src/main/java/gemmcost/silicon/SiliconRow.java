package gemmcost.silicon;

import gemmcost.BadInputException;
import gemmcost.Numbers;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One measured serving run, its columns by name as read ({@code ../shared/data/serving/README.md}); typed accessors
 * refuse a bad value, a measured TTFT or TPOT that is not a finite positive number included, in one line naming the
 * file, line, column and value.
 */
public record SiliconRow(String where, Map<String, String> columns) {
    public SiliconRow {
        Objects.requireNonNull(where, "where");
        columns = Map.copyOf(columns);
    }

    private static final String TTFT = "silicon_ttft_ms";
    /** Digits, and a fraction of zeros at most: short enough to parse as a long. */
    private static final Pattern INTEGER = Pattern.compile("(\\d{1,18})(\\.0{0,18})?");
    private static final String TPOT = "silicon_tpot_ms";

    public double ttftMs() {
        return positive(where, columns, TTFT);
    }

    public double tpotMs() {
        return positive(where, columns, TPOT);
    }

    public String text(String column) {
        return columns.get(column);
    }

    /**
     * The column's integer, or {@code fallback} when it is empty; written with a zero fraction ({@code 8.0}, as a data
     * frame writes an integer column with gaps) it is the integer it equals.
     */
    public int intOr(String column, int fallback) {
        String value = text(column);
        if (value.isEmpty())
            return fallback;
        Matcher integer = INTEGER.matcher(value);
        long n = integer.matches() ? Long.parseLong(integer.group(1)) : 0;
        if (n >= 1 && n <= Integer.MAX_VALUE)
            return (int) n;
        throw bad(column, "must be an integer >= 1");
    }

    /** The column's positive integer; refused when empty. */
    public int positiveInt(String column) {
        if (text(column).isEmpty())
            throw bad(column, "must be an integer >= 1");
        return intOr(column, 0);
    }

    /** The least measured time accepted, in ms: a nanosecond, shorter than any kernel, step or network hop. */
    static final double MIN_MS = 1e-6;

    /**
     * The most measured time accepted, in ms: a day. No run of a serving benchmark waits that long for a token (the
     * public runs' longest TTFT is 462 s); {@code 1e308} is a typo or a unit mistake, and would weigh in the
     * statistics.
     */
    static final double MAX_MS = 86_400_000;

    /** The column's finite positive number, from {@link #MIN_MS} to {@link #MAX_MS}. */
    private static double positive(String where, Map<String, String> columns, String column) {
        String text = columns.get(column);
        if (Numbers.isDecimal(text)) {
            double v = Double.parseDouble(text);
            if (v > MAX_MS) // 1e999 too: it parses as Infinity
                throw bad(where, columns, column, String.format(Locale.ROOT, "over a day (%.0f ms): not a measurement"
                        + " (a unit mistake?)", MAX_MS));
            if (v >= MIN_MS)
                return v;
            if (v > 0) // 1e-320 passed as > 0 and made the % error Infinity
                throw bad(where, columns, column, "must be at least a nanosecond (1e-6 ms): no serving time is"
                        + " shorter");
        }
        throw bad(where, columns, column, "must be a finite decimal number > 0");
    }

    public String id() {
        return text("id");
    }

    /** The group the accuracy is reported by: model, system, mode. */
    public String group() {
        return text("model_path") + " " + text("system") + " " + text("mode");
    }

    private BadInputException bad(String column, String problem) {
        return bad(where, columns, column, problem);
    }

    private static BadInputException bad(String where, Map<String, String> columns, String column, String problem) {
        return new BadInputException(where + ": column " + column + ": " + problem + ": '" + columns.get(column) + "'");
    }
}
