package gemmcost.gettime;

import gemmcost.table.GemmShape;

/**
 * Get_Time(m, k, n): the time of C[m×n] = A[m×k]·B[k×n] on one device and dtype. Implementations are
 * immutable and safe to share between threads.
 */
public interface GetTime {
    /** The estimate for a shape; all dimensions must be positive. */
    Estimate estimate(long m, long k, long n);

    /** The estimate for a shape. */
    default Estimate estimate(GemmShape shape) {
        return estimate(shape.m(), shape.k(), shape.n());
    }

    /** Time in µs only. */
    default double timeUs(long m, long k, long n) {
        return estimate(m, k, n).timeUs();
    }

    /** One line saying where the numbers come from (device, dtype, measured/imported/modeled). */
    String source();
}
