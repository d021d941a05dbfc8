package gemmcost.bench;

import gemmcost.BadInputException;
import gemmcost.table.GemmShape;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The shape sets a sweep can measure: the seed report's shapes, or a user's file. */
public final class ShapeSets {
    private static final String HEADER = "m,k,n";

    private ShapeSets() {
    }

    /** The 15 distinct Get_Time(m, k, n) of the seed report, shipped as project data. */
    public static List<GemmShape> seed() {
        try (InputStream in = Objects.requireNonNull(ShapeSets.class.getResourceAsStream("seed-shapes.csv"))) {
            return parse("seed-shapes.csv", new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shapes from a CSV whose header starts {@code m,k,n} ({@code #} lines are comments; extra columns ignored). */
    public static List<GemmShape> read(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            return parse(file.toString(), reader);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static List<GemmShape> parse(String name, BufferedReader reader) throws IOException {
        List<GemmShape> shapes = new ArrayList<>();
        boolean header = false;
        int lineNumber = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNumber++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (!header) {
                if (!line.startsWith(HEADER)) {
                    throw new BadInputException(name + ":" + lineNumber + ": header must start with " + HEADER
                            + ", was '" + line + "'");
                }
                header = true;
                continue;
            }
            shapes.add(shape(name, lineNumber, line.split(",", -1)));
        }
        if (shapes.isEmpty()) {
            throw new BadInputException(name + ": no shapes");
        }
        return List.copyOf(shapes);
    }

    private static GemmShape shape(String name, int lineNumber, String[] cells) {
        if (cells.length < 3) {
            throw new BadInputException(name + ":" + lineNumber + ": expected m,k,n, got " + cells.length + " column(s)");
        }
        long[] dims = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                dims[i] = Long.parseLong(cells[i].strip());
            } catch (NumberFormatException e) {
                throw new BadInputException(name + ":" + lineNumber + ": column " + "mkn".charAt(i)
                        + ": not an integer: '" + cells[i] + "'");
            }
            if (dims[i] <= 0) {
                throw new BadInputException(name + ":" + lineNumber + ": column " + "mkn".charAt(i)
                        + ": must be > 0, was " + dims[i]);
            }
        }
        return new GemmShape(dims[0], dims[1], dims[2]);
    }
}
