package dev.nabla.tensor;

import java.util.Arrays;

/** Static helpers for shapes (int arrays of dimension sizes) and row-major strides. */
public final class Shape {
    private Shape() {}

    /** The number of elements of a shape; 1 for a scalar (rank 0). */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + str(shape) + " has " + n
                    + " elements; nabla tensors hold at most 2^31-1");
        }
        return (int) n;
    }

    /** Row-major (C order) strides of a contiguous tensor of this shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /** Shape as PyTorch prints it: [2, 3]. */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Checks a shape from a user: every size ≥ 0. */
    static int[] check(String op, int[] shape) {
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative size in shape " + str(shape));
        }
        numel(shape);
        return shape.clone();
    }

    /** Normalizes a possibly negative dim into [0, rank); names the op when out of range. */
    public static int dim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException(op + ": dim " + dim + " is out of range for a tensor of rank "
                    + rank + " (valid: " + (-r) + " to " + (r - 1) + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** NumPy broadcasting of two shapes; names the op and both shapes when they do not fit. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        // a's dims, then b's against them, each right-aligned: every index read is in range (a loop
        // reading a[i − offset] only where it is not negative got its compiled code thrown away, as
        // Reductions.sumTo's did)
        int[] out = new int[r];
        Arrays.fill(out, 0, r - a.length, 1);
        System.arraycopy(a, 0, out, r - a.length, a.length);
        for (int j = 0; j < b.length; j++) {
            int i = r - b.length + j, da = out[i], db = b[j];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " do not broadcast: dim " + (i - r) + " is " + da + " vs " + db
                        + " (sizes must match or one of them be 1)");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    // A gradient set by hand must have the shape of its tensor.
    static void checkGradShape(String op, int[] gradShape, Tensor x) {
        if (!Arrays.equals(gradShape, x.shape)) {
            throw new IllegalArgumentException(op + ": gradient of shape " + Shape.str(gradShape)
                    + " for a tensor of shape " + Shape.str(x.shape));
        }
    }
}
