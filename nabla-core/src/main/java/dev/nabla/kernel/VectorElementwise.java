package dev.nabla.kernel;

import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels on the JDK Vector API: unit-stride runs (and a broadcast scalar operand)
 * go through full-width vectors; strided runs fall back to the scalar loops, but for the stride-2
 * rows of a convolution's im2col and col2im ({@link #gatherStrided}). Loaded by
 * {@link KernelProvider} only when jdk.incubator.vector is present.
 *
 * <p>Only correctly rounded lane operations are vectorized (arithmetic, sqrt, min/max,
 * comparisons), and float32 exp, log, tanh and sigmoid, which {@link VectorTranscendentals}
 * builds from such operations bitwise like the scalar {@link Transcendentals}. The other
 * transcendental ones (float64, sin, cos, pow) stay on the scalar {@code Math} functions: the
 * Vector API computes them with a different library once C2 has compiled the loop than before,
 * so results would change in the last bit with JIT timing, and with it with the thread count.
 *
 * <p>float64 runs the scalar loops: it serves gradchecks and teaching, where its speed does not
 * matter, and so the two providers give it bitwise the same results.
 */
public final class VectorElementwise implements Elementwise {
    /** Strided runs, tails and the transcendental maps. */
    private static final ScalarElementwise SCALAR = new ScalarElementwise();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /**
     * As many bytes, and ints, as a float vector has lanes (pixels widened to floats); with 4-lane
     * floats (128-bit vectors: ARM's NEON) 8 bytes, the smallest byte vector, of which the first 4 are used.
     */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, F.length() * 8)));
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, F.vectorShape());

    @Override
    public String name() {
        return F.vectorBitSize() + "-bit vectors, " + F.length() + " floats";
    }

    /** Staged into one vector loop ({@link StagedLoops}), when every operation has a staged form. */
    @Override
    public FusedLoop compile(List<FusedLoop.Node> program) {
        return StagedLoops.compile(program);
    }

    private static boolean vectorized(Unary op) {
        return op == Unary.NEG || op == Unary.SQRT || op == Unary.ABS || op == Unary.RELU;
    }

    private static boolean transcendental(Unary op) {
        return op == Unary.EXP || op == Unary.LOG || op == Unary.TANH || op == Unary.SIGMOID;
    }

    @Override
    public void unary(Unary op, float[] x, int xo, int xs, float[] y, int yo, int ys, int n) {
        if (xs != 1 || ys != 1 || !(vectorized(op) || transcendental(op))) {
            SCALAR.unary(op, x, xo, xs, y, yo, ys, n);
            return;
        }
        int i = 0;
        if (transcendental(op)) {
            i = F.loopBound(n);
            applyTranscendental(op, x, xo, y, yo, i);
            if (i < n) {
                // The tail through one vector of scratch: the kernels give the scalar functions' bits,
                // and 12 scalar tanh after 48 vectors (a Runge net's 39 x 20) cost as much as the vectors.
                float[] t = TAIL.get();
                System.arraycopy(x, xo + i, t, 0, n - i);
                Arrays.fill(t, n - i, t.length, 0f);
                applyTranscendental(op, t, 0, t, 0, t.length);
                System.arraycopy(t, 0, y, yo + i, n - i);
                return;
            }
        }
        // One loop per op, the op chosen outside it (see binary)
        int len = F.length(), bound = F.loopBound(n);
        switch (op) {
            case NEG -> { for (; i < bound; i += len) load(x, xo + i).neg().intoArray(y, yo + i); }
            case SQRT -> { for (; i < bound; i += len) load(x, xo + i).sqrt().intoArray(y, yo + i); }
            case ABS -> { for (; i < bound; i += len) load(x, xo + i).abs().intoArray(y, yo + i); }
            case RELU -> { // NaN stays NaN: LE is false
                for (; i < bound; i += len) {
                    FloatVector v = load(x, xo + i);
                    v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoArray(y, yo + i);
                }
            }
            default -> { } // the transcendental ones ran above
        }
        // the tail in scalar code: a masked access near the array's end takes a slow checked path
        if (i < n) SCALAR.unary(op, x, xo + i, 1, y, yo + i, 1, n - i);
    }

    /** Each thread's vector of scratch for the tail of a transcendental. */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[F.length()]);

    // y[yo + i] = op(x[xo + i]) for i < n, a multiple of the vector length
    private static void applyTranscendental(Unary op, float[] x, int xo, float[] y, int yo, int n) {
        switch (op) {
            case EXP -> VectorTranscendentals.exp(x, xo, y, yo, n);
            case LOG -> VectorTranscendentals.log(x, xo, y, yo, n);
            case TANH -> VectorTranscendentals.tanh(x, xo, y, yo, n);
            default -> VectorTranscendentals.sigmoid(x, xo, y, yo, n);
        }
    }

    @Override
    public void unary(Unary op, double[] x, int xo, int xs, double[] y, int yo, int ys, int n) {
        SCALAR.unary(op, x, xo, xs, y, yo, ys, n);
    }

    private static FloatVector load(float[] x, int o) {
        return FloatVector.fromArray(F, x, o);
    }

    private static FloatVector zeroOne(VectorMask<Float> m) {
        return FloatVector.zero(F).blend(1f, m);
    }

    @Override
    public void binary(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs,
                       float[] y, int yo, int ys, int n) {
        if (ys != 1 || as > 1 || bs > 1 || (as == 0 && bs == 0) || op == Binary.POW) {
            SCALAR.binary(op, a, ao, as, b, bo, bs, y, yo, ys, n);
            return;
        }
        if (as == 1 && bs == 1) {
            contiguous(op, a, ao, b, bo, y, yo, n);
            return;
        }
        // One operand broadcast: read from a block of its copies, block by block, so that every
        // layout runs the contiguous loops (with no vector merged from two sources: a vector phi
        // crashed C2 once here, JDK 25.0.3)
        float[] c = new float[Math.min(n, BROADCAST_BLOCK)];
        Arrays.fill(c, as == 0 ? a[ao] : b[bo]);
        for (int i = 0; i < n; i += c.length) {
            int m = Math.min(c.length, n - i);
            if (as == 0) contiguous(op, c, 0, b, bo + i, y, yo + i, m);
            else contiguous(op, a, ao + i, c, 0, y, yo + i, m);
        }
    }

    /** Elements of a broadcast operand's block of copies (a multiple of every vector length). */
    private static final int BROADCAST_BLOCK = 1024;

    /**
     * y = a op b elementwise over n contiguous elements. One loop per op, the op chosen outside it:
     * a switch on the op inside the loop, once C2 had seen several ops, was compiled as a call that
     * boxed its vectors (a 32k-element add took 58 µs instead of 13). Unit strides written as such
     * let C2 drop the loops' bounds checks: a 128-element product took 0.10–0.17 ns an element
     * instead of 0.15–0.23 with the strides multiplied in (one thread, in L1).
     */
    private static void contiguous(Binary op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0, len = F.length(), bound = F.loopBound(n);
        switch (op) {
            case ADD -> { for (; i < bound; i += len) load(a, ao + i).add(load(b, bo + i)).intoArray(y, yo + i); }
            case SUB -> { for (; i < bound; i += len) load(a, ao + i).sub(load(b, bo + i)).intoArray(y, yo + i); }
            case MUL -> { for (; i < bound; i += len) load(a, ao + i).mul(load(b, bo + i)).intoArray(y, yo + i); }
            case DIV -> { for (; i < bound; i += len) load(a, ao + i).div(load(b, bo + i)).intoArray(y, yo + i); }
            case MAX -> { for (; i < bound; i += len) load(a, ao + i).max(load(b, bo + i)).intoArray(y, yo + i); }
            case MIN -> { for (; i < bound; i += len) load(a, ao + i).min(load(b, bo + i)).intoArray(y, yo + i); }
            case EQ -> { for (; i < bound; i += len) zeroOne(load(a, ao + i).compare(VectorOperators.EQ, load(b, bo + i))).intoArray(y, yo + i); }
            case NE -> { for (; i < bound; i += len) zeroOne(load(a, ao + i).compare(VectorOperators.NE, load(b, bo + i))).intoArray(y, yo + i); }
            case LT -> { for (; i < bound; i += len) zeroOne(load(a, ao + i).compare(VectorOperators.LT, load(b, bo + i))).intoArray(y, yo + i); }
            case LE -> { for (; i < bound; i += len) zeroOne(load(a, ao + i).compare(VectorOperators.LE, load(b, bo + i))).intoArray(y, yo + i); }
            case GT -> { for (; i < bound; i += len) zeroOne(load(a, ao + i).compare(VectorOperators.GT, load(b, bo + i))).intoArray(y, yo + i); }
            case GE -> { for (; i < bound; i += len) zeroOne(load(a, ao + i).compare(VectorOperators.GE, load(b, bo + i))).intoArray(y, yo + i); }
            case TANH_BACKWARD -> {
                FloatVector one = FloatVector.broadcast(F, 1f);
                for (; i < bound; i += len) {
                    FloatVector out = load(b, bo + i);
                    load(a, ao + i).mul(one.sub(out.mul(out))).intoArray(y, yo + i);
                }
            }
            case SIGMOID_BACKWARD -> {
                FloatVector one = FloatVector.broadcast(F, 1f);
                for (; i < bound; i += len) {
                    FloatVector out = load(b, bo + i);
                    load(a, ao + i).mul(out.mul(one.sub(out))).intoArray(y, yo + i);
                }
            }
            case POW -> throw new AssertionError(op);
        }
        if (i < n) SCALAR.binary(op, a, ao + i, 1, b, bo + i, 1, y, yo + i, 1, n - i);
    }


    @Override
    public void binary(Binary op, double[] a, int ao, int as, double[] b, int bo, int bs,
                       double[] y, int yo, int ys, int n) {
        SCALAR.binary(op, a, ao, as, b, bo, bs, y, yo, ys, n);
    }

    /**
     * This thread's room for one vector's lanes. FloatVector.toArray allocates an array every call:
     * the sums of dcgan's batch norm and bias gradients made 150–170 MB/s of them.
     */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[F.length()]);

    // v's lanes summed left to right: reduceLanes leaves the order open, and it differs between the
    // interpreter and compiled code. The caller stores v (a helper taking a vector boxes it when
    // C2 does not inline the call).
    private static float sumLanes(float[] lanes) {
        float s = 0;
        for (float l : lanes) s += l;
        return s;
    }

    @Override
    public float reduce(Reduce op, float[] x, int xo, int xs, int n) {
        if (xs != 1 || n < 2 * F.length()) return SCALAR.reduce(op, x, xo, xs, n);
        if (op != Reduce.SUM) return extreme(op, x, xo, n);
        // Two accumulators hide the add latency; lanes are combined in a fixed order.
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F);
        int i = 0, len = F.length();
        for (int bound = n - 2 * len; i <= bound; i += 2 * len) {
            s0 = s0.add(FloatVector.fromArray(F, x, xo + i));
            s1 = s1.add(FloatVector.fromArray(F, x, xo + i + len));
        }
        float[] lanes = LANES.get();
        s0.add(s1).intoArray(lanes, 0);
        float s = sumLanes(lanes);
        for (; i < n; i++) s += x[xo + i];
        return s;
    }

    // lanewise max/min are Math.max/min (NaN wins, +0 above -0), so any order gives the scalar loop's value
    private static float extreme(Reduce op, float[] x, int xo, int n) {
        boolean max = op == Reduce.MAX;
        FloatVector best = FloatVector.fromArray(F, x, xo);
        int i = F.length(), len = F.length();
        for (int bound = n - len; i <= bound; i += len) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            best = max ? best.max(v) : best.min(v);
        }
        float[] lanes = LANES.get();
        best.intoArray(lanes, 0);
        float b = SCALAR.reduce(op, lanes, 0, 1, len);
        for (; i < n; i++) b = max ? Math.max(b, x[xo + i]) : Math.min(b, x[xo + i]);
        return b;
    }

    @Override
    public double reduce(Reduce op, double[] x, int xo, int xs, int n) {
        return SCALAR.reduce(op, x, xo, xs, n);
    }

    @Override
    public double sumPlanes(double[] x, int xo, int planes, int stride, int n) {
        return SCALAR.sumPlanes(x, xo, planes, stride, n);
    }

    @Override
    public double centeredDotPlanes(double[] a, int ao, double ma, double[] b, int bo, double mb, int planes, int stride, int n) {
        return SCALAR.centeredDotPlanes(a, ao, ma, b, bo, mb, planes, stride, n);
    }

    /** The float64 lanes a float vector widens into, in two parts (the same number of bits). */
    private static final VectorSpecies<Double> WIDE = VectorSpecies.of(double.class, F.vectorShape());
    private static final ThreadLocal<double[]> WIDE_LANES = ThreadLocal.withInitial(() -> new double[WIDE.length()]);

    // s + the lanes of v, widened
    private static DoubleVector widenInto(DoubleVector s, FloatVector v) {
        return s.add((DoubleVector) v.convertShape(VectorOperators.F2D, WIDE, 0))
                .add((DoubleVector) v.convertShape(VectorOperators.F2D, WIDE, 1));
    }

    // the lanes summed in order, then the tail: the same order whatever code the JIT runs
    private static double sum(DoubleVector s, double tail) {
        double[] lanes = WIDE_LANES.get();
        s.intoArray(lanes, 0);
        double t = 0;
        for (double l : lanes) t += l;
        return t + tail;
    }

    // Each run is summed in float32 lanes (two vectors hide the add's latency), which are then
    // widened into float64 lanes: no horizontal sum a run, which cost more than a 49-element run's adds.
    @Override
    public double sumPlanes(float[] x, int xo, int planes, int stride, int n) {
        DoubleVector s = DoubleVector.zero(WIDE);
        double tail = 0;
        int len = F.length();
        for (int p = 0, at = xo; p < planes; p++, at += stride) {
            FloatVector v0 = FloatVector.zero(F), v1 = FloatVector.zero(F);
            int i = 0;
            for (; i <= n - 2 * len; i += 2 * len) {
                v0 = v0.add(FloatVector.fromArray(F, x, at + i));
                v1 = v1.add(FloatVector.fromArray(F, x, at + i + len));
            }
            if (i <= n - len) {
                v0 = v0.add(FloatVector.fromArray(F, x, at + i));
                i += len;
            }
            if (i > 0) s = widenInto(s, v0.add(v1));
            for (; i < n; i++) tail += x[at + i];
        }
        return sum(s, tail);
    }

    @Override
    public double centeredDotPlanes(float[] a, int ao, float ma, float[] b, int bo, float mb, int planes, int stride, int n) {
        DoubleVector s = DoubleVector.zero(WIDE);
        FloatVector va = FloatVector.broadcast(F, ma), vb = FloatVector.broadcast(F, mb);
        double tail = 0;
        int len = F.length();
        for (int p = 0, off = 0; p < planes; p++, off += stride) {
            FloatVector v0 = FloatVector.zero(F), v1 = FloatVector.zero(F);
            int i = 0, pa = ao + off, pb = bo + off;
            for (; i <= n - 2 * len; i += 2 * len) {
                v0 = FloatVector.fromArray(F, a, pa + i).sub(va).fma(FloatVector.fromArray(F, b, pb + i).sub(vb), v0);
                v1 = FloatVector.fromArray(F, a, pa + i + len).sub(va).fma(FloatVector.fromArray(F, b, pb + i + len).sub(vb), v1);
            }
            if (i <= n - len) {
                v0 = FloatVector.fromArray(F, a, pa + i).sub(va).fma(FloatVector.fromArray(F, b, pb + i).sub(vb), v0);
                i += len;
            }
            if (i > 0) s = widenInto(s, v0.add(v1));
            for (; i < n; i++) tail += (a[pa + i] - ma) * (b[pb + i] - mb);
        }
        return sum(s, tail);
    }

    @Override
    public void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(F, a);
        int i = 0, len = F.length();
        for (int bound = F.loopBound(n); i < bound; i += len) {
            FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        if (i < n) { // a masked tail: short runs (the rows of col2im) are often all tail
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector.fromArray(F, x, xo + i, m).fma(va, FloatVector.fromArray(F, y, yo + i, m)).intoArray(y, yo + i, m);
        }
    }

    @Override
    public void axpy(double a, double[] x, int xo, double[] y, int yo, int n) {
        SCALAR.axpy(a, x, xo, y, yo, n);
    }

    /** One pass: x − x is 0 for a finite x and NaN for an infinity or a NaN, and a NaN stays in the sum. */
    @Override
    public boolean allFinite(float[] x, int xo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            acc = acc.add(v.sub(v));
        }
        return !acc.test(VectorOperators.IS_NAN).anyTrue() && SCALAR.allFinite(x, xo + i, n - i);
    }

    @Override
    public boolean allFinite(double[] x, int xo, int n) {
        return SCALAR.allFinite(x, xo, n);
    }

    /** Rows narrower than this take the bias as a repeating pattern over the whole block. */
    private static final int TILED_COLS = 32;
    /** Each thread's pattern: the bias repeated over lcm(cols, vector length) &lt; TILED_COLS vectors. */
    private static final ThreadLocal<float[]> ROW_PATTERN = ThreadLocal.withInitial(() -> new float[TILED_COLS * F.length()]);

    /**
     * Wide rows: vectors along each row. Narrow ones (the Runge net's 10 and 20 columns) would be a
     * scalar tail per row, and masked vectors per row stall on the overlap of one row's store with
     * the next row's load; instead the block is one flat run and the bias a pattern repeated every
     * lcm(cols, vector length) elements, built by whole copies of the bias (an integer division per
     * element had cost more than the adds). 39 rows of 20 and of 10 floats, 16-lane vectors: 117 and
     * 94–99 ns, against 510–810 and 280–430 ns for the scalar loop.
     */
    @Override
    public void addToRows(float[] y, int yo, int rows, int cols, float[] b, int bo, int bs) {
        int len = F.length(), n = rows * cols;
        if (cols >= TILED_COLS || n < 2 * len) {
            for (int r = 0, o = yo; r < rows; r++, o += cols) binary(Binary.ADD, y, o, 1, b, bo, bs, y, o, 1, cols);
            return;
        }
        int period = cols / gcd(cols, len) * len;
        float[] pattern = ROW_PATTERN.get();
        for (int k = 0; k < period; k += cols) {
            for (int c = 0; c < cols; c++) pattern[k + c] = b[bo + c * bs];
        }
        int i = 0;
        for (int bound = F.loopBound(n), t = 0; i < bound; i += len, t = t + len == period ? 0 : t + len) {
            FloatVector.fromArray(F, y, yo + i).add(FloatVector.fromArray(F, pattern, t)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = y[yo + i] + pattern[i % period];
    }

    // Batch norm's [N, C] passes, plain Java loops before (up to 1.3 ns an element, whatever C2 made
    // of them). [128, 6272] (the dcgan generator's BatchNorm1d at batch 128), one thread: the affine
    // pass 0.41 -> 0.19-0.20 ms, the input gradient 1.01 -> 0.28 (the speed of memory now); the
    // layer's forward on two threads 0.51-0.86 -> 0.38-0.47 ms, its backward 1.09-1.71 -> 0.69-0.81.
    @Override
    public void affineRow(float[] x, int xo, float[] a, float[] b, float[] y, int yo, int n) {
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += F.length()) {
            FloatVector.fromArray(F, x, xo + j).mul(FloatVector.fromArray(F, a, j)).add(FloatVector.fromArray(F, b, j))
                    .intoArray(y, yo + j);
        }
        for (; j < n; j++) y[yo + j] = x[xo + j] * a[j] + b[j];
    }

    @Override
    public void batchNormGradRow(float[] g, int go, float[] x, int xo, float[] gm, float[] m, float[] p, float[] k,
                                 float[] dx, int dxo, int n) {
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += F.length()) {
            FloatVector centered = FloatVector.fromArray(F, x, xo + j).sub(FloatVector.fromArray(F, m, j));
            FloatVector.fromArray(F, g, go + j).sub(FloatVector.fromArray(F, gm, j))
                    .sub(centered.mul(FloatVector.fromArray(F, p, j))).mul(FloatVector.fromArray(F, k, j)).intoArray(dx, dxo + j);
        }
        for (; j < n; j++) dx[dxo + j] = (g[go + j] - gm[j] - (x[xo + j] - m[j]) * p[j]) * k[j];
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    public void addToRows(double[] y, int yo, int rows, int cols, double[] b, int bo, int bs) {
        SCALAR.addToRows(y, yo, rows, cols, b, bo, bs);
    }

    /**
     * Stride 2: PICK2 moves the even lanes of a vector to the first half (one load holds FL/2
     * elements of a strided row), SPREAD2 moves them back and EVEN marks the even lanes. A
     * stride-2 convolution's im2col row then costs a load, a permute and a masked store per FL/2
     * elements, 2.7 times faster than the gathers of an index array and 1.9 times faster than the
     * scalar loop (49-element rows, measured on AMD's Zen 4). The shuffles must be constants: one
     * read from an array per stride was re-checked at every use, which took the gain away. Other
     * strides run the scalar loop, which was faster than the gathers too.
     */
    private static final VectorShuffle<Float> PICK2 = VectorShuffle.fromOp(F, l -> 2 * l % F.length()),
            SPREAD2 = VectorShuffle.fromOp(F, l -> l / 2);
    /**
     * Two taps at once (gatherStridedPair, scatterAddStridedPair): ODD2 moves the odd lanes to the
     * first half, ZIP2 interleaves the first halves of two vectors (lane 2i from the first, 2i + 1
     * from the second). One load then serves both taps, and col2im adds both in one full vector
     * instead of two half-masked ones: in a standalone loop of the dcgan's Conv(64→128, 4, 2, 1)
     * taps (7×7 outputs, a 16×16 padded plane, in L1, AMD's Zen 4) 19–21 → 10.6 ns a tap for im2col.
     * The gathered half goes out as a vector of HALF's (narrower) shape, unmasked, and a row's last
     * columns as a vector ending at the row's end: AVX2 has no cheap masked store (AMD's Zen 3
     * microcodes vmaskmovps), and a masked store per half vector made the pair 2–3.8 times slower
     * there than single elements (7×7 and 14×14 outputs, 8 lanes). col2im loads its half vectors so
     * too: 1.3–1.8 times faster than masked loads.
     */
    private static final VectorShuffle<Float> ODD2 = VectorShuffle.fromOp(F, l -> (2 * l + 1) % F.length()),
            ZIP2 = VectorShuffle.fromOp(F, l -> l % 2 == 0 ? l / 2 : F.length() + l / 2);
    private static final VectorMask<Float> EVEN = VectorMask.fromLong(F, 0x5555_5555_5555_5555L);
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    /**
     * A vector of columns at a time, its rows added in order, so each lane adds as the scalar loop.
     * Rows whose whole vector would reach past the end of x, and the store into y, go through a
     * vector of scratch instead: a masked access past an array's end takes a slow path.
     */
    @Override
    public void sumRows(float[] x, int xo, int rows, int cols, float[] y, int yo) {
        int len = F.length();
        float[] t = new float[len];
        for (int c = 0; c < cols; c += len) {
            int w = Math.min(len, cols - c), o = xo + c, r = 1;
            if (o + len <= x.length) {
                VectorMask<Float> m = F.indexInRange(0, w);
                FloatVector s = FloatVector.fromArray(F, x, o, m);
                for (; r < rows && o + r * cols + len <= x.length; r++) s = s.add(FloatVector.fromArray(F, x, o + r * cols, m));
                s.intoArray(t, 0);
            } else {
                System.arraycopy(x, o, t, 0, w);
            }
            for (; r < rows; r++) {
                for (int q = 0; q < w; q++) t[q] = t[q] + x[o + r * cols + q];
            }
            System.arraycopy(t, 0, y, yo + c, w);
        }
    }

    @Override
    public void gatherStrided(float[] x, int xo, int rowStep, int stride, int rows, int cols, float[] y, int yo) {
        if (stride != 2) {
            SCALAR.gatherStrided(x, xo, rowStep, stride, rows, cols, y, yo);
            return;
        }
        int per = HALF.length(), full = cols / per;
        VectorMask<Float> pieceIn = F.indexInRange(0, 2 * per - 1);
        for (int r = 0; r < rows; r++) {
            int src = xo + r * rowStep, dst = yo + r * cols, q = 0;
            for (int p = 0; p < full; p++, q += per) {
                lowHalf(FloatVector.fromArray(F, x, src + 2 * q, pieceIn).rearrange(PICK2)).intoArray(y, dst + q);
            }
            for (; q < cols; q++) y[dst + q] = x[src + 2 * q];
        }
    }

    /** Whole vectors, the last one ending at the run's end (over part of the one before) when n is not a multiple. */
    @Override
    public void copy(float[] x, int xo, float[] y, int yo, int n) {
        int l = F.length();
        if (n < l) {
            System.arraycopy(x, xo, y, yo, n);
            return;
        }
        for (int q = 0; q < n - l; q += l) FloatVector.fromArray(F, x, xo + q).intoArray(y, yo + q);
        FloatVector.fromArray(F, x, xo + n - l).intoArray(y, yo + n - l);
    }

    /**
     * A row whose length is not a multiple of the half vector ends with a half vector ending at
     * its end, over columns the one before wrote (the same values), not with single elements:
     * the dcgan's 7-column rows took one half vector and 3 single pairs. With this and
     * {@link #copy} for the padded plane's rows, in one process alternating the versions (AMD Zen 3,
     * 15 rounds, medians): im2col of Conv(64→128, 4, 2, 1) on 14×14, 1.15 → 0.77 ns an element;
     * on a 28×28 plane, 0.58 → 0.42.
     */
    @Override
    public void gatherStridedPair(float[] x, int xo, int rowStep, int rows, int cols, float[] y, int yo, int yo1) {
        int per = HALF.length(), full = cols / per, last = cols - per;
        boolean overlap = full > 0 && full * per < cols;
        for (int r = 0; r < rows; r++) {
            int src = xo + r * rowStep, dst = r * cols, q = 0;
            for (int p = 0; p < full; p++, q += per) pickPair(x, src + 2 * q, y, yo + dst + q, yo1 + dst + q);
            if (overlap) {
                pickPair(x, src + 2 * last, y, yo + dst + last, yo1 + dst + last);
                continue;
            }
            for (; q < cols; q++) {
                y[yo + dst + q] = x[src + 2 * q];
                y[yo1 + dst + q] = x[src + 2 * q + 1];
            }
        }
    }

    // the even elements of the vector at x[at] to y[even], its odd ones to y[odd], half a vector each
    private static void pickPair(float[] x, int at, float[] y, int even, int odd) {
        FloatVector v = FloatVector.fromArray(F, x, at);
        lowHalf(v.rearrange(PICK2)).intoArray(y, even);
        lowHalf(v.rearrange(ODD2)).intoArray(y, odd);
    }

    /**
     * As gatherStridedPair, a row's last columns go as a vector ending at the row's end: its lanes
     * that the vector before adds keep what y holds (a blend, not a second addition). Measured as
     * there, both with {@link #copy}: col2im of Conv(64→128, 4, 2, 1) 1.44 → 0.99 ns an element, on
     * 28×28 0.75 → 0.69 (21 rounds); with the end vector loaded after the store of the one before
     * it half overlaps, 1.35 and 0.72.
     */
    @Override
    public void scatterAddStridedPair(float[] x, int xo, int xo1, int rowStep, int rows, int cols, float[] y, int yo) {
        int per = HALF.length(), full = cols / per, last = cols - per;
        boolean overlap = full > 0 && full * per < cols;
        VectorMask<Float> fresh = VectorMask.fromLong(F, -1L << (2 * Math.max(0, full * per - last)));
        for (int r = 0; r < rows; r++) {
            int src = r * cols, dst = yo + r * rowStep, q = 0;
            for (int p = overlap ? 1 : 0; p < full; p++, q += per) {
                FloatVector z = halfLoad(x, xo + src + q).rearrange(ZIP2, halfLoad(x, xo1 + src + q));
                FloatVector.fromArray(F, y, dst + 2 * q).add(z).intoArray(y, dst + 2 * q);
            }
            if (overlap) {
                // the last whole vector and the one at the end are both loaded before either is
                // stored (a load half over a store just made waits for it), the end one stored
                // first: the whole one's store then writes the sums over its stale shared lanes
                FloatVector z = halfLoad(x, xo + src + q).rearrange(ZIP2, halfLoad(x, xo1 + src + q));
                FloatVector zEnd = halfLoad(x, xo + src + last).rearrange(ZIP2, halfLoad(x, xo1 + src + last));
                FloatVector s = FloatVector.fromArray(F, y, dst + 2 * q), sEnd = FloatVector.fromArray(F, y, dst + 2 * last);
                sEnd.blend(sEnd.add(zEnd), fresh).intoArray(y, dst + 2 * last);
                s.add(z).intoArray(y, dst + 2 * q);
                continue;
            }
            for (; q < cols; q++) {
                y[dst + 2 * q] = y[dst + 2 * q] + x[xo + src + q];
                y[dst + 2 * q + 1] = y[dst + 2 * q + 1] + x[xo1 + src + q];
            }
        }
    }

    // the first half of v's lanes, stored without a mask
    private static FloatVector lowHalf(FloatVector v) {
        return (FloatVector) v.reinterpretShape(HALF, 0);
    }

    // HALF's length of x from at in the first lanes (the rest zero), loaded without a mask
    private static FloatVector halfLoad(float[] x, int at) {
        return (FloatVector) FloatVector.fromArray(HALF, x, at).reinterpretShape(F, 0);
    }

    /**
     * Stride 4 (Winograd's tile columns), 16 lanes: QUARTER picks lanes j, j + 4, j + 8, j + 12 of two
     * vectors into the first half, HALVES joins two such halves, NEXT moves every lane down one and
     * takes the second vector's first lane last (ROTATE: one vector's own).
     */
    private static final boolean TILES = F.length() == 16;
    private static final VectorShuffle<Float> HALVES = VectorShuffle.fromOp(F, l -> l < 8 ? l : l + 8),
            NEXT = VectorShuffle.fromOp(F, l -> l + 1), ROTATE = VectorShuffle.fromOp(F, l -> (l + 1) % F.length());
    private static final VectorShuffle<Float>[] QUARTER = quarters();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] quarters() {
        VectorShuffle<Float>[] q = new VectorShuffle[4];
        for (int j = 0; j < 4; j++) {
            int jj = j;
            q[j] = VectorShuffle.fromOp(F, l -> l < 8 ? (l < 4 ? jj + 4 * l : F.length() + jj + 4 * (l - 4)) : 0);
        }
        return q;
    }

    /**
     * Sixteen tiles at a time from four (or, for 6 columns, five) contiguous loads: column j of the
     * tiles is every fourth element from j, picked by lane shuffles; columns 4 and 5 are columns 0
     * and 1 of the next tiles. Element for element the copy {@link ScalarElementwise} makes (a row
     * of 56 tiles on AMD's Zen 4: 56.9 against its 111.6 ns).
     */
    @Override
    public void tileColumns(float[] x, int at, int n, int cols, float[][] out, int first, int pos) {
        int k = 0;
        if (TILES) {
            VectorShuffle<Float> q0 = QUARTER[0], q1 = QUARTER[1], q2 = QUARTER[2], q3 = QUARTER[3];
            VectorMask<Float> tail = F.indexInRange(0, cols - 4);
            float[] d0 = out[first], d1 = out[first + 1], d2 = out[first + 2], d3 = out[first + 3];
            for (; k + 16 <= n; k += 16, at += 64) {
                FloatVector v0 = FloatVector.fromArray(F, x, at), v1 = FloatVector.fromArray(F, x, at + 16);
                FloatVector v2 = FloatVector.fromArray(F, x, at + 32), v3 = FloatVector.fromArray(F, x, at + 48);
                FloatVector c0 = v0.rearrange(q0, v1).rearrange(HALVES, v2.rearrange(q0, v3));
                FloatVector c1 = v0.rearrange(q1, v1).rearrange(HALVES, v2.rearrange(q1, v3));
                c0.intoArray(d0, pos + k);
                c1.intoArray(d1, pos + k);
                v0.rearrange(q2, v1).rearrange(HALVES, v2.rearrange(q2, v3)).intoArray(d2, pos + k);
                v0.rearrange(q3, v1).rearrange(HALVES, v2.rearrange(q3, v3)).intoArray(d3, pos + k);
                if (cols == 6) {
                    FloatVector v4 = FloatVector.fromArray(F, x, at + 64, tail);
                    c0.rearrange(NEXT, v4).intoArray(out[first + 4], pos + k);
                    c1.rearrange(NEXT, v4.rearrange(ROTATE)).intoArray(out[first + 5], pos + k);
                }
            }
        }
        if (k < n) SCALAR.tileColumns(x, at, n - k, cols, out, first, pos + k);
    }

    // Winograd's transforms, a vector of tiles at a time, each expression with the scalar code's
    // operations in its order (so the bits are the same); the last tiles are the scalar loop's.
    // Left to the JIT, these loops over several float[] stayed scalar (C2 cannot tell the arrays
    // apart): 14% of the vgg16 step's samples were in them (input 7.7%, output 4.7%, gradient 1.7%).
    @Override
    public void winogradInput(float[][] a, int n, float[] v, int at, int stride) {
        int bound = F.loopBound(n);
        for (int j = 0; j < 6; j++) { // Bᵀ d: down each column, in place
            float[] r0 = a[j], r1 = a[6 + j], r2 = a[12 + j], r3 = a[18 + j], r4 = a[24 + j], r5 = a[30 + j];
            for (int k = 0; k < bound; k += F.length()) {
                FloatVector p = FloatVector.fromArray(F, r0, k), q = FloatVector.fromArray(F, r1, k), r = FloatVector.fromArray(F, r2, k);
                FloatVector s = FloatVector.fromArray(F, r3, k), t = FloatVector.fromArray(F, r4, k), u = FloatVector.fromArray(F, r5, k);
                p.mul(4f).sub(r.mul(5f)).add(t).intoArray(r0, k);
                s.add(t).sub(q.add(r).mul(4f)).intoArray(r1, k);
                t.sub(s).add(q.sub(r).mul(4f)).intoArray(r2, k);
                t.sub(r).add(s.sub(q).mul(2f)).intoArray(r3, k);
                t.sub(r).sub(s.sub(q).mul(2f)).intoArray(r4, k);
                q.mul(4f).sub(s.mul(5f)).add(u).intoArray(r5, k);
            }
        }
        for (int i = 0; i < 6; i++) { // (Bᵀ d) B: along each row
            float[] d0 = a[6 * i], d1 = a[6 * i + 1], d2 = a[6 * i + 2], d3 = a[6 * i + 3], d4 = a[6 * i + 4], d5 = a[6 * i + 5];
            int v0 = 6 * i * stride + at;
            for (int k = 0; k < bound; k += F.length()) {
                FloatVector e0 = FloatVector.fromArray(F, d0, k), e1 = FloatVector.fromArray(F, d1, k), e2 = FloatVector.fromArray(F, d2, k);
                FloatVector e3 = FloatVector.fromArray(F, d3, k), e4 = FloatVector.fromArray(F, d4, k), e5 = FloatVector.fromArray(F, d5, k);
                e0.mul(4f).sub(e2.mul(5f)).add(e4).intoArray(v, v0 + k);
                e3.add(e4).sub(e1.add(e2).mul(4f)).intoArray(v, v0 + stride + k);
                e4.sub(e3).add(e1.sub(e2).mul(4f)).intoArray(v, v0 + 2 * stride + k);
                e4.sub(e2).add(e3.sub(e1).mul(2f)).intoArray(v, v0 + 3 * stride + k);
                e4.sub(e2).sub(e3.sub(e1).mul(2f)).intoArray(v, v0 + 4 * stride + k);
                e1.mul(4f).sub(e3.mul(5f)).add(e5).intoArray(v, v0 + 5 * stride + k);
            }
        }
        if (bound < n) ScalarElementwise.winogradInput(a, bound, n, v, at, stride);
    }

    @Override
    public void winogradGrad(float[][] a, int n, float[] m, int at, int stride) {
        int bound = F.loopBound(n);
        for (int j = 0; j < 4; j++) { // A dy: down each column, 4 rows into 6, in place
            float[] r0 = a[j], r1 = a[6 + j], r2 = a[12 + j], r3 = a[18 + j], r4 = a[24 + j], r5 = a[30 + j];
            for (int k = 0; k < bound; k += F.length()) {
                FloatVector p = FloatVector.fromArray(F, r0, k), q = FloatVector.fromArray(F, r1, k);
                FloatVector r = FloatVector.fromArray(F, r2, k), s = FloatVector.fromArray(F, r3, k);
                FloatVector pr = p.add(r), qs = q.add(s), pr4 = p.add(r.mul(4f)), qs4 = q.add(s.mul(4f)).mul(2f);
                pr.add(qs).intoArray(r1, k);
                pr.sub(qs).intoArray(r2, k);
                pr4.add(qs4).intoArray(r3, k);
                pr4.sub(qs4).intoArray(r4, k);
                s.intoArray(r5, k);
            }
        }
        for (int i = 0; i < 6; i++) { // (A dy) Aᵀ along each row
            float[] d0 = a[6 * i], d1 = a[6 * i + 1], d2 = a[6 * i + 2], d3 = a[6 * i + 3];
            int m0 = 6 * i * stride + at;
            System.arraycopy(d0, 0, m, m0, bound);
            System.arraycopy(d3, 0, m, m0 + 5 * stride, bound);
            for (int k = 0; k < bound; k += F.length()) {
                FloatVector e0 = FloatVector.fromArray(F, d0, k), e1 = FloatVector.fromArray(F, d1, k);
                FloatVector e2 = FloatVector.fromArray(F, d2, k), e3 = FloatVector.fromArray(F, d3, k);
                FloatVector e02 = e0.add(e2), e13 = e1.add(e3), e02x = e0.add(e2.mul(4f)), e13x = e1.add(e3.mul(4f)).mul(2f);
                e02.add(e13).intoArray(m, m0 + stride + k);
                e02.sub(e13).intoArray(m, m0 + 2 * stride + k);
                e02x.add(e13x).intoArray(m, m0 + 3 * stride + k);
                e02x.sub(e13x).intoArray(m, m0 + 4 * stride + k);
            }
        }
        if (bound < n) ScalarElementwise.winogradGrad(a, bound, n, m, at, stride);
    }

    @Override
    public void winogradOutputColumns(float[] m, int at, int stride, float[][] a, int n) {
        int bound = F.loopBound(n);
        for (int b = 0; b < 6; b++) {
            int q0 = at + b * stride;
            float[] p0 = a[b], p1 = a[6 + b], p2 = a[12 + b], p3 = a[18 + b];
            for (int k = 0; k < bound; k += F.length()) {
                FloatVector m1 = FloatVector.fromArray(F, m, q0 + 6 * stride + k), m2 = FloatVector.fromArray(F, m, q0 + 12 * stride + k);
                FloatVector m3 = FloatVector.fromArray(F, m, q0 + 18 * stride + k), m4 = FloatVector.fromArray(F, m, q0 + 24 * stride + k);
                FloatVector sum12 = m1.add(m2), dif12 = m1.sub(m2), sum34 = m3.add(m4), dif34 = m3.sub(m4);
                FloatVector.fromArray(F, m, q0 + k).add(sum12).add(sum34).intoArray(p0, k);
                dif12.add(dif34.mul(2f)).intoArray(p1, k);
                sum12.add(sum34.mul(4f)).intoArray(p2, k);
                dif12.add(dif34.mul(8f)).add(FloatVector.fromArray(F, m, q0 + 30 * stride + k)).intoArray(p3, k);
            }
        }
        if (bound < n) ScalarElementwise.winogradOutputColumns(m, at, stride, a, bound, n);
    }

    @Override
    public void winogradOutputRow(float[][] a, int r, int n, float bias) {
        int bound = F.loopBound(n);
        float[] e0 = a[6 * r], e1 = a[6 * r + 1], e2 = a[6 * r + 2], e3 = a[6 * r + 3], e4 = a[6 * r + 4], e5 = a[6 * r + 5];
        float[] o0 = a[24], o1 = a[25], o2 = a[26], o3 = a[27];
        for (int k = 0; k < bound; k += F.length()) {
            FloatVector v1 = FloatVector.fromArray(F, e1, k), v2 = FloatVector.fromArray(F, e2, k);
            FloatVector v3 = FloatVector.fromArray(F, e3, k), v4 = FloatVector.fromArray(F, e4, k);
            FloatVector sum12 = v1.add(v2), dif12 = v1.sub(v2), sum34 = v3.add(v4), dif34 = v3.sub(v4);
            FloatVector.fromArray(F, e0, k).add(sum12).add(sum34).add(bias).intoArray(o0, k);
            dif12.add(dif34.mul(2f)).add(bias).intoArray(o1, k);
            sum12.add(sum34.mul(4f)).add(bias).intoArray(o2, k);
            dif12.add(dif34.mul(8f)).add(FloatVector.fromArray(F, e5, k)).add(bias).intoArray(o3, k);
        }
        if (bound < n) ScalarElementwise.winogradOutputRow(a, r, bound, n, bias);
    }

    @Override
    public void gatherStrided(double[] x, int xo, int rowStep, int stride, int rows, int cols, double[] y, int yo) {
        SCALAR.gatherStrided(x, xo, rowStep, stride, rows, cols, y, yo);
    }

    @Override
    public void scatterAddStrided(float[] x, int xo, int rowStep, int stride, int rows, int cols, float[] y, int yo) {
        if (stride != 2) {
            SCALAR.scatterAddStrided(x, xo, rowStep, stride, rows, cols, y, yo);
            return;
        }
        int per = F.length() / 2, full = cols / per, rest = cols - full * per;
        VectorMask<Float> pieceIn = F.indexInRange(0, per), pieceOut = EVEN;
        VectorMask<Float> restIn = F.indexInRange(0, rest), restOut = EVEN.and(F.indexInRange(0, Math.max(0, 2 * rest - 1)));
        for (int r = 0; r < rows; r++) {
            int src = xo + r * cols, dst = yo + r * rowStep, q = 0;
            for (int p = 0; p < full; p++, q += per) addSpread(x, src + q, pieceIn, y, dst + 2 * q, pieceOut);
            if (rest > 0) addSpread(x, src + q, restIn, y, dst + 2 * q, restOut);
        }
    }

    // y[at + 2i] += x[from + i] for the lanes of in (and 2i of out)
    private static void addSpread(float[] x, int from, VectorMask<Float> in, float[] y, int at, VectorMask<Float> out) {
        FloatVector v = FloatVector.fromArray(F, x, from, in).rearrange(SPREAD2);
        FloatVector.fromArray(F, y, at, out).add(v).intoArray(y, at, out);
    }

    @Override
    public void scatterAddStrided(double[] x, int xo, int rowStep, int stride, int rows, int cols, double[] y, int yo) {
        SCALAR.scatterAddStrided(x, xo, rowStep, stride, rows, cols, y, yo);
    }

    @Override
    public void reluBackward(float[] out, int oo, float[] g, int go, float[] y, int yo, int n) {
        int i = 0, len = F.length();
        for (int bound = F.loopBound(n); i < bound; i += len) {
            FloatVector m = FloatVector.fromArray(F, out, oo + i);
            FloatVector.fromArray(F, g, go + i).blend(0f, m.compare(VectorOperators.LE, 0f)).intoArray(y, yo + i);
        }
        if (i < n) SCALAR.reluBackward(out, oo + i, g, go + i, y, yo + i, n - i);
    }

    @Override
    public void reluBackward(double[] out, int oo, double[] g, int go, double[] y, int yo, int n) {
        SCALAR.reluBackward(out, oo, g, go, y, yo, n);
    }

    @Override
    public void leakyRelu(float[] x, int xo, float[] v, int vo, float slope, float[] y, int yo, int n) {
        int i = 0, len = F.length();
        for (int bound = F.loopBound(n); i < bound; i += len) {
            FloatVector a = FloatVector.fromArray(F, v, vo + i);
            a.mul(slope).blend(a, FloatVector.fromArray(F, x, xo + i).compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
        }
        if (i < n) SCALAR.leakyRelu(x, xo + i, v, vo + i, slope, y, yo + i, n - i);
    }

    @Override
    public void leakyRelu(double[] x, int xo, double[] v, int vo, double slope, double[] y, int yo, int n) {
        SCALAR.leakyRelu(x, xo, v, vo, slope, y, yo, n);
    }

    @Override
    public void unsignedBytes(byte[] x, int xo, float divisor, float[] y, int yo, int n) {
        int i = 0, len = F.length();
        for (int bound = n - BYTES.length(); i <= bound; i += len) {
            ByteVector b = ByteVector.fromArray(BYTES, x, xo + i);
            IntVector w = (IntVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            ((FloatVector) w.convertShape(VectorOperators.I2F, F, 0)).div(divisor).intoArray(y, yo + i);
        }
        if (i < n) SCALAR.unsignedBytes(x, xo + i, divisor, y, yo + i, n - i);
    }

    /**
     * The float32 operations of the formula, a vector at a time, subnormal moments and gradients
     * included: in training a tenth of Adam's first moments pass through the subnormals (a unit
     * that stopped receiving gradient decays them by β₁ a step), and on AMD's Zen 4 vector
     * arithmetic on them costs little: 0.6–0.8 ns a parameter against 0.4–0.5 for normal ones
     * (one thread, 2^16 parameters), where routing such vectors through float64 (same bits) took
     * 1.7 ns with subnormal first moments and 4.9–5.3 with subnormal gradients too.
     */
    @Override
    public void adam(float[] p, float[] g, float[] m, float[] v, int from, int to,
                     float b1, float c1, float b2, float c2, float bc, float e, float s) {
        int i = from, len = F.length();
        for (int bound = from + F.loopBound(to - from); i < bound; i += len) {
            FloatVector gi = FloatVector.fromArray(F, g, i);
            FloatVector mi = FloatVector.fromArray(F, m, i).mul(b1).add(gi.mul(c1));
            FloatVector vi = FloatVector.fromArray(F, v, i).mul(b2).add(gi.mul(c2).mul(gi));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denom = vi.sqrt().div(bc).add(e);
            FloatVector.fromArray(F, p, i).add(mi.mul(s).div(denom)).intoArray(p, i);
        }
        if (i < to) AdamKernel.loop(p, g, m, v, i, to, b1, c1, b2, c2, bc, e, s);
    }
}
