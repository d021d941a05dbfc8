package gemmcost.report;

import gemmcost.Numbers;
import gemmcost.claim.ClaimCheck;
import gemmcost.claim.ClaimSweep;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** MA-separation's TPOT reduction against the baseline as one axis varies, with the claimed 34.2 % for reference. */
final class SweepChart {
    private static final double W = 560;
    private static final double H = 220;
    private static final double LEFT = 54;

    private SweepChart() {
    }

    static void render(Html html, ClaimSweep sweep) {
        List<ClaimSweep.Point> points = sweep.points();
        double lo = 0;
        double hi = ClaimCheck.CLAIMED;
        for (ClaimSweep.Point p : points) {
            lo = Math.min(lo, Math.min(p.reduction(), p.reductionAgainstDense()));
            hi = Math.max(hi, Math.max(p.reduction(), p.reductionAgainstDense()));
        }
        // ticks at round steps, the range no wider than the data and the claim line: points at −20 % and below
        // should not sit under an empty +200 %
        Axis step = Axis.upTo((hi - lo) * 100, 6);
        double bottom = Math.floor(lo * 100 / step.step()) * step.step();
        double topPct = hi * 100 + 0.06 * (hi - lo) * 100;
        Scale scale = new Scale(bottom, topPct, points.getFirst().value(), points.getLast().value());
        html.open("svg", "class", "sweep", "data-axis", sweep.axis().id(), "width", LEFT + W + 260, "height", H + 40,
                "role", "img", "aria-label", "reduction against " + sweep.axis().id());
        html.open("g", "class", "axis");
        for (double t = bottom; t <= topPct; t += step.step()) {
            double y = scale.y(t);
            html.empty("line", "x1", LEFT, "x2", LEFT + W, "y1", y, "y2", y, "class", t == 0 ? "zero" : null);
            html.element("text", String.format(Locale.ROOT, "%.0f%%", t), "x", LEFT - 6, "y", y + 4, "text-anchor", "end");
        }
        for (ClaimSweep.Point p : points)
            html.element("text", Integer.toString(p.value()), "x", scale.x(p.value()), "y", H + 16, "text-anchor", "middle");
        html.element("text", sweep.axis().id() + ": " + sweep.axis().meaning() + " (log scale)", "x", LEFT + W,
                "y", H + 34, "text-anchor", "end");
        html.element("text", "MA's TPOT reduction", "x", 10.0, "y", 10 + (H - 10) / 2, "text-anchor", "middle",
                "transform", "rotate(-90 10 " + Html.number(10 + (H - 10) / 2) + ")", "class", "axis-title");
        html.close("g");
        double claimed = scale.y(ClaimCheck.CLAIMED * 100);
        html.empty("line", "class", "claimed", "x1", LEFT, "x2", LEFT + W, "y1", claimed, "y2", claimed);
        html.element("text", "claimed 34.2%", "x", LEFT + 4, "y", claimed - 4, "class", "claimed-label");
        series(html, sweep, scale, "experts", "MA vs baseline with experts", ClaimSweep.Point::reduction, 0);
        series(html, sweep, scale, "dense", "MA vs baseline costed dense (the seed)",
                ClaimSweep.Point::reductionAgainstDense, 1);
        html.close("svg");
    }

    private static void series(Html html, ClaimSweep sweep, Scale scale, String css, String name,
                               ToDoubleFunction<ClaimSweep.Point> reduction, int legendRow) {
        List<ClaimSweep.Point> points = sweep.points();
        StringBuilder line = new StringBuilder();
        for (ClaimSweep.Point p : points)
            line.append(Html.number(scale.x(p.value()))).append(',')
                    .append(Html.number(scale.y(reduction.applyAsDouble(p) * 100))).append(' ');
        html.empty("polyline", "class", "series " + css, "points", line.toString().strip());
        for (ClaimSweep.Point p : points) {
            double r = reduction.applyAsDouble(p);
            html.open("circle", "class", "series " + css, "r", 3.5, "cx", scale.x(p.value()), "cy", scale.y(r * 100));
            html.element("title", String.format(Locale.ROOT, "%s = %d: MA %s ms, %s: %s ms, reduction %s [%s]",
                    sweep.axis().id(), p.value(), Numbers.millis(p.maUs()), name, Numbers.millis(css.equals("dense") ? p.denseUs() : p.expertsUs()),
                    Numbers.percent(r), p.labels()));
            html.close("circle");
        }
        double y = 24 + 16 * legendRow;
        html.empty("line", "class", "series " + css, "x1", LEFT + W + 10, "x2", LEFT + W + 28, "y1", y - 4, "y2", y - 4);
        html.element("text", name, "x", LEFT + W + 32, "y", y, "class", "series-label");
    }


    /** Percent on y (linear), the swept value on x (log scale). */
    private record Scale(double bottomPct, double topPct, int first, int last) {
        double y(double pct) {
            return 10 + (topPct - pct) / (topPct - bottomPct) * (H - 10);
        }

        double x(int value) {
            if (first == last)
                return LEFT + W / 2;
            return LEFT + Math.log((double) value / first) / Math.log((double) last / first) * W;
        }
    }
}
