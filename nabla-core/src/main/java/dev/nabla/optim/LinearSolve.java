package dev.nabla.optim;

import java.util.Locale;

/** Dense float64 solvers for the small systems of {@link Newton}: Cholesky, and LU with partial pivoting. */
final class LinearSolve {
    private LinearSolve() {}

    /**
     * The solution of A·x = b for a symmetric positive definite A, or null when A is not
     * positive definite. Cholesky in its square-root-free form A = L·D·Lᵀ (L unit lower
     * triangular, D diagonal and positive), so a 1 × 1 or diagonal system is solved exactly.
     */
    static double[] cholesky(double[][] a, double[] b) {
        int n = b.length;
        double[][] l = new double[n][n];
        double[] d = new double[n];
        for (int j = 0; j < n; j++) {
            double s = a[j][j];
            for (int k = 0; k < j; k++) s -= l[j][k] * l[j][k] * d[k];
            // relative threshold: a nearly singular matrix goes to LU, which reports it
            if (!(s > 1e-14 * Math.abs(a[j][j]))) return null;
            d[j] = s;
            l[j][j] = 1;
            for (int i = j + 1; i < n; i++) {
                double t = a[i][j];
                for (int k = 0; k < j; k++) t -= l[i][k] * l[j][k] * d[k];
                l[i][j] = t / s;
            }
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i][k] * y[k];
            y[i] = s;
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i] / d[i];
            for (int k = i + 1; k < n; k++) s -= l[k][i] * x[k];
            x[i] = s;
        }
        return x;
    }

    /**
     * The solution of A·x = b by LU with partial pivoting.
     *
     * @throws ArithmeticException when A is singular to working precision (a pivot below
     *     n·ε·max|A|), naming the column
     */
    static double[] lu(double[][] a0, double[] b0) {
        int n = b0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = a0[i].clone();
        double[] b = b0.clone();
        double scale = 0;
        for (double[] row : a) for (double v : row) scale = Math.max(scale, Math.abs(v));
        double tol = n * Math.ulp(1.0) * scale;
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int i = c + 1; i < n; i++) if (Math.abs(a[i][c]) > Math.abs(a[p][c])) p = i;
            if (!(Math.abs(a[p][c]) > tol)) {
                throw new ArithmeticException(String.format(Locale.ROOT,
                        "the largest pivot in column %d is %s, below the tolerance %.3g", c,
                        a[p][c] == 0 ? "0" : String.format(Locale.ROOT, "%.3g", Math.abs(a[p][c])), tol));
            }
            if (p != c) {
                double[] tr = a[p]; a[p] = a[c]; a[c] = tr;
                double tb = b[p]; b[p] = b[c]; b[c] = tb;
            }
            for (int i = c + 1; i < n; i++) {
                double m = a[i][c] / a[c][c];
                if (m == 0) continue;
                for (int k = c; k < n; k++) a[i][k] -= m * a[c][k];
                b[i] -= m * b[c];
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= a[i][k] * x[k];
            x[i] = s / a[i][i];
        }
        return x;
    }

    /** A small matrix as [[a, b], [c, d]] with 6 significant digits. */
    static String format(double[][] a) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < a.length; i++) {
            sb.append(i == 0 ? "[" : ", [");
            for (int j = 0; j < a[i].length; j++) {
                if (j > 0) sb.append(", ");
                sb.append(String.format(Locale.ROOT, "%.6g", a[i][j]).replaceAll("\\.?0+($|e)", "$1"));
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }
}
