package gemmcost.gettime;

import gemmcost.table.Quantiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The table's points grouped into lines along each axis (m varying at fixed (k, n), and likewise for k and n). A
 * measured m-sweep at one (k, n) site is such a line; so is every row of a grid. A query that a line brackets is
 * answered from that line and from the lines near it:
 * <ul>
 *   <li><b>along the line:</b> the residual interpolated linearly in log2 between the two bracketing points, plus
 *       the <em>detail</em> the nearest neighbouring lines show there: the median of their departures at the query's
 *       coordinate from their own straight line between the same two coordinates. Kernel switches and tile steps
 *       happen at the same m on nearby sites, so a step the line's own points straddle is still seen. The sum stays
 *       within the two bracketing points' range, widened on one side by the median of how far those lines' values
 *       there lie above (or below) their own two points' range: 0 for most, as a step lies between its two sides. A
 *       detail borrowed from lines whose steps fall elsewhere cannot then take the answer past both of the line's own
 *       points;</li>
 *   <li><b>across lines:</b> the median, over the nearest neighbouring lines that measured the query's coordinate,
 *       of their residual there plus their weighted mean offset from this line over the coordinates both measured
 *       within {@value #OFFSET_WINDOW_OCTAVES} octaves of it. Many points enter each offset, so timing noise in the two
 *       bracketing points weighs less;</li>
 *   <li>the two are blended by their expected error: the along-line estimate with weight 1/width² (the bracket's
 *       width in octaves), the across-lines one with weight 1/({@value #ACROSS_DISTANCE_WEIGHT}·d²), d the distance
 *       in octaves of its median neighbour. A dense sweep (Vidur's) keeps its own points; a coarse one borrows from
 *       its neighbours.</li>
 * </ul>
 * Neighbouring lines are the {@value #NEIGHBOURS} nearest of the same axis, within {@value #RADIUS_OCTAVES}
 * octaves in log2 of the two fixed coordinates, that measured what is needed; ties go to the earlier line.
 * Where several axes bracket the query, their answers are averaged with weights 1/width².
 */
final class Lines {
    static final int NEIGHBOURS = 12;
    private static final int ALL_AXES = 0b111;
    static final double RADIUS_OCTAVES = 3;
    static final double OFFSET_WINDOW_OCTAVES = 0.5;
    /** Offsets are averaged with weights 1/(|x' − x| + this), in octaves: the nearest coordinates count most. */
    static final double OFFSET_SOFTENING_OCTAVES = 0.25;
    static final double ACROSS_DISTANCE_WEIGHT = 0.1;
    /**
     * Lines kept per line as candidates, nearest first: enough to find {@value #NEIGHBOURS} that measured a query's
     * coordinate on the public tables, and a bound on memory where a table has thousands of short lines.
     */
    static final int NEAR_LINES_KEPT = 64;

    private record Key(long a, long b) {
    }

    /** One line: its points' log2 coordinates (ascending) and residuals, and log2 of its two fixed coordinates. */
    private record Line(double[] log2x, double[] residual, double log2a, double log2b) {
        /** The residual measured at exactly {@code x}, NaN if none. */
        double at(double x) {
            int i = Arrays.binarySearch(log2x, x);
            return i >= 0 ? residual[i] : Double.NaN;
        }
    }

    /** Per axis, per line's key: the line and its {@link Near} lines (one lookup a query). */
    private final List<Map<Key, Located>> byAxis = new ArrayList<>(3);
    /**
     * The other lines of an axis within the radius, nearest first (ties in key order): the first
     * {@link #NEAR_LINES_KEPT} of them, and whether that is all.
     */
    private record Near(Line[] lines, boolean complete) {
        static final Near NONE = new Near(new Line[0], true);
    }

    private record Located(Line line, Near near) {
    }

    /** Per axis, per coordinate: the lines that measured it, in key order (for where a line's near ones fall short). */
    private final List<Map<Double, List<Line>>> measuring = new ArrayList<>(3);
    /**
     * Per axis, the values the table has there: a query none of whose axes' two other values are both known lies on no
     * line (most lookups off every site), and skips the maps; one with a value not known is no table shape.
     */
    private final ValueFilter[] known = {new ValueFilter(), new ValueFilter(), new ValueFilter()};

    Lines(long[][] shapes, double[] residual) {
        for (long[] shape : shapes) {
            for (int axis = 0; axis < 3; axis++) {
                known[axis].add(shape[axis]);
            }
        }
        for (int axis = 0; axis < 3; axis++) {
            Map<Key, List<Integer>> members = new HashMap<>();
            for (int p = 0; p < shapes.length; p++) {
                members.computeIfAbsent(key(shapes[p], axis), key -> new ArrayList<>()).add(p);
            }
            List<Key> keys = new ArrayList<>(members.keySet());
            keys.sort(Comparator.comparingLong(Key::a).thenComparingLong(Key::b));
            Map<Key, Line> lines = new HashMap<>();
            for (Key key : keys) {
                if (members.get(key).size() >= 2) {
                    lines.put(key, line(shapes, residual, members.get(key), axis, key));
                }
            }
            List<Key> lineKeys = keys.stream().filter(lines::containsKey).toList();
            byAxis.add(located(lineKeys, lines));
            Map<Double, List<Line>> byCoordinate = new HashMap<>();
            for (Key key : lineKeys) {
                for (double x : lines.get(key).log2x) {
                    byCoordinate.computeIfAbsent(x, c -> new ArrayList<>()).add(lines.get(key));
                }
            }
            measuring.add(byCoordinate);
        }
    }

    /** Per line (keys in key order), the line with its {@link Near} lines. */
    private static Map<Key, Located> located(List<Key> keys, Map<Key, Line> lines) {
        Map<Key, Located> result = new HashMap<>();
        List<Line> all = keys.stream().map(lines::get).toList();
        for (Key key : keys) {
            Line[] near = within(lines.get(key), all);
            result.put(key, new Located(lines.get(key), new Near(Arrays.copyOf(near, Math.min(near.length,
                    NEAR_LINES_KEPT)), near.length <= NEAR_LINES_KEPT)));
        }
        return result;
    }

    /** Those of {@code candidates} (in key order) within the radius of {@code line}, nearest first, ties in order. */
    private static Line[] within(Line line, List<Line> candidates) {
        double radius2 = RADIUS_OCTAVES * RADIUS_OCTAVES;
        List<Line> near = new ArrayList<>();
        for (Line other : candidates) {
            if (other != line && distance2(line, other) <= radius2) {
                near.add(other);
            }
        }
        near.sort(Comparator.comparingDouble(other -> distance2(line, other))); // a stable sort
        return near.toArray(Line[]::new);
    }

    private static double distance2(Line p, Line q) {
        double da = p.log2a - q.log2a;
        double db = p.log2b - q.log2b;
        return da * da + db * db;
    }

    private static Key key(long[] shape, int axis) {
        return switch (axis) {
            case 0 -> new Key(shape[1], shape[2]);
            case 1 -> new Key(shape[0], shape[2]);
            default -> new Key(shape[0], shape[1]);
        };
    }

    private static Line line(long[][] shapes, double[] residual, List<Integer> points, int axis, Key key) {
        Integer[] order = points.toArray(Integer[]::new);
        Arrays.sort(order, (p, q) -> Long.compare(shapes[p][axis], shapes[q][axis]));
        double[] xs = new double[order.length];
        double[] rs = new double[order.length];
        for (int i = 0; i < order.length; i++) {
            xs[i] = Shapes.log2(shapes[order[i]][axis]);
            rs[i] = residual[order[i]];
        }
        return new Line(xs, rs, Shapes.log2(key.a()), Shapes.log2(key.b()));
    }

    /** Bit {@code axis} set where the table may have (m, k, n)'s value on that axis (clear: surely not). */
    int knownAxes(long m, long k, long n) {
        return (known[0].mayContain(m) ? 1 : 0) | (known[1].mayContain(k) ? 2 : 0) | (known[2].mayContain(n) ? 4 : 0);
    }

    /** Whether a shape whose {@link #knownAxes} are {@code knownAxes} may be one of the table's (false: surely not). */
    static boolean mayHold(int knownAxes) {
        return knownAxes == ALL_AXES;
    }

    /**
     * The residual at (m, k, n) from every line that brackets it (see the class comment); NaN if none does.
     * {@code knownAxes}: the shape's {@link #knownAxes}.
     */
    double residualAt(long m, long k, long n, int knownAxes) {
        long[] q = {m, k, n};
        double weighted = 0;
        double weights = 0;
        for (int axis = 0; axis < 3; axis++) {
            int fixedAxes = ALL_AXES & ~(1 << axis);
            if ((knownAxes & fixedAxes) != fixedAxes) {
                continue;
            }
            Located located = byAxis.get(axis).get(key(q, axis));
            if (located == null) {
                continue;
            }
            Line line = located.line();
            double x = Shapes.log2(q[axis]);
            int i = Arrays.binarySearch(line.log2x, x);
            if (i >= 0) {
                return line.residual[i];
            }
            int hi = -i - 1;
            if (hi == 0 || hi == line.log2x.length) {
                continue;
            }
            double width = line.log2x[hi] - line.log2x[hi - 1];
            // a coordinate no line measured (a query elsewhere) has no neighbours to look through
            List<Line> measuringX = measuring.get(axis).get(x);
            Near near = measuringX == null ? Near.NONE : located.near();
            Supplier<Line[]> measured = once(() -> within(line, measuringX));
            double r = bracketed(line, near, measured, x, hi - 1, hi);
            double w = 1 / (width * width);
            weighted += w * r;
            weights += w;
        }
        return weights > 0 ? weighted / weights : Double.NaN;
    }

    /** {@code lines}, computed on the first call only: the along- and the across-lines estimate both may ask. */
    private static Supplier<Line[]> once(Supplier<Line[]> lines) {
        Line[][] computed = new Line[1][];
        return () -> computed[0] != null ? computed[0] : (computed[0] = lines.get());
    }

    /** The blend of the along-line and the across-lines estimate at x, between the line's points lo and hi. */
    private static double bracketed(Line line, Near near, Supplier<Line[]> measured, double x, int lo, int hi) {
        double along = along(line, near, measured, x, lo, hi);
        double[] across = across(line, near, measured, x);
        if (across == null) {
            return along;
        }
        double width = line.log2x[hi] - line.log2x[lo];
        double alongWeight = 1 / (width * width);
        double acrossWeight = 1 / (ACROSS_DISTANCE_WEIGHT * across[1]);
        return (alongWeight * along + acrossWeight * across[0]) / (alongWeight + acrossWeight);
    }

    /**
     * The chord between the line's points lo and hi at x plus the median departure from their own chords of the nearest
     * lines that measured x, x0 and x1, kept within the two points' range widened by those lines' median excess.
     */
    private static double along(Line line, Near near, Supplier<Line[]> measured, double x, int lo, int hi) {
        double x0 = line.log2x[lo];
        double x1 = line.log2x[hi];
        double r0 = line.residual[lo];
        double r1 = line.residual[hi];
        double f = (x - x0) / (x1 - x0);
        double chord = r0 + f * (r1 - r0);
        double[] departures = new double[NEIGHBOURS];
        Line[] used = new Line[NEIGHBOURS];
        LineValue departure = (other, rx) -> {
            double o0 = other.at(x0);
            return rx - (o0 + f * (other.at(x1) - o0));
        };
        int count = fromNearest(near, measured, x, departure, departures, used);
        if (count == 0) {
            return chord;
        }
        double along = chord + median(departures, count);
        double low = Math.min(r0, r1);
        double high = Math.max(r0, r1);
        if (low <= along && along <= high) {
            return along; // within the range the widening only extends
        }
        double[] excesses = new double[count];
        for (int j = 0; j < count; j++) {
            excesses[j] = excess(used[j].at(x), used[j].at(x0), used[j].at(x1));
        }
        double medianExcess = median(excesses, count);
        return Math.clamp(along, low + Math.min(0, medianExcess), high + Math.max(0, medianExcess));
    }

    /** How far rx lies above (positive) or below (negative) the range of r0 and r1; 0 within it. */
    private static double excess(double rx, double r0, double r1) {
        return rx - Math.clamp(rx, Math.min(r0, r1), Math.max(r0, r1));
    }

    /**
     * The across-lines estimate at x and the squared distance of its median neighbour, or null when no nearby line
     * measured x and shares a coordinate with this line within the window.
     */
    private static double[] across(Line line, Near near, Supplier<Line[]> measured, double x) {
        double[] estimates = new double[NEIGHBOURS];
        Line[] used = new Line[NEIGHBOURS];
        int count = fromNearest(near, measured, x, (other, rx) -> rx + offset(line, other, x), estimates, used);
        if (count == 0) {
            return null;
        }
        return new double[] {median(estimates, count), distance2(line, used[(count - 1) / 2])};
    }

    /** What a neighbouring line that measured {@code rx} at the query's coordinate says; NaN: nothing. */
    @FunctionalInterface
    private interface LineValue {
        double of(Line other, double rx);
    }

    /**
     * The values of the nearest lines (at most {@link #NEIGHBOURS}, nearest first) that measured x and give one, into
     * {@code values} and the lines into {@code used}; returns how many. The kept near lines are looked at first; where
     * they fall short and are not all, the lines within the radius that {@code measured} x, which are the same lines
     * in the same order with the ones that cannot give a value left out.
     */
    private static int fromNearest(Near near, Supplier<Line[]> measured, double x, LineValue value, double[] values,
                                   Line[] used) {
        int count = fromNearest(near.lines(), x, value, values, used);
        return count < NEIGHBOURS && !near.complete() ? fromNearest(measured.get(), x, value, values, used) : count;
    }

    private static int fromNearest(Line[] near, double x, LineValue value, double[] values, Line[] used) {
        int count = 0;
        for (int j = 0; j < near.length && count < NEIGHBOURS; j++) {
            double rx = near[j].at(x);
            double v = Double.isNaN(rx) ? Double.NaN : value.of(near[j], rx);
            if (!Double.isNaN(v)) {
                values[count] = v;
                used[count++] = near[j];
            }
        }
        return count;
    }

    /** The weighted mean of line − other over the coordinates both measured within the window around x. */
    private static double offset(Line line, Line other, double x) {
        double weights = 0;
        double sum = 0;
        int i = lowerBound(line.log2x, x - OFFSET_WINDOW_OCTAVES);
        int j = lowerBound(other.log2x, x - OFFSET_WINDOW_OCTAVES);
        while (i < line.log2x.length && j < other.log2x.length) {
            double a = line.log2x[i];
            double b = other.log2x[j];
            if (a > x + OFFSET_WINDOW_OCTAVES || b > x + OFFSET_WINDOW_OCTAVES) {
                break;
            }
            if (a < b) {
                i++;
            } else if (b < a) {
                j++;
            } else {
                double w = 1 / (Math.abs(a - x) + OFFSET_SOFTENING_OCTAVES);
                weights += w;
                sum += w * (line.residual[i++] - other.residual[j++]);
            }
        }
        return weights > 0 ? sum / weights : Double.NaN;
    }

    private static int lowerBound(double[] sorted, double value) {
        int i = Arrays.binarySearch(sorted, value);
        return i >= 0 ? i : -i - 1;
    }

    private static double median(double[] values, int count) {
        double[] v = Arrays.copyOf(values, count);
        Arrays.sort(v);
        return Quantiles.of(v, 0.5);
    }
}
