package gemmcost.gettime;

/**
 * A 4,096-bit filter of a set of values (a one-hash Bloom filter): {@link #mayContain} is false only for a value
 * surely not in the set. It lets a lookup off every measured shape skip the hash maps, at the cost of a multiply
 * and a shift.
 */
final class ValueFilter {
    private static final int LOG2_BITS = 12;
    private static final int BITS = 1 << LOG2_BITS;

    private final long[] words = new long[BITS / 64];

    void add(long value) {
        int b = topBits(value, LOG2_BITS);
        words[b >>> 6] |= 1L << b;
    }

    /** Whether the value may be in the set (false: surely not). */
    boolean mayContain(long value) {
        int b = topBits(value, LOG2_BITS);
        return (words[b >>> 6] & 1L << b) != 0;
    }

    /** The top {@code bits} bits (1 to 31) of the value's Fibonacci hash: neighbouring values spread. */
    static int topBits(long value, int bits) {
        return (int) (value * 0x9E3779B97F4A7C15L >>> 64 - bits);
    }
}
