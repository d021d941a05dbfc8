package gemmcost.gettime;

import gemmcost.BadInputException;

/** Argument checks shared by the Get_Time implementations. */
final class Shapes {
    private Shapes() {
    }

    static void requirePositive(long m, long k, long n) {
        if (m <= 0 || k <= 0 || n <= 0) {
            throw new BadInputException("must be > 0: m=" + m + ", k=" + k + ", n=" + n);
        }
    }

    static double log2(double x) {
        return Math.log(x) * INV_LN2;
    }

    private static final double INV_LN2 = 1.0 / Math.log(2.0);
}
