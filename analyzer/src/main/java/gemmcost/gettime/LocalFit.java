package gemmcost.gettime;

/**
 * Locally weighted linear regression of a residual over the nearest points in 3-D log2 space (tricube
 * weights, a small ridge on the slopes), clamped to the range of the neighbours' residuals so that it holds
 * efficiency rather than extrapolating a slope far outside the data; farther than {@link #FAR_OCTAVES} from every
 * point, their weighted mean (no slope at all).
 *
 * Neighbours come from {@link NeighbourCells} (a {@link KdTree} outside its lattice), nearest first, and enter the
 * fit in that order, so the answer does not depend on how they were found. With the residual come the bounds its
 * neighbours set on the time: a GEMM no larger than the query on every axis does no more work, so takes no longer
 * (on the tables, the time rises with each of m, k and n), and one no smaller takes no less.
 */
final class LocalFit {
    static final int NEIGHBOURS = 12;
    private static final double RIDGE = 1e-3;
    /**
     * Farther than this from every point (log2 distance), a fitted plane's slopes are the differences between
     * neighbours that differ in every axis, not a trend toward the query: the neighbours' weighted mean is taken.
     */
    static final double FAR_OCTAVES = 2;

    /** Per point x, y, z and residual side by side: a neighbour's four values come in one cache line. */
    private final double[] packed;
    private final double[] timeUs;
    private final NeighbourCells cells;

    LocalFit(double[] x, double[] y, double[] z, double[] residual, double[] timeUs) {
        this.timeUs = timeUs.clone();
        this.packed = new double[4 * x.length];
        for (int p = 0; p < x.length; p++) {
            packed[4 * p] = x[p];
            packed[4 * p + 1] = y[p];
            packed[4 * p + 2] = z[p];
            packed[4 * p + 3] = residual[p];
        }
        this.cells = new NeighbourCells(x, y, z, NEIGHBOURS);
    }

    /**
     * The residual at a query, whether it is the far neighbours' weighted mean rather than a fit, and the time bounds
     * the neighbours set: the longest of those no larger on every axis ({@code lowerUs}, 0 where there is none) and
     * the shortest of those no smaller ({@code upperUs}, infinite where there is none).
     */
    record Answer(double residual, boolean far, double lowerUs, double upperUs) {
    }

    /** The fitted residual at (qx, qy, qz), and whether every neighbour is farther than {@link #FAR_OCTAVES}. */
    Answer answerAt(double qx, double qy, double qz) {
        KdTree.Nearest found = cells.nearest(qx, qy, qz);
        double lower = 0;
        double upper = Double.POSITIVE_INFINITY;
        for (int i = 0; i < found.size; i++) { // branch-free: the neighbours come in no order of size
            int p = found.points[i];
            double dx = packed[4 * p] - qx;
            double dy = packed[4 * p + 1] - qy;
            double dz = packed[4 * p + 2] - qz;
            double t = timeUs[p];
            boolean smaller = dx <= 0 & dy <= 0 & dz <= 0;
            boolean larger = dx >= 0 & dy >= 0 & dz >= 0;
            lower = smaller & t > lower ? t : lower;
            upper = larger & t < upper ? t : upper;
        }
        return new Answer(residualAt(found, qx, qy, qz), found.dist2[0] > FAR_OCTAVES * FAR_OCTAVES, lower, upper);
    }

    /** The fitted residual at (qx, qy, qz) over these neighbours, nearest first. */
    private double residualAt(KdTree.Nearest found, double qx, double qy, double qz) {
        int count = found.size;
        int[] nearest = found.points;
        double[] dist2 = found.dist2;
        double perH = 1 / (Math.sqrt(dist2[count - 1]) * 1.0001 + 1e-9); // 1 / the farthest neighbour's distance
        // the sums of the weighted normal equations, in locals (registers) rather than an array
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, sv = 0;
        double s11 = 0, s12 = 0, s13 = 0, s1v = 0, s22 = 0, s23 = 0, s2v = 0, s33 = 0, s3v = 0;
        for (int i = 0; i < count; i++) {
            int at = 4 * nearest[i];
            double u = Math.sqrt(dist2[i]) * perH;
            double t = 1 - u * u * u;
            double w = t * t * t + 1e-6;
            double r1 = packed[at] - qx;
            double r2 = packed[at + 1] - qy;
            double r3 = packed[at + 2] - qz;
            double v = packed[at + 3];
            s0 += w;
            s1 += w * r1;
            s2 += w * r2;
            s3 += w * r3;
            sv += w * v;
            s11 += w * r1 * r1;
            s12 += w * r1 * r2;
            s13 += w * r1 * r3;
            s1v += w * r1 * v;
            s22 += w * r2 * r2;
            s23 += w * r2 * r3;
            s2v += w * r2 * v;
            s33 += w * r3 * r3;
            s3v += w * r3 * v;
        }
        if (dist2[0] > FAR_OCTAVES * FAR_OCTAVES)
            return sv / s0;
        double fitted = intercept(s0, s1, s2, s3, sv, s11 + RIDGE, s12, s13, s1v, s22 + RIDGE, s23, s2v, s33 + RIDGE,
                s3v);
        return clamped(fitted, packed, nearest, count);
    }

    /**
     * The fit clamped to the range of the neighbours' residuals (their middle if it is not finite). Tracking that
     * range while summing cost over a quarter of an off-site lookup in mispredicted branches (the residuals come in
     * no order), so a branch-free pass tells the common case, a fit inside the range, and only a fit outside it looks
     * for the range.
     */
    private static double clamped(double fitted, double[] values, int[] nearest, int count) {
        boolean below = false;
        boolean above = false;
        for (int i = 0; i < count; i++) {
            double v = values[4 * nearest[i] + 3];
            below |= v <= fitted;
            above |= v >= fitted;
        }
        if (below & above) {
            return fitted;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            double v = values[4 * nearest[i] + 3];
            if (v < lo) { // residuals are finite: plain comparisons, not Math.min's NaN and -0.0 rules
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        return Double.isFinite(fitted) ? Math.min(hi, Math.max(lo, fitted)) : (lo + hi) / 2;
    }

    /**
     * The intercept c0 of the symmetric positive definite system [a00 a01 a02 a03; a01 a11 a12 a13; a02 a12 a22 a23;
     * a03 a13 a23 a33] · c = b, by eliminating c3, c2 and c1 in turn (the pivots are Schur complements of a positive
     * definite matrix, so positive: no pivoting), which leaves c0 without back-substitution. In locals, no array.
     */
    private static double intercept(double a00, double a01, double a02, double a03, double b0, double a11, double a12,
                                    double a13, double b1, double a22, double a23, double b2, double a33, double b3) {
        double f0 = a03 / a33;
        double f1 = a13 / a33;
        double f2 = a23 / a33;
        a00 -= f0 * a03;
        a01 -= f0 * a13;
        a02 -= f0 * a23;
        b0 -= f0 * b3;
        a11 -= f1 * a13;
        a12 -= f1 * a23;
        b1 -= f1 * b3;
        a22 -= f2 * a23;
        b2 -= f2 * b3;
        double g0 = a02 / a22;
        double g1 = a12 / a22;
        a00 -= g0 * a02;
        a01 -= g0 * a12;
        b0 -= g0 * b2;
        a11 -= g1 * a12;
        b1 -= g1 * b2;
        double h0 = a01 / a11;
        a00 -= h0 * a01;
        b0 -= h0 * b1;
        return b0 / a00;
    }
}
