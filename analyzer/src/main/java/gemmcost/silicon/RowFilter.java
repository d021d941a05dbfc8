package gemmcost.silicon;

import gemmcost.BadInputException;
import java.util.Arrays;
import java.util.List;

/**
 * {@code backend=vllm,sglang}: the measured runs whose {@code backend} is one of the values, as written in the file
 * (an empty value matches an empty field, but for {@code id}: a row without one is named by its file and line), in
 * the order given. Columns are {@link SiliconCsv#HEADER}'s.
 */
public record RowFilter(String column, List<String> values) {
    private static final List<String> COLUMNS = List.of(SiliconCsv.HEADER.split(","));

    public RowFilter {
        if (!COLUMNS.contains(column))
            throw new IllegalArgumentException("not a column: " + column);
        values = values.stream().distinct().toList();
        if (values.isEmpty())
            throw new IllegalArgumentException("no value");
    }

    /** {@code COLUMN=VALUE[,VALUE...]}, refused in one line naming {@code option} where it is not one. */
    public static RowFilter parse(String option, String text) {
        int eq = text.indexOf('=');
        if (eq < 1)
            throw new BadInputException(option + " " + text + ": give COLUMN=VALUE[,VALUE...]");
        String column = text.substring(0, eq).strip();
        if (!COLUMNS.contains(column))
            throw new BadInputException(option + " " + text + ": no column " + column + " (the columns: "
                    + SiliconCsv.HEADER + ")");
        return new RowFilter(column, Arrays.stream(text.substring(eq + 1).split(",", -1)).map(String::strip).toList());
    }

    public boolean matches(SiliconRow row) {
        return values.contains(row.text(column));
    }

    /** As given: {@code backend=vllm,sglang}. */
    @Override
    public String toString() {
        return column + "=" + String.join(",", values);
    }
}
