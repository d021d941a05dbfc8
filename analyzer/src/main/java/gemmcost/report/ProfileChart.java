package gemmcost.report;

import gemmcost.Numbers;
import gemmcost.device.Roofline;
import gemmcost.gettime.Estimate;
import gemmcost.gettime.GetTime;
import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Achieved TFLOP/s against m for (k, n) sites, one small chart each: the table's measurements as dots, Get_Time's
 * answers between and beyond them as a line coloured by label, and the datasheet roofline. Shows at a glance
 * where a table is measured and where Get_Time interpolates or extrapolates.
 */
final class ProfileChart {
    private static final double W = 300;
    private static final double H = 170;
    private static final double LEFT = 50;
    private static final double BOTTOM = 28;
    private static final double RIGHT = 28; // room for the last tick's label
    private static final int SAMPLES = 48;

    private ProfileChart() {
    }

    /**
     * A (k, n) site with its table entries (possibly none), in increasing m, and the label they carry: the table's
     * kind ({@code measured}, {@code imported}, {@code simulated}).
     */
    record Site(long k, long n, List<ProfileEntry> measured, String entriesLabel) {
    }

    /** The sites of a table with the most m values, at most {@code limit}. */
    static List<Site> tableSites(Profile table, int limit) {
        return bySite(table).entrySet().stream().filter(e -> e.getValue().size() >= 2)
                .sorted(Comparator.comparingInt((Map.Entry<List<Long>, List<ProfileEntry>> e) -> -e.getValue().size()))
                .limit(limit).map(e -> site(e.getKey(), e.getValue(), table)).toList();
    }

    /**
     * The (k, n) sites of {@code gemmTimeUs} (a GEMM time per site), the longest first, at most {@code limit}, each
     * with the entries {@code table} has there (none without a table).
     */
    static List<Site> gemmSites(Map<List<Long>, Double> gemmTimeUs, Profile table, int limit) {
        Map<List<Long>, List<ProfileEntry>> entries = table == null ? Map.of() : bySite(table);
        return gemmTimeUs.entrySet().stream().sorted(Map.Entry.<List<Long>, Double>comparingByValue().reversed())
                .limit(limit).map(e -> site(e.getKey(), entries.getOrDefault(e.getKey(), List.of()), table)).toList();
    }

    private static Map<List<Long>, List<ProfileEntry>> bySite(Profile table) {
        Map<List<Long>, List<ProfileEntry>> bySite = new LinkedHashMap<>();
        for (ProfileEntry e : table.entries())
            bySite.computeIfAbsent(List.of(e.shape().k(), e.shape().n()), key -> new ArrayList<>()).add(e);
        return bySite;
    }

    private static Site site(List<Long> kn, List<ProfileEntry> entries, Profile table) {
        List<ProfileEntry> byM = entries.stream().sorted(Comparator.comparingLong(e -> e.shape().m())).toList();
        return new Site(kn.get(0), kn.get(1), byM, table == null ? "none" : table.provenance().kind().jsonName());
    }

    static void render(Html html, Site site, long mLow, long mHigh, GetTime getTime, Roofline roofline) {
        long lo = site.measured().isEmpty() ? mLow : Math.max(1, site.measured().getFirst().shape().m() / 4);
        long hi = site.measured().isEmpty() ? mHigh : site.measured().getLast().shape().m() * 4;
        List<double[]> curve = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        double top = roofline == null ? 0 : roofline.peakFlopsPerSec() / 1e12;
        for (int i = 0; i <= SAMPLES; i++) {
            GemmShape shape = new GemmShape(Math.max(1, Math.round(lo * Math.pow((double) hi / lo, (double) i / SAMPLES))),
                    site.k(), site.n());
            Estimate e = getTime.estimate(shape);
            double tflops = tflops(shape, e.timeUs());
            curve.add(new double[] {shape.m(), tflops});
            labels.add(e.label().id());
            top = Math.max(top, tflops);
        }
        for (ProfileEntry e : site.measured())
            top = Math.max(top, tflops(e.shape(), e.timeUs()));
        Axis y = Axis.upTo(top * 1.05, 4);
        double logLo = Math.log(lo);
        double logSpan = Math.max(1e-9, Math.log(hi) - logLo);
        html.open("svg", "class", "site", "width", W + LEFT + RIGHT, "height", H + BOTTOM + 24, "role", "img",
                "aria-label", "TFLOP/s against m");
        html.element("text", String.format(Locale.ROOT, "k = %d, n = %d", site.k(), site.n()), "x", LEFT, "y", 14.0,
                "class", "chart-title");
        html.open("g", "transform", "translate(0,20)");
        html.open("g", "class", "axis");
        for (double t : y.ticks()) {
            double py = H - y.px(t, H);
            html.empty("line", "x1", LEFT, "x2", LEFT + W, "y1", py, "y2", py);
            html.element("text", String.format(Locale.ROOT, "%.0f", t), "x", LEFT - 4, "y", py + 4, "text-anchor", "end");
        }
        long step = (long) Math.pow(4, Math.max(1, Math.ceil(Math.log(hi / (double) lo) / Math.log(4) / 5)));
        for (long m = 1; m <= hi; m *= step) {
            if (m < lo)
                continue;
            double px = LEFT + (Math.log(m) - logLo) / logSpan * W;
            html.element("text", compact(m), "x", px, "y", H + 14, "text-anchor", "middle");
        }
        html.element("text", "m (log scale)", "x", LEFT + W, "y", H + 26, "text-anchor", "end");
        html.element("text", "TFLOP/s", "x", 10.0, "y", H / 2, "text-anchor", "middle", "transform",
                "rotate(-90 10 " + Html.number(H / 2) + ")", "class", "axis-title");
        html.close("g");
        if (roofline != null) {
            html.open("polyline", "class", "roofline", "points", roofline(site, lo, hi, logLo, logSpan, y, roofline));
            html.element("title", String.format(Locale.ROOT, "datasheet roofline: %.0f TFLOP/s peak [modeled]",
                    roofline.peakFlopsPerSec() / 1e12)).close("polyline");
        }
        for (int i = 1; i < curve.size(); i++) {
            double[] a = curve.get(i - 1);
            double[] b = curve.get(i);
            html.open("line", "class", "estimate " + labels.get(i), "x1", x(a[0], logLo, logSpan),
                    "y1", H - y.px(a[1], H), "x2", x(b[0], logLo, logSpan), "y2", H - y.px(b[1], H));
            html.element("title", String.format(Locale.ROOT, "Get_Time(%d, %d, %d): %.1f TFLOP/s [%s]",
                    (long) b[0], site.k(), site.n(), b[1], labels.get(i)));
            html.close("line");
        }
        for (ProfileEntry e : site.measured()) {
            html.open("circle", "class", "measured", "r", 3.0, "cx", x(e.shape().m(), logLo, logSpan),
                    "cy", H - y.px(tflops(e.shape(), e.timeUs()), H));
            html.element("title", String.format(Locale.ROOT, "%s: %s µs, %.1f TFLOP/s [%s]", e.shape(),
                    Numbers.micros(e.timeUs()), tflops(e.shape(), e.timeUs()), site.entriesLabel()));
            html.close("circle");
        }
        html.close("g").close("svg");
    }

    private static String roofline(Site site, long lo, long hi, double logLo, double logSpan, Axis y, Roofline r) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i <= SAMPLES; i++) {
            double m = lo * Math.pow((double) hi / lo, (double) i / SAMPLES);
            double tflops = 2.0 * m * site.k() * site.n() / (r.timeUs(m, site.k(), site.n()) * 1e6);
            points.append(Html.number(x(m, logLo, logSpan))).append(',').append(Html.number(H - y.px(tflops, H)))
                    .append(' ');
        }
        return points.toString().strip();
    }

    private static double x(double m, double logLo, double logSpan) {
        return LEFT + (Math.log(m) - logLo) / logSpan * W;
    }

    /** {@code 4096} → {@code 4k}, {@code 1048576} → {@code 1M}: tick labels that fit beside each other. */
    static String compact(long m) {
        if (m >= 1 << 20 && m % (1 << 20) == 0)
            return m / (1 << 20) + "M";
        if (m >= 1 << 10 && m % (1 << 10) == 0)
            return m / (1 << 10) + "k";
        return Long.toString(m);
    }

    static double tflops(GemmShape shape, double timeUs) {
        return shape.flops() / (timeUs * 1e6);
    }
}
