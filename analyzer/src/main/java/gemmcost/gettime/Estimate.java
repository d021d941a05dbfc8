package gemmcost.gettime;

import java.util.Locale;
import java.util.Objects;

/**
 * One Get_Time answer.
 *
 * @param timeUs           predicted GEMM time in µs
 * @param label            how it was obtained
 * @param method           which rule produced it
 * @param octavesOutside   when extrapolated (labelled so, or simulated beyond a stand-in table's range): how far
 *                         (log2 units) the shape lies outside the measured range along {@code axisOutside}; else 0
 * @param axisOutside      {@code "m"}, {@code "k"} or {@code "n"} when extrapolated, else {@code ""}
 */
public record Estimate(double timeUs, Label label, Method method, double octavesOutside, String axisOutside) {
    /** The rule that produced an estimate. */
    public enum Method {
        /** Exact table hit. */
        EXACT,
        /** The transposed problem (n, k, m) was measured; C^T = B^T·A^T does the same work. */
        TRANSPOSED_TWIN,
        /** Interpolated along table lines (m, k or n varying, the other two fixed) that bracket the shape. */
        ALONG_LINES,
        /** Locally weighted linear fit of efficiency over the nearest measured shapes in log2 space. */
        LOCAL_FIT,
        /** Farther than {@link LocalFit#FAR_OCTAVES} from every measured shape: their weighted mean efficiency. */
        FAR_MEAN,
        /** Outside the measured box: the efficiency of the nearest shape inside it (each axis clamped), held. */
        EDGE_HELD,
        /** The table's fastest measured time, the least a launch took: the shape's own estimate was below it. */
        LAUNCH_FLOOR,
        /** Datasheet roofline. */
        ROOFLINE,
        /** The least time any GEMM kernel takes ({@link RooflineGetTime#KERNEL_FLOOR_US}): the roofline is below it. */
        KERNEL_FLOOR
    }

    public Estimate {
        if (!(timeUs > 0) || Double.isInfinite(timeUs)) {
            throw new IllegalArgumentException("must be finite and > 0: timeUs=" + timeUs);
        }
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(axisOutside, "axisOutside");
    }

    static Estimate of(double timeUs, Label label, Method method) {
        return new Estimate(timeUs, label, method, 0, "");
    }

    /** A short human explanation, e.g. {@code extrapolated: 9.0 octaves beyond the measured m range}. */
    public String explain() {
        String how = switch (method) {
            case EXACT -> "exact table hit";
            case TRANSPOSED_TWIN -> "transposed shape (n, k, m) measured";
            case ALONG_LINES -> "interpolated along measured lines";
            case LOCAL_FIT -> "local fit of efficiency over nearest measured shapes";
            case FAR_MEAN -> "weighted mean efficiency of the nearest measured shapes, all over "
                    + (int) LocalFit.FAR_OCTAVES + " octaves away";
            case EDGE_HELD -> "efficiency of the nearest shape in the measured range, held";
            case LAUNCH_FLOOR -> "the table's fastest measured time, the least a launch took (the shape's own"
                    + " estimate is below it)";
            case ROOFLINE -> "roofline speed of light from datasheet peaks (no efficiency loss)";
            case KERNEL_FLOOR -> "the " + RooflineGetTime.KERNEL_FLOOR_US + " us kernel floor (the shape's own"
                    + " estimate is below it)";
        };
        if (!axisOutside.isEmpty()) { // extrapolated, whatever the label says of the table (a simulated one's)
            return how + "; " + (octavesOutside < 0.05 ? "just" : String.format(Locale.ROOT, "%.1f octaves",
                    octavesOutside)) + " beyond the measured " + axisOutside + " range";
        }
        return how;
    }
}
