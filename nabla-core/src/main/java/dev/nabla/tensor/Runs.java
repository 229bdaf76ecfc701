package dev.nabla.tensor;

/**
 * An n-dimensional iteration over one output shape and the strides of its operands, visited in
 * row-major order as runs along the innermost dimension. Dimensions of size 1 are dropped and
 * neighbours that are contiguous for every operand are merged, so a contiguous or simply
 * broadcast operation becomes a few long runs that a kernel loop eats whole.
 */
final class Runs {
    /** Receives a run: the offset of its first element in each operand, and its length. */
    @FunctionalInterface
    interface Body {
        void run(int[] offsets, int length);
    }

    final int[] shape;        // collapsed shape, rank ≥ 1
    final int[][] strides;    // [operand][dim]
    final int[] base;         // base offset of each operand
    final int numel;

    /** Builds the iteration; {@code strides[o]} has one entry per dim of {@code shape}. */
    Runs(int[] shape, int[] base, int[]... strides) {
        int ops = strides.length;
        int[] sh = new int[Math.max(shape.length, 1)];
        int[][] st = new int[ops][sh.length];
        int r = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            boolean merge = r > 0;
            for (int o = 0; o < ops && merge; o++) merge = st[o][r - 1] == strides[o][d] * shape[d];
            if (merge) {
                sh[r - 1] *= shape[d];
                for (int o = 0; o < ops; o++) st[o][r - 1] = strides[o][d];
            } else {
                sh[r] = shape[d];
                for (int o = 0; o < ops; o++) st[o][r] = strides[o][d];
                r++;
            }
        }
        if (r == 0) { // a scalar, or all sizes 1
            sh[0] = Shape.numel(shape);
            r = 1;
        }
        this.shape = java.util.Arrays.copyOf(sh, r);
        this.strides = new int[ops][];
        for (int o = 0; o < ops; o++) this.strides[o] = java.util.Arrays.copyOf(st[o], r);
        this.base = base;
        this.numel = Shape.numel(shape);
    }

    /** The stride of operand o along the innermost (run) dimension. */
    int innerStride(int o) {
        return strides[o][shape.length - 1];
    }

    /** Visits linear positions [from, to) of the output in row-major order. */
    void forEach(int from, int to, Body body) {
        int rank = shape.length, ops = base.length;
        int[] idx = new int[rank];
        int[] offs = new int[ops];
        int rem = from;
        for (int d = rank - 1; d >= 0; d--) {
            idx[d] = rem % shape[d];
            rem /= shape[d];
        }
        for (int o = 0; o < ops; o++) {
            int off = base[o];
            for (int d = 0; d < rank; d++) off += idx[d] * strides[o][d];
            offs[o] = off;
        }
        int inner = shape[rank - 1];
        int pos = from;
        while (pos < to) {
            int len = Math.min(inner - idx[rank - 1], to - pos);
            body.run(offs, len);
            pos += len;
            // advance the multi-index by len along the innermost dim, carrying outward
            idx[rank - 1] += len;
            for (int o = 0; o < ops; o++) offs[o] += len * strides[o][rank - 1];
            for (int d = rank - 1; d > 0 && idx[d] == shape[d]; d--) {
                idx[d] = 0;
                idx[d - 1]++;
                for (int o = 0; o < ops; o++) offs[o] += strides[o][d - 1] - shape[d] * strides[o][d];
            }
        }
    }

    /** Elements per parallel chunk: big enough that a chunk outweighs the cost of handing it out. */
    static final int GRAIN = 1 << 15;

    /** Visits every position, in parallel chunks of {@link #GRAIN} when the iteration is large. */
    void forEachParallel(Body body) {
        dev.nabla.kernel.Parallel.forRange(numel, GRAIN, (from, to) -> forEach(from, to, body));
    }
}
