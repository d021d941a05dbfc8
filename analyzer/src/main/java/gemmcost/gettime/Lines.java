package gemmcost.gettime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The table's points grouped into lines along each axis (m varying at fixed (k, n), and likewise for k and n),
 * for linear interpolation of the residual in log2 space between the two points that bracket a query.
 * A measured m-sweep at one (k, n) site is such a line; so is every row of a grid.
 */
final class Lines {
    private record Key(long a, long b) {
    }

    private record Line(double[] log2x, double[] residual) {
    }

    private final List<Map<Key, Line>> byAxis = new ArrayList<>(3);

    Lines(long[][] shapes, double[] residual) {
        for (int axis = 0; axis < 3; axis++) {
            Map<Key, List<Integer>> members = new HashMap<>();
            for (int p = 0; p < shapes.length; p++) {
                members.computeIfAbsent(key(shapes[p], axis), key -> new ArrayList<>()).add(p);
            }
            Map<Key, Line> lines = new HashMap<>();
            for (var e : members.entrySet()) {
                if (e.getValue().size() >= 2) {
                    lines.put(e.getKey(), line(shapes, residual, e.getValue(), axis));
                }
            }
            byAxis.add(lines);
        }
    }

    private static Key key(long[] shape, int axis) {
        return switch (axis) {
            case 0 -> new Key(shape[1], shape[2]);
            case 1 -> new Key(shape[0], shape[2]);
            default -> new Key(shape[0], shape[1]);
        };
    }

    private static Line line(long[][] shapes, double[] residual, List<Integer> points, int axis) {
        Integer[] order = points.toArray(Integer[]::new);
        Arrays.sort(order, (p, q) -> Long.compare(shapes[p][axis], shapes[q][axis]));
        double[] xs = new double[order.length];
        double[] rs = new double[order.length];
        for (int i = 0; i < order.length; i++) {
            xs[i] = Shapes.log2(shapes[order[i]][axis]);
            rs[i] = residual[order[i]];
        }
        return new Line(xs, rs);
    }

    /**
     * The residual interpolated along every line that brackets the query, averaged with weights
     * 1/width² (the tighter the bracket, the more it counts); NaN if no line brackets it.
     */
    double residualAt(long m, long k, long n) {
        long[] q = {m, k, n};
        double weighted = 0;
        double weights = 0;
        for (int axis = 0; axis < 3; axis++) {
            Line line = byAxis.get(axis).get(key(q, axis));
            if (line == null) {
                continue;
            }
            double x = Shapes.log2(q[axis]);
            int i = Arrays.binarySearch(line.log2x, x);
            if (i >= 0) {
                return line.residual[i];
            }
            int hi = -i - 1;
            if (hi == 0 || hi == line.log2x.length) {
                continue;
            }
            double x0 = line.log2x[hi - 1];
            double width = line.log2x[hi] - x0;
            double f = (x - x0) / width;
            double r = line.residual[hi - 1] + f * (line.residual[hi] - line.residual[hi - 1]);
            double w = 1 / (width * width);
            weighted += w * r;
            weights += w;
        }
        return weights > 0 ? weighted / weights : Double.NaN;
    }
}
