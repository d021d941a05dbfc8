package gemmcost;

/** Bounds every input shares, so that no reader accepts what another refuses. */
public final class Limits {
    /**
     * The most GPUs a DAG, a layout or a collective may span (indexes 0 to 65,535): beyond any deployment, and
     * small enough for the per-GPU arrays of schedules and plans.
     */
    public static final int MAX_GPUS = 65_536;

    private Limits() {
    }
}
