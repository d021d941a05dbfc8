package gemmcost.cuda;

import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;

/**
 * One way of running and timing work on one GPU (FFM or JCuda over {@link NativeBackend}, or a simulation in
 * tests). Everything outside this package sees the GPU only through this interface.
 */
public interface GemmBackend extends AutoCloseable {
    /** Short name for tables and logs, e.g. {@code ffm}. */
    String name();

    /** What the device reports about itself. */
    DeviceProperties device();

    /**
     * Allocates A, B and C for one shape (A and B filled with normal random values, never zeros) and whatever a
     * timed launch needs. One trial per shape; its launches reuse all of it.
     *
     * @throws GpuException when the device refuses, e.g. out of memory
     */
    GemmTrial open(GemmShape shape, Dtype dtype);

    /** A trial whose launch is one device-to-device copy of {@code bytes} (it reads and writes that much). */
    GemmTrial openCopy(long bytes);

    /**
     * Runs one row-major GEMM {@code C = A·B} on the device with these inputs (each value exactly representable in
     * {@code dtype}; A is m×k, B is k×n) and returns C (m×n, row-major) as floats. C is poisoned with NaN before the
     * launch, so an element the GEMM did not write cannot pass for a result. For correctness checks on small shapes.
     */
    float[] multiply(GemmShape shape, Dtype dtype, float[] a, float[] b);

    /** Device memory the backend keeps for itself (L2-flush buffer, cuBLAS workspace, operand pools). */
    long reservedBytes();

    /** Throws a sticky {@link GpuException} when the CUDA context is lost (after an illegal address, say). */
    void checkContext();

    /**
     * The error the CUDA context was lost with when {@code e} (or, for an error that does not say, such as cuBLAS's
     * EXECUTION_FAILED, a check of the context after it) shows it lost; null when it is not.
     */
    default GpuException lostContext(GpuException e) {
        GpuException lost = e;
        if (!e.sticky() && !e.outOfMemory()) {
            try {
                checkContext();
                return null;
            } catch (GpuException check) {
                lost = check;
            }
        }
        return lost.sticky() ? lost : null;
    }

    @Override
    void close();

    /** A workload ready to launch. */
    interface GemmTrial extends AutoCloseable {
        /** One launch: L2 flushed (outside the timed region), then CUDA events around exactly one launch; GPU µs. */
        double launchUs();

        /**
         * The launch+sync baseline: the same events and synchronisation with no flush and no work between the events;
         * GPU µs (about the event resolution). The host time of this call is the per-launch overhead.
         */
        double syncOnlyUs();

        @Override
        void close();
    }
}
