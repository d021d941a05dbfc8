package gemmcost.silicon;

import gemmcost.BadInputException;
import java.util.Map;
import java.util.Objects;

/**
 * One measured serving run, its columns by name as read ({@code ../shared/data/serving/README.md}); typed
 * accessors refuse a bad value in one line naming the file, line, column and value.
 */
public record SiliconRow(String where, Map<String, String> columns) {
    public SiliconRow {
        Objects.requireNonNull(where, "where");
        columns = Map.copyOf(columns);
    }

    public String text(String column) {
        return columns.get(column);
    }

    /** The column's integer, or {@code fallback} when it is empty. */
    public int intOr(String column, int fallback) {
        String value = text(column);
        if (value.isEmpty())
            return fallback;
        try {
            int n = Integer.parseInt(value);
            if (n >= 1)
                return n;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw bad(column, "must be an integer >= 1");
    }

    /** The column's positive integer; refused when empty. */
    public int positiveInt(String column) {
        if (text(column).isEmpty())
            throw bad(column, "must be an integer >= 1");
        return intOr(column, 0);
    }

    /** The column's finite positive number. */
    public double positive(String column) {
        try {
            double v = Double.parseDouble(text(column));
            if (v > 0 && Double.isFinite(v))
                return v;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw bad(column, "must be finite and > 0");
    }

    public String id() {
        return text("id");
    }

    public double ttftMs() {
        return positive("silicon_ttft_ms");
    }

    public double tpotMs() {
        return positive("silicon_tpot_ms");
    }

    /** The group the accuracy is reported by: model, system, mode. */
    public String group() {
        return text("model_path") + " " + text("system") + " " + text("mode");
    }

    private BadInputException bad(String column, String problem) {
        return new BadInputException(where + ": column " + column + ": " + problem + ": '" + text(column) + "'");
    }
}
