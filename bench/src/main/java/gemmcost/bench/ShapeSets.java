package gemmcost.bench;

import gemmcost.BadInputException;
import gemmcost.InputFiles;
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
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The shape sets a sweep can measure: the seed report's shapes, the interpolation grid, both ({@code all}), or a
 * user's file.
 */
public final class ShapeSets {
    private static final String HEADER = "m,k,n";
    /** The names {@link #named} knows; anything else is a file. */
    public static final String NAMES = "seed|grid|all|offgrid|FILE";

    /**
     * Grid rows: one-octave steps from 64 up, plus 1, 4 and 16 where decode-sized GEMMs are memory-bound and their
     * time barely moves with m; 32768 is left out because times are linear in m by then (GridJustificationTest
     * measures what these choices cost in accuracy).
     */
    static final List<Long> GRID_M = List.of(1L, 4L, 16L, 64L, 128L, 256L, 512L, 1024L, 2048L, 4096L, 8192L, 16384L,
            65536L);
    /** Grid k and n: powers of two from a head dimension (128) to past the largest vocabularies and FFN widths. */
    static final int GRID_KN_MIN_LOG2 = 7;
    static final int GRID_KN_MAX_LOG2 = 16;
    /** Sites whose k and n differ more than this are not LLM operator shapes; leaving them out keeps the sweep short. */
    static final int GRID_MAX_ASPECT = 32;

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

    /** The interpolation grid: {@link #GRID_M} × every (k, n) site of the power-of-two lattice within the aspect bound. */
    public static List<GemmShape> grid() {
        List<GemmShape> shapes = new ArrayList<>();
        for (long m : GRID_M) {
            for (int k = GRID_KN_MIN_LOG2; k <= GRID_KN_MAX_LOG2; k++) {
                for (int n = GRID_KN_MIN_LOG2; n <= GRID_KN_MAX_LOG2; n++) {
                    if (Math.abs(k - n) <= Integer.numberOfTrailingZeros(GRID_MAX_ASPECT)) {
                        shapes.add(new GemmShape(m, 1L << k, 1L << n));
                    }
                }
            }
        }
        return List.copyOf(shapes);
    }

    /** The seed shapes followed by the grid's, without repeats: the default set of a sweep. */
    public static List<GemmShape> all() {
        Set<GemmShape> union = new LinkedHashSet<>(seed());
        union.addAll(grid());
        return List.copyOf(union);
    }

    /** Held-out shapes per {@code offgrid} set: enough for a median and a p90 of the interpolation error. */
    static final int OFFGRID_COUNT = 200;
    static final long OFFGRID_SEED = 20261130L;

    /**
     * {@value #OFFGRID_COUNT} shapes off the grid, to judge Get_Time on a table of the grid: m log-uniform in the grid's
     * m range, k and n log-uniform multiples of 8 in its k/n range within its aspect bound, never a grid shape; the
     * same shapes on every node (a fixed seed).
     */
    public static List<GemmShape> offGrid() {
        Set<GemmShape> grid = new HashSet<>(grid());
        Set<GemmShape> shapes = new LinkedHashSet<>();
        SplittableRandom random = new SplittableRandom(OFFGRID_SEED);
        double kMin = Math.log(1L << GRID_KN_MIN_LOG2);
        double kMax = Math.log(1L << GRID_KN_MAX_LOG2);
        while (shapes.size() < OFFGRID_COUNT) {
            long m = Math.round(Math.exp(random.nextDouble(0, Math.log(GRID_M.getLast()))));
            long k = 8 * Math.max(1, Math.round(Math.exp(random.nextDouble(kMin, kMax)) / 8));
            long n = 8 * Math.max(1, Math.round(Math.exp(random.nextDouble(kMin, kMax)) / 8));
            GemmShape shape = new GemmShape(m, k, n);
            if (Math.max(k, n) <= GRID_MAX_ASPECT * Math.min(k, n) && !grid.contains(shape)) {
                shapes.add(shape);
            }
        }
        return List.copyOf(shapes);
    }

    /** {@code seed}, {@code grid}, {@code all}, {@code offgrid}, or else the CSV file of that name. */
    public static List<GemmShape> named(String set) {
        return switch (set) {
            case "seed" -> seed();
            case "grid" -> grid();
            case "all" -> all();
            case "offgrid" -> offGrid();
            default -> {
                if (!Files.exists(Path.of(set)))
                    throw new BadInputException(set + ": neither a shape set (seed, grid, all, offgrid) nor a file");
                yield read(Path.of(set));
            }
        };
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
            if (lineNumber == 1) {
                line = InputFiles.withoutBom(line);
            }
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
