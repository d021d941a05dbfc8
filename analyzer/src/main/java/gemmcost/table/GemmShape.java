package gemmcost.table;

import java.util.Comparator;

/** One GEMM, C[m×n] = A[m×k] · B[k×n]; argument order follows the seed's Get_Time(m, k, n). */
public record GemmShape(long m, long k, long n) implements Comparable<GemmShape> {
    private static final Comparator<GemmShape> ORDER =
            Comparator.comparingLong(GemmShape::m).thenComparingLong(GemmShape::k).thenComparingLong(GemmShape::n);

    public GemmShape {
        if (m <= 0 || k <= 0 || n <= 0)
            throw new IllegalArgumentException("must be > 0: m=" + m + ", k=" + k + ", n=" + n);
    }

    /** Floating-point operations of the product, 2·m·k·n (a double: the product overflows long for huge shapes). */
    public double flops() {
        return 2.0 * m * k * n;
    }

    /** Orders by m, then k, then n: the order of entries in a profile. */
    @Override
    public int compareTo(GemmShape other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return "(m=" + m + ", k=" + k + ", n=" + n + ")";
    }
}
