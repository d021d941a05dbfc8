package gemmcost.table;

import gemmcost.InputFiles;
import gemmcost.BadInputException;
import gemmcost.Numbers;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the neutral measurements CSV ({@code ../shared/data/gemm-public/README.md}): header exactly
 * {@value #HEADER}, one measurement per row. Note the column order m, n, k. The format has no quoting: fields
 * never contain commas ({@code notes} uses {@code ;} and {@code =}). Every bad row is a one-line
 * {@link BadInputException} {@code FILE:LINE: column NAME: problem: 'value'}.
 */
public final class MeasurementCsv {
    public static final String HEADER = "source,gpu,dtype,m,n,k,time_us,notes";
    private static final String[] COLUMNS = HEADER.split(",");

    private MeasurementCsv() {
    }

    /** All rows of {@code file}, in file order. */
    public static List<Measurement> read(Path file) {
        String name = file.toString();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null)
                throw new BadInputException(name + ": empty file, expected the header " + HEADER);
            header = InputFiles.withoutBom(stripCr(header));
            if (!header.equals(HEADER))
                throw new BadInputException(name + ":1: expected the header " + HEADER + ", found '" + header + "'");
            return rows(in, name);
        } catch (IOException e) {
            throw InputFiles.cannotRead(name, e);
        }
    }

    private static List<Measurement> rows(BufferedReader in, String name) throws IOException {
        List<Measurement> rows = new ArrayList<>();
        // Labels repeat on every row; share one String per distinct value.
        Map<String, String> labels = new HashMap<>();
        String[] fields = new String[COLUMNS.length];
        long lineNo = 1;
        for (String line; (line = in.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank())
                continue; // as InputFiles.csv reads every other CSV: a trailing newline too many is no row
            split(stripCr(line), fields, name, lineNo);
            Row row = new Row(name, lineNo, fields);
            GemmShape shape = new GemmShape(row.dimension(3), row.dimension(5), row.dimension(4));
            rows.add(new Measurement(row.label(0, labels), row.label(1, labels), row.label(2, labels), shape,
                    row.time(6), fields[7], lineNo));
        }
        return rows;
    }

    private static void split(String line, String[] fields, String name, long lineNo) {
        int start = 0;
        int count = 0;
        while (true) {
            int comma = line.indexOf(',', start);
            if (count == fields.length)
                throw wrongColumnCount(line, name, lineNo);
            fields[count++] = line.substring(start, comma < 0 ? line.length() : comma);
            if (comma < 0)
                break;
            start = comma + 1;
        }
        if (count != fields.length)
            throw wrongColumnCount(line, name, lineNo);
    }

    private static BadInputException wrongColumnCount(String line, String name, long lineNo) {
        int found = line.isEmpty() ? 0 : (int) line.chars().filter(c -> c == ',').count() + 1;
        return new BadInputException(name + ":" + lineNo + ": expected " + COLUMNS.length + " columns (" + HEADER
                + "), found " + found + (found > COLUMNS.length && line.indexOf('"') >= 0
                ? " (the format has no quoting: a field holds no comma; notes use ';')" : ""));
    }

    /** The fields of one row, with the parsing that reports which column is bad. */
    private record Row(String file, long line, String[] fields) {
        String label(int column, Map<String, String> labels) {
            String value = fields[column];
            if (value.isBlank())
                throw bad(column, "must not be empty");
            return labels.computeIfAbsent(value, v -> v);
        }

        long dimension(int column) {
            String value = fields[column];
            if (!Numbers.isInteger(value))
                throw bad(column, "not an integer");
            long dim;
            try {
                dim = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw bad(column, "out of range");
            }
            if (dim <= 0)
                throw bad(column, "must be > 0");
            return dim;
        }

        double time(int column) {
            String value = fields[column];
            if (!Numbers.isDecimal(value))
                throw bad(column, "not a number");
            double time = Double.parseDouble(value);
            if (!(Double.isFinite(time) && time > 0))
                throw bad(column, "must be finite and > 0");
            return time;
        }

        private BadInputException bad(int column, String problem) {
            return new BadInputException(file + ":" + line + ": column " + COLUMNS[column] + ": " + problem + ": '"
                    + fields[column] + "'");
        }
    }


    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
