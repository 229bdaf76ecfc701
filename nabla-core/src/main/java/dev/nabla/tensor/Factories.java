package dev.nabla.tensor;

import java.util.Arrays;

/** The factories: tensors from values, ranges, identity matrices and random draws (nothing here is recorded). */
final class Factories {
    private Factories() {}

    static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0 || !Double.isFinite(start) || !Double.isFinite(end) || !Double.isFinite(step)) {
            throw new IllegalArgumentException("arange(" + start + ", " + end + ", " + step
                    + "): start and end must be finite and step finite and nonzero");
        }
        long n = (long) Math.max(0, Math.ceil((end - start) / step));
        Tensor t = Tensor.empty(dtype, new int[] {Math.toIntExact(n)});
        for (int i = 0; i < n; i++) t.storage.set(i, start + i * step);
        return t;
    }

    static Tensor linspace(DType dtype, double start, double end, int steps) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps " + steps + " must be >= 0");
        Tensor t = Tensor.empty(dtype, new int[] {steps});
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // Fill symmetric from both ends, as PyTorch does, so the last value is exactly end.
        for (int i = 0; i < steps; i++) {
            t.storage.set(i, i < steps / 2 || steps == 1 ? start + i * step : end - (steps - 1 - i) * step);
        }
        return t;
    }

    static Tensor eye(DType dtype, int n) {
        Tensor t = Tensor.zeros(dtype, n, n);
        for (int i = 0; i < n; i++) t.storage.set(i * n + i, 1);
        return t;
    }

    static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) throw new IllegalArgumentException("Tensor.of: row " + i + " has "
                    + rows[i].length + " values, row 0 has " + cols + "; rows must have equal length");
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return fromArray(DType.FLOAT32, flat, flat.length, new int[] {rows.length, cols});
    }

    static Tensor of(double[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] flat = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) throw new IllegalArgumentException("Tensor.of: row " + i + " has "
                    + rows[i].length + " values, row 0 has " + cols + "; rows must have equal length");
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return fromArray(DType.FLOAT64, flat, flat.length, new int[] {rows.length, cols});
    }

    static Tensor fromArray(DType dtype, Object array, int length, int[] shape) {
        int[] s = shape.length == 0 ? new int[] {length} : Shape.check("Tensor.of", shape);
        if (Shape.numel(s) != length) {
            throw new IllegalArgumentException("Tensor.of: " + length + " values do not fill shape " + Shape.str(s)
                    + " (" + Shape.numel(s) + " elements)");
        }
        return new Tensor(new Storage(dtype, array), s, Shape.contiguousStrides(s), 0);
    }

    static Tensor uniform(Generator gen, DType dtype, double low, double high, int... shape) {
        if (!(low <= high)) throw new IllegalArgumentException("uniform: low " + low + " must be <= high " + high);
        Tensor t = Tensor.zeros(dtype, shape);
        int n = t.numel();
        if (dtype == DType.FLOAT32) {
            float[] a = t.storage.f();
            for (int i = 0; i < n; i++) a[i] = (float) (low + (high - low) * gen.nextFloat());
        } else {
            for (int i = 0; i < n; i++) t.storage.set(i, low + (high - low) * gen.nextDouble());
        }
        return t;
    }

    static Tensor normal(Generator gen, DType dtype, double mean, double std, int... shape) {
        if (!(std >= 0)) throw new IllegalArgumentException("normal: std " + std + " must be >= 0");
        Tensor t = Tensor.zeros(dtype, shape);
        int n = t.numel();
        for (int i = 0; i < n; i++) t.storage.set(i, mean + std * gen.nextGaussian());
        return t;
    }

    static Tensor randint(Generator gen, long low, long high, int... shape) {
        if (low >= high) throw new IllegalArgumentException("randint: low " + low + " must be < high " + high);
        Tensor t = Tensor.zeros(DType.INT64, shape);
        long[] a = t.storage.l();
        for (int i = 0; i < a.length; i++) a[i] = low + gen.nextLong(high - low);
        return t;
    }

    static Tensor randperm(Generator gen, int n) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int) gen.nextLong(i + 1);
            long tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
        return fromArray(DType.INT64, a, n, new int[] {n});
    }

    static Tensor oneHot(Tensor labels, int numClasses) {
        labels.requireIndex("oneHot");
        int[] s = Arrays.copyOf(labels.shape, labels.shape.length + 1);
        s[labels.shape.length] = numClasses;
        Tensor out = Tensor.zeros(DType.FLOAT32, s);
        long[] l = labels.contiguous().toLongArray();
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] >= numClasses) {
                throw new IndexOutOfBoundsException("oneHot: label " + l[i] + " at position " + i
                        + " is outside [0, " + numClasses + ")");
            }
            out.storage.set(i * numClasses + (int) l[i], 1);
        }
        return out;
    }
}
