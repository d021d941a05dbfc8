package gemmcost.gettime;

/**
 * A 4,096-bit filter of a set of values (a one-hash Bloom filter): {@link #mayContain} is false only for a value
 * surely not in the set. It lets a lookup off every measured shape skip the hash maps, at the cost of a multiply
 * and a shift.
 */
final class ValueFilter {
    private static final int BITS = 4096;
    /** Keeps the top log2(BITS) bits of the hash. */
    private static final int SHIFT = 64 - Integer.numberOfTrailingZeros(BITS);

    private final long[] words = new long[BITS / 64];

    void add(long value) {
        long b = bit(value);
        words[(int) (b >>> 6)] |= 1L << b;
    }

    /** Whether the value may be in the set (false: surely not). */
    boolean mayContain(long value) {
        long b = bit(value);
        return (words[(int) (b >>> 6)] & 1L << b) != 0;
    }

    /** The value's bit: the top 12 bits of a Fibonacci hash. */
    private static long bit(long value) {
        return value * 0x9E3779B97F4A7C15L >>> SHIFT;
    }
}
