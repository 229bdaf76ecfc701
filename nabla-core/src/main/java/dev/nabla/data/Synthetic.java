package dev.nabla.data;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.function.DoubleUnaryOperator;

/** Generated datasets for 1-D regression experiments, such as the course's Runge function. */
public final class Synthetic {
    private Synthetic() {}

    /** The Runge function f(x) = 1/(1 + 25x²), whose polynomial interpolants famously oscillate. */
    public static final DoubleUnaryOperator RUNGE = x -> 1.0 / (1.0 + 25.0 * x * x);

    /** n points x drawn uniformly in [low, high) with targets f(x), as float32 columns [n, 1]. */
    public static TensorDataset sample(DoubleUnaryOperator f, int n, double low, double high, Generator gen) {
        if (n < 1) throw new IllegalArgumentException("Synthetic.sample: n " + n + " must be >= 1");
        return of(f, Tensor.uniform(gen, DType.FLOAT64, low, high, n).toDoubleArray());
    }

    /** n equally spaced points from low to high inclusive with targets f(x), float32 [n, 1]. */
    public static TensorDataset grid(DoubleUnaryOperator f, int n, double low, double high) {
        return of(f, Tensor.linspace(DType.FLOAT64, low, high, n).toDoubleArray());
    }

    private static TensorDataset of(DoubleUnaryOperator f, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = f.applyAsDouble(x[i]);
        return new TensorDataset(Tensor.of(x, x.length, 1).toType(DType.FLOAT32), Tensor.of(y, y.length, 1).toType(DType.FLOAT32));
    }

    /**
     * The classic spiral classification problem (CS231n): {@code classes} interleaved spiral arms
     * of {@code perClass} points each in the plane, the angle jittered by N(0, noise²). Inputs
     * float32 [n, 2], labels int64 [n] (class k is arm k), ordered by class.
     */
    public static TensorDataset spirals(int perClass, int classes, double noise, Generator gen) {
        if (perClass < 2 || classes < 2) {
            throw new IllegalArgumentException("Synthetic.spirals: needs at least 2 classes of 2 points, got " + classes + " of " + perClass);
        }
        int n = perClass * classes;
        double[] jitter = Tensor.normal(gen, DType.FLOAT64, 0, noise, n).toDoubleArray();
        double[] x = new double[2 * n];
        long[] y = new long[n];
        for (int k = 0; k < classes; k++) {
            for (int i = 0; i < perClass; i++) {
                int at = k * perClass + i;
                double r = (double) i / (perClass - 1);
                double t = 4.0 * k + 4.0 * r + jitter[at];
                x[2 * at] = r * Math.sin(t);
                x[2 * at + 1] = r * Math.cos(t);
                y[at] = k;
            }
        }
        return new TensorDataset(Tensor.of(x, n, 2).toType(DType.FLOAT32), Tensor.of(y, n));
    }
}
