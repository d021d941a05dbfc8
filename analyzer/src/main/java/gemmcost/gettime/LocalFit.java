package gemmcost.gettime;

/**
 * Locally weighted linear regression of a residual over the nearest points in 3-D log2 space (tricube
 * weights, a small ridge on the slopes), clamped to the range of the neighbours' residuals so that it holds
 * efficiency rather than extrapolating a slope far outside the data.
 *
 * Neighbours come from a {@link KdTree}.
 */
final class LocalFit {
    static final int NEIGHBOURS = 12;
    private static final double RIDGE = 1e-3;

    private final double[] x;
    private final double[] y;
    private final double[] z;
    private final double[] residual;
    private final KdTree tree;

    LocalFit(double[] x, double[] y, double[] z, double[] residual) {
        this.x = x;
        this.y = y;
        this.z = z;
        this.residual = residual;
        this.tree = new KdTree(x, y, z);
    }

    /** The fitted residual at (qx, qy, qz). */
    double residualAt(double qx, double qy, double qz) {
        KdTree.Nearest found = tree.nearest(qx, qy, qz, NEIGHBOURS);
        int count = found.size;
        int[] nearest = found.points;
        double[] dist2 = found.dist2;
        double h = Math.sqrt(dist2[0]) * 1.0001 + 1e-9; // dist2[0] holds the largest (heap root)
        double[][] normal = new double[4][5];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            int p = nearest[i];
            double u = Math.sqrt(dist2[i]) / h;
            double t = 1 - u * u * u;
            double w = t * t * t + 1e-6;
            double[] row = {1, x[p] - qx, y[p] - qy, z[p] - qz};
            for (int a = 0; a < 4; a++) {
                for (int b = 0; b < 4; b++) {
                    normal[a][b] += w * row[a] * row[b];
                }
                normal[a][4] += w * row[a] * residual[p];
            }
            lo = Math.min(lo, residual[p]);
            hi = Math.max(hi, residual[p]);
        }
        for (int a = 1; a < 4; a++) {
            normal[a][a] += RIDGE;
        }
        double fitted = solveIntercept(normal);
        return Double.isFinite(fitted) ? Math.min(hi, Math.max(lo, fitted)) : (lo + hi) / 2;
    }

    /** Gaussian elimination with partial pivoting on a 4×5 augmented matrix; returns the first unknown. */
    private static double solveIntercept(double[][] a) {
        int n = 4;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            for (int r = col + 1; r < n; r++) {
                double f = a[r][col] / a[col][col];
                for (int c = col; c <= n; c++) {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
        double[] sol = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = a[r][n];
            for (int c = r + 1; c < n; c++) {
                s -= a[r][c] * sol[c];
            }
            sol[r] = s / a[r][r];
        }
        return sol[0];
    }
}
