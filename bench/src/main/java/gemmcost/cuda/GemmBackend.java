package gemmcost.cuda;

import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;

/**
 * One way of running and timing GEMMs on one GPU (JCuda, FFM, or a simulation in tests). Everything outside
 * this package sees the GPU only through this interface.
 */
public interface GemmBackend extends AutoCloseable {
    /** Short name for tables and logs, e.g. {@code ffm}. */
    String name();

    /** What the device reports about itself. */
    DeviceProperties device();

    /**
     * Allocates A, B and C for one shape (filled with random values, never zeros) and whatever a timed launch
     * needs (stream, events, L2-flush buffer). One trial per shape; its launches reuse all of it.
     *
     * @throws GpuException when the device refuses, e.g. out of memory
     */
    GemmTrial open(GemmShape shape, Dtype dtype);

    /**
     * Runs one row-major GEMM {@code C = A·B} on the device with these inputs (each value exactly representable in
     * {@code dtype}; A is m×k, B is k×n) and returns C (m×n, row-major) as floats. C is poisoned with NaN before the
     * launch, so an element the GEMM did not write cannot pass for a result. For correctness checks on small shapes.
     */
    float[] multiply(GemmShape shape, Dtype dtype, float[] a, float[] b);

    @Override
    void close();

    /** A shape ready to launch. */
    interface GemmTrial extends AutoCloseable {
        /** One launch: L2 flushed (outside the timed region), then CUDA events around exactly one GEMM; GPU µs. */
        double launchUs();

        /**
         * The launch+sync baseline: the same events and synchronisation with no flush and no GEMM between the events;
         * GPU µs (about the event resolution). The host time of this call is the per-launch overhead.
         */
        double syncOnlyUs();

        @Override
        void close();
    }
}
