package gemmcost.gettime;

/**
 * Locally weighted linear regression of a residual over the nearest points in 3-D log2 space (tricube
 * weights, a small ridge on the slopes), clamped to the range of the neighbours' residuals so that it holds
 * efficiency rather than extrapolating a slope far outside the data.
 *
 * Neighbours come from {@link NeighbourCells} (a {@link KdTree} outside its lattice), nearest first, and enter the
 * fit in that order, so the answer does not depend on how they were found.
 */
final class LocalFit {
    static final int NEIGHBOURS = 12;
    private static final double RIDGE = 1e-3;

    private final double[] x;
    private final double[] y;
    private final double[] z;
    private final double[] residual;
    private final NeighbourCells cells;

    LocalFit(double[] x, double[] y, double[] z, double[] residual) {
        this.x = x;
        this.y = y;
        this.z = z;
        this.residual = residual;
        this.cells = new NeighbourCells(x, y, z, NEIGHBOURS);
    }

    /** The fitted residual at (qx, qy, qz). */
    double residualAt(double qx, double qy, double qz) {
        return residualAt(cells.nearest(qx, qy, qz), qx, qy, qz);
    }

    /** The fitted residual at (qx, qy, qz) over these neighbours, nearest first. */
    private double residualAt(KdTree.Nearest found, double qx, double qy, double qz) {
        int count = found.size;
        int[] nearest = found.points;
        double[] dist2 = found.dist2;
        double h = Math.sqrt(dist2[count - 1]) * 1.0001 + 1e-9; // the farthest neighbour
        // the sums of the weighted normal equations, in locals (registers) rather than an array
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, sv = 0;
        double s11 = 0, s12 = 0, s13 = 0, s1v = 0, s22 = 0, s23 = 0, s2v = 0, s33 = 0, s3v = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            int p = nearest[i];
            double u = Math.sqrt(dist2[i]) / h;
            double t = 1 - u * u * u;
            double w = t * t * t + 1e-6;
            double r1 = x[p] - qx;
            double r2 = y[p] - qy;
            double r3 = z[p] - qz;
            double v = residual[p];
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
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double[] normal = { // the augmented normal equations, row-major, a small ridge on the slopes
                s0, s1, s2, s3, sv,
                s1, s11 + RIDGE, s12, s13, s1v,
                s2, s12, s22 + RIDGE, s23, s2v,
                s3, s13, s23, s33 + RIDGE, s3v};
        double fitted = solveIntercept(normal);
        return Double.isFinite(fitted) ? Math.min(hi, Math.max(lo, fitted)) : (lo + hi) / 2;
    }

    /** Gaussian elimination with partial pivoting on a 4×5 augmented matrix (row-major); returns the first unknown. */
    private static double solveIntercept(double[] a) {
        int n = 4;
        int w = n + 1;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r * w + col]) > Math.abs(a[pivot * w + col])) {
                    pivot = r;
                }
            }
            if (pivot != col) {
                for (int c = 0; c < w; c++) {
                    double tmp = a[col * w + c];
                    a[col * w + c] = a[pivot * w + c];
                    a[pivot * w + c] = tmp;
                }
            }
            for (int r = col + 1; r < n; r++) {
                double f = a[r * w + col] / a[col * w + col];
                for (int c = col; c <= n; c++) {
                    a[r * w + c] -= f * a[col * w + c];
                }
            }
        }
        double[] sol = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = a[r * w + n];
            for (int c = r + 1; c < n; c++) {
                s -= a[r * w + c] * sol[c];
            }
            sol[r] = s / a[r * w + r];
        }
        return sol[0];
    }
}
