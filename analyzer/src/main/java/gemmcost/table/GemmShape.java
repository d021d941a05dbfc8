package gemmcost.table;

import java.util.Comparator;

/** One GEMM, C[m×n] = A[m×k] · B[k×n]; argument order follows the seed's Get_Time(m, k, n). */
public record GemmShape(long m, long k, long n) implements Comparable<GemmShape> {
    private static final Comparator<GemmShape> ORDER =
            Comparator.comparingLong(GemmShape::m).thenComparingLong(GemmShape::k).thenComparingLong(GemmShape::n);

    /** 2⁶⁴ / φ, odd: multiplying by it spreads every input bit into the high bits (Fibonacci hashing). */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

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

    /**
     * Mixes the bits of all three sides. The record's own hash, 31·(31·m + k) + n, keeps the low bits of sides that
     * are multiples of 64 zero, which nearly all are, so a HashMap of shapes put a third of them in shared buckets.
     */
    @Override
    public int hashCode() {
        long h = m * GOLDEN;
        h = (h ^ k) * GOLDEN;
        h = (h ^ n) * GOLDEN;
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        return "(m=" + m + ", k=" + k + ", n=" + n + ")";
    }
}
