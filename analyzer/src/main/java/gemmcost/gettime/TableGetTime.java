package gemmcost.gettime;

import gemmcost.BadInputException;
import gemmcost.device.Roofline;
import gemmcost.gettime.Estimate.Method;
import gemmcost.table.GemmShape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Get_Time from a table of measured times.
 *
 * <p>The method follows what the prior art found to generalise (AIConfigurator's util-space transfer): times are
 * not interpolated directly but as a <em>residual against the table's own roofline</em>,
 * {@code r = ln((t - t0) / sol(m, k, n))}, where {@code sol} uses the highest FLOP rate and operand-traffic rate the
 * table itself shows and {@code t0} is half the fastest measured time (the launch floor no shape avoids), or 0 where
 * that shape ran at {@value #NO_LAUNCH_EFFICIENCY} of the table's roofline or more (a table of large shapes only, such
 * as the seed's, measured no launch). The residual varies slowly with shape, so:
 * <ol>
 *   <li>a measured shape returns its measured time verbatim;</li>
 *   <li>a shape whose transpose (n, k, m) was measured takes that time: C^T = B^T·A^T is the same work; transposes
 *       also join the data of the rules below. Only where the table's own pairs measured both ways agree, though
 *       ({@value #TWIN_QUANTILE} of them within {@value #TWIN_AGREEMENT}×, or no such pairs): the public bf16, fp16
 *       and fp32 tables mostly do, while TensorRT-LLM's and vLLM's fp8 tables disagree by 1.7–6× at p90 (their
 *       kernels treat the weight side, n, differently from m), and so does the L40S bf16 table (1.43×); and only
 *       where the shape measured nearest the twin does not contradict it ({@link #agreeingTwins});</li>
 *   <li>a shape on a measured line (e.g. inside a site's m-sweep, or a grid row) is answered from that line and the
 *       lines near it ({@link Lines}): interpolation between the bracketing points with the kernel steps the
 *       neighbouring lines show there, blended with the neighbours' own values shifted by their offset;</li>
 *   <li>anything else inside the measured box takes r from a locally weighted linear fit over the 12 nearest shapes
 *       in log2(m, k, n), clamped to the neighbours' range (efficiency is held, not extrapolated), or their weighted
 *       mean farther than {@link LocalFit#FAR_OCTAVES} from every measured shape; either kept between the longest
 *       time of those neighbours no larger on every axis and the shortest of those no smaller
 *       ({@link #withinBounds});</li>
 *   <li>a shape outside the box takes the r of the nearest shape inside it (each axis clamped to its measured range,
 *       answered by the rules above): just beyond a measured edge the answer continues that measurement.</li>
 * </ol>
 * The result is never below the table's fastest measured time (the least a launch took; without a measured launch,
 * the datasheet roofline's {@value RooflineGetTime#KERNEL_FLOOR_US} µs kernel floor, modeled) nor below the table's
 * own roofline (every measured point is above it). That roofline's rates were
 * measured on the device, so no answer is faster than the device has shown it can be; the datasheet does not clamp
 * further: where a table beats its datasheet's DRAM bandwidth (L40S, whose 96 MB L2 holds small weights), that is
 * what the device does. Only a table none of whose shapes is memory-bound on its datasheet (NeuSight's H100 fp32, m
 * at least 512) has measured no operand-traffic rate at all: the rate its compute-bound shapes show is their FLOP
 * rate in other units, and held at m = 1 it made a 4096 × 4096 GEMV 13× slower than reading its weights at the
 * datasheet's bandwidth. There the traffic term of the roofline is the datasheet's bandwidth. One method, one set
 * of constants for every table.
 */
public final class TableGetTime implements GetTime {
    /** Transposes stand in for each other only if this share of the table's pairs measured both ways agree… */
    static final double TWIN_QUANTILE = 0.9;
    /** …within this ratio. */
    static final double TWIN_AGREEMENT = 1.35;

    /** …and a twin is left out where the shape measured nearest it, this close (log2 distance), contradicts it. */
    static final double TWIN_NEIGHBOURHOOD_OCTAVES = 0.5;

    /** The launch floor {@code t0} as a fraction of the fastest measured time. */
    static final double FLOOR_FRACTION = 0.5;

    /**
     * A fastest shape that ran at this fraction of the table's own roofline or more measured no launch: nothing in
     * its time is overhead (a table of large shapes only, such as the seed's); then {@code t0} is 0.
     */
    static final double NO_LAUNCH_EFFICIENCY = 0.9;

    private final Map<GemmShape, Double> measuredUs;
    private final Map<GemmShape, Double> twinUs;
    private final double floorUs;
    private final double fastestUs;
    /** Whether the fastest shape measured its launch (else the table has no small shape: seed shapes only). */
    private final boolean launchBound;
    private final double flopsPerUs;
    private final double elementsPerUs;
    private final Lines lines;
    private final LocalFit fit;
    private final long[] lowest = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    private final long[] highest = {0, 0, 0};
    private final String source;

    private TableGetTime(Map<GemmShape, Double> measuredUs, String source, Optional<Roofline> datasheet) {
        this.measuredUs = Map.copyOf(measuredUs);
        Map.Entry<GemmShape, Double> fastest = measuredUs.entrySet().stream()
                .min(Map.Entry.<GemmShape, Double>comparingByValue().thenComparing(Map.Entry::getKey)).orElseThrow();
        double flops = 0;
        double elements = 0;
        for (var e : measuredUs.entrySet()) {
            GemmShape s = e.getKey();
            flops = Math.max(flops, s.flops() / e.getValue());
            elements = Math.max(elements, operandElements(s.m(), s.k(), s.n()) / e.getValue());
        }
        this.flopsPerUs = flops;
        Optional<Roofline> trafficUnmeasured = datasheet.filter(d -> noneMemoryBound(measuredUs.keySet(), d));
        this.elementsPerUs = trafficUnmeasured.isEmpty() ? elements
                : Math.max(elements, trafficUnmeasured.get().bandwidthBytesPerSec()
                        / trafficUnmeasured.get().elementBytes() / 1e6);
        this.source = Objects.requireNonNull(source, "source") + (trafficUnmeasured.isEmpty() ? ""
                : "; no shape memory-bound on the datasheet: operand traffic at its DRAM bandwidth");
        GemmShape f = fastest.getKey();
        this.launchBound = effectiveSolUs(f.m(), f.k(), f.n()) < NO_LAUNCH_EFFICIENCY * fastest.getValue();
        this.fastestUs = fastest.getValue();
        this.floorUs = launchBound ? FLOOR_FRACTION * fastestUs : 0;
        this.twinUs = transposesAgree(measuredUs) ? agreeingTwins(measuredUs) : Map.of();

        // In shape order, whatever order the caller's map has: the fit's ties then fall the same way every time.
        Map<GemmShape, Double> all = new LinkedHashMap<>(new TreeMap<>(measuredUs));
        all.putAll(new TreeMap<>(twinUs));
        long[][] shapes = new long[all.size()][];
        double[] residual = new double[all.size()];
        double[] timesUs = new double[all.size()];
        double[][] log2 = new double[3][all.size()];
        int p = 0;
        for (var e : all.entrySet()) {
            GemmShape s = e.getKey();
            shapes[p] = new long[] {s.m(), s.k(), s.n()};
            residual[p] = residual(s, e.getValue());
            timesUs[p] = e.getValue();
            for (int axis = 0; axis < 3; axis++) {
                log2[axis][p] = Shapes.log2(shapes[p][axis]);
                lowest[axis] = Math.min(lowest[axis], shapes[p][axis]);
                highest[axis] = Math.max(highest[axis], shapes[p][axis]);
            }
            p++;
        }
        this.lines = new Lines(shapes, residual);
        this.fit = new LocalFit(log2[0], log2[1], log2[2], residual, timesUs);
    }

    /**
     * A Get_Time over measured times.
     *
     * @param measuredUs  time in µs per measured shape (at least one)
     * @param source      one line of provenance, shown by {@link #source()}
     */
    public static TableGetTime of(Map<GemmShape, Double> measuredUs, String source) {
        return of(measuredUs, source, Optional.empty());
    }

    /**
     * A Get_Time over measured times on a device whose datasheet roofline is known.
     *
     * @param datasheet the device's datasheet roofline in the table's dtype: its bandwidth stands in for the operand
     *                  traffic rate where no measured shape is memory-bound on it (see the class comment)
     */
    public static TableGetTime of(Map<GemmShape, Double> measuredUs, String source, Optional<Roofline> datasheet) {
        if (measuredUs.isEmpty()) {
            throw new IllegalArgumentException("a table needs at least one measured shape");
        }
        measuredUs.forEach((shape, t) -> {
            if (!(t > 0) || Double.isInfinite(t)) {
                throw new IllegalArgumentException("must be finite and > 0: time_us=" + t + " at " + shape);
            }
        });
        return new TableGetTime(measuredUs, source, datasheet);
    }

    /** Whether every shape does more FLOPs per operand byte than the datasheet's ridge point. */
    static boolean noneMemoryBound(Iterable<GemmShape> shapes, Roofline datasheet) {
        for (GemmShape s : shapes) {
            double bytes = Roofline.bytes(s.m(), s.k(), s.n(), datasheet.elementBytes());
            if (s.flops() / bytes < datasheet.ridgeFlopsPerByte())
                return false;
        }
        return true;
    }

    /** Whether the pairs this table measured both ways, (m, k, n) and (n, k, m), agree (see the class comment). */
    static boolean transposesAgree(Map<GemmShape, Double> measuredUs) {
        List<Double> logRatios = new ArrayList<>();
        for (var e : measuredUs.entrySet()) {
            GemmShape s = e.getKey();
            Double other = s.m() < s.n() ? measuredUs.get(new GemmShape(s.n(), s.k(), s.m())) : null;
            if (other != null)
                logRatios.add(Math.abs(Math.log(e.getValue() / other)));
        }
        if (logRatios.isEmpty())
            return true;
        Collections.sort(logRatios);
        int rank = (int) Math.ceil(TWIN_QUANTILE * logRatios.size()); // nearest rank
        return logRatios.get(rank - 1) <= Math.log(TWIN_AGREEMENT);
    }

    /**
     * The transposes of the measured shapes that were not measured themselves, but not one that the shape measured
     * nearest to it, within {@value #TWIN_NEIGHBOURHOOD_OCTAVES} octave, contradicts: their efficiencies more than
     * {@value #TWIN_AGREEMENT}× apart. Where a table measured both orientations side by side (TensorRT-LLM's grid of
     * m = 32 against n = 32, 1.5× apart), interleaving them would make the time jump back and forth between
     * neighbouring shapes; where nothing was measured near, the twin is the table's only word there.
     */
    private Map<GemmShape, Double> agreeingTwins(Map<GemmShape, Double> measuredUs) {
        List<GemmShape> shapes = List.copyOf(new TreeMap<>(measuredUs).keySet());
        double[][] log2 = new double[3][shapes.size()];
        for (int p = 0; p < shapes.size(); p++) {
            log2[0][p] = Shapes.log2(shapes.get(p).m());
            log2[1][p] = Shapes.log2(shapes.get(p).k());
            log2[2][p] = Shapes.log2(shapes.get(p).n());
        }
        KdTree measured = new KdTree(log2[0], log2[1], log2[2]);
        Map<GemmShape, Double> twins = new HashMap<>();
        for (var e : measuredUs.entrySet()) {
            GemmShape s = e.getKey();
            GemmShape t = new GemmShape(s.n(), s.k(), s.m());
            if (measuredUs.containsKey(t))
                continue;
            KdTree.Nearest nearest = measured.nearest(Shapes.log2(t.m()), Shapes.log2(t.k()), Shapes.log2(t.n()), 1);
            GemmShape near = shapes.get(nearest.points[0]);
            boolean contradicted = nearest.dist2[0] <= TWIN_NEIGHBOURHOOD_OCTAVES * TWIN_NEIGHBOURHOOD_OCTAVES
                    && Math.abs(residual(t, e.getValue()) - residual(near, measuredUs.get(near)))
                    > Math.log(TWIN_AGREEMENT);
            if (!contradicted)
                twins.put(t, e.getValue());
        }
        return Map.copyOf(twins);
    }

    /** r = ln((t − t0) / sol): the time against the table's own roofline (see the class comment). */
    private double residual(GemmShape s, double timeUs) {
        return Math.log((timeUs - floorUs) / effectiveSolUs(s.m(), s.k(), s.n()));
    }

    private static double operandElements(double m, double k, double n) {
        return m * k + k * n + m * n;
    }

    /** Speed of light at the best FLOP and traffic rates this table shows, in µs. */
    private double effectiveSolUs(double m, double k, double n) {
        return Math.max(2.0 * m * k * n / flopsPerUs, operandElements(m, k, n) / elementsPerUs);
    }

    @Override
    public Estimate estimate(long m, long k, long n) {
        Shapes.requirePositive(m, k, n);
        long cm = inRange(m, 0);
        long ck = inRange(k, 1);
        long cn = inRange(n, 2);
        if (cm != m || ck != k || cn != n) { // outside the measured box: the efficiency at its edge, held
            return answer(residualInRange(cm, ck, cn), Method.EDGE_HELD, m, k, n);
        }
        int knownAxes = lines.knownAxes(m, k, n);
        if (Lines.mayHold(knownAxes)) { // a shape surely not measured, nor a twin, needs neither map
            GemmShape shape = new GemmShape(m, k, n);
            Double measured = measuredUs.get(shape); // one lookup for a measured shape: the hot path's common hit
            if (measured != null)
                return Estimate.of(measured, Label.MEASURED, Method.EXACT);
            Double twin = twinUs.get(shape);
            if (twin != null)
                return labelled(twin, Method.TRANSPOSED_TWIN, m, k, n);
        }
        Residual fitted = fittedResidual(m, k, n, knownAxes);
        return answer(fitted.r(), fitted.method(), m, k, n);
    }

    /** A residual and the rule that gave it. */
    private record Residual(double r, Method method) {
    }

    /** {@code value} clamped to the measured range of {@code axis} (0: m, 1: k, 2: n). */
    private long inRange(long value, int axis) {
        return Math.min(highest[axis], Math.max(lowest[axis], value));
    }

    /** The residual of a shape inside the measured box: measured, a twin's, along lines, else the local fit. */
    private double residualInRange(long m, long k, long n) {
        int knownAxes = lines.knownAxes(m, k, n);
        if (Lines.mayHold(knownAxes)) {
            GemmShape shape = new GemmShape(m, k, n);
            Double timeUs = measuredUs.get(shape);
            if (timeUs == null)
                timeUs = twinUs.get(shape);
            if (timeUs != null)
                return residual(shape, timeUs);
        }
        return fittedResidual(m, k, n, knownAxes).r();
    }

    private Residual fittedResidual(long m, long k, long n, int knownAxes) {
        double r = lines.residualAt(m, k, n, knownAxes);
        if (!Double.isNaN(r))
            return new Residual(r, Method.ALONG_LINES);
        LocalFit.Answer a = fit.answerAt(Shapes.log2(m), Shapes.log2(k), Shapes.log2(n));
        return new Residual(withinBounds(a, m, k, n), a.far() ? Method.FAR_MEAN : Method.LOCAL_FIT);
    }

    /**
     * The fit's residual kept within the time bounds its neighbours set (the longest time of a smaller shape, the
     * shortest of a larger one), where they do not contradict each other.
     */
    private double withinBounds(LocalFit.Answer a, long m, long k, long n) {
        if (a.lowerUs() > a.upperUs())
            return a.residual(); // the table itself falls as a shape grows there: no bound holds
        double solUs = effectiveSolUs(m, k, n);
        double r = a.residual();
        if (a.lowerUs() > 0) // a measured time, at least twice the floor
            r = Math.max(r, Math.log((a.lowerUs() - floorUs) / solUs));
        if (Double.isFinite(a.upperUs()))
            r = Math.min(r, Math.log((a.upperUs() - floorUs) / solUs));
        return r;
    }

    /**
     * The answer of residual {@code r} at (m, k, n) by {@code method}, never below the table's own roofline nor its
     * fastest measured time: the least a launch took on this device, which a GEMM smaller than every measured one
     * cannot beat (the answer then says so).
     */
    private Estimate answer(double r, Method method, long m, long k, long n) {
        double solUs = effectiveSolUs(m, k, n);
        double timeUs = Math.max(floorUs + Math.exp(r) * solUs, solUs);
        if (!launchBound) // no shape measured a launch: the datasheet roofline's kernel floor stands in
            return timeUs >= RooflineGetTime.KERNEL_FLOOR_US ? labelled(timeUs, method, m, k, n)
                    : Estimate.of(RooflineGetTime.KERNEL_FLOOR_US, Label.MODELED, Method.KERNEL_FLOOR);
        return timeUs >= fastestUs ? labelled(timeUs, method, m, k, n)
                : labelled(fastestUs, Method.LAUNCH_FLOOR, m, k, n);
    }

    private Estimate labelled(double timeUs, Method method, long m, long k, long n) {
        if (!Double.isFinite(timeUs))
            throw new BadInputException("the estimate for m=" + m + ", k=" + k + ", n=" + n + " overflows: the table's"
                    + " times span too many orders of magnitude to fit (is a time_us implausible?)");
        long[] q = {m, k, n};
        double worst = 0;
        int worstAxis = -1;
        for (int axis = 0; axis < 3; axis++) {
            if (q[axis] >= lowest[axis] && q[axis] <= highest[axis]) {
                continue; // inside the measured range (the common case): no logarithm needed
            }
            double outside = Math.max(Shapes.log2((double) lowest[axis] / q[axis]),
                    Shapes.log2((double) q[axis] / highest[axis]));
            if (outside > worst) {
                worst = outside;
                worstAxis = axis;
            }
        }
        if (worstAxis < 0) {
            return Estimate.of(timeUs, Label.INTERPOLATED, method);
        }
        return new Estimate(timeUs, Label.EXTRAPOLATED, method, worst, AXES.get(worstAxis));
    }

    private static final List<String> AXES = List.of("m", "k", "n");

    @Override
    public String source() {
        return source;
    }
}
