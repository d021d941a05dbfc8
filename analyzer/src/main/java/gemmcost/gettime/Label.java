package gemmcost.gettime;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** How a printed number was obtained; every number gemmcost prints carries one. */
public enum Label {
    /** Read verbatim from a measured table entry. */
    MEASURED,
    /** Read verbatim from an imported table: someone else's measurement (a public dataset, another tool). */
    IMPORTED,
    /** Predicted from measurements that surround the shape. */
    INTERPOLATED,
    /** Predicted for a shape outside the measured range. */
    EXTRAPOLATED,
    /** From a table made on gemmcost's CUDA stand-in: a simulation of the bench, never a measurement of a GPU. */
    SIMULATED,
    /**
     * A memory-bound time: bytes over the device-memory bandwidth measured with the table (the rate is measured, the
     * op's time follows from it).
     */
    MEASURED_BANDWIDTH,
    /**
     * Computed by a model, not read from a measurement: datasheet limits (a roofline), an engine's scheduling, or a
     * measurement corrected by one (a served fp8 GEMM without the table's dynamic scaling); where it is printed says
     * which.
     */
    MODELED,
    /** Stated by the seed report, not computed by gemmcost. */
    CLAIMED,
    /** Taken as is from the user's input (a duration in a DAG file). */
    GIVEN,
    /** An op the input did not say enough about to cost (a DOT node not understood): counted as 0, left out. */
    UNCOSTED;

    /** {@code interpolated+modeled}: the labels of a number computed from several, in declaration order. */
    public static String join(Collection<Label> labels) {
        return labels.isEmpty() ? "none" : String.join("+", ids(labels));
    }

    /** The ids of {@code labels}, each once, in declaration order: how every {@code --json} lists them. */
    public static List<String> ids(Collection<Label> labels) {
        return labels.stream().sorted().distinct().map(Label::id).toList();
    }

    /** The lower-case word printed next to numbers. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
