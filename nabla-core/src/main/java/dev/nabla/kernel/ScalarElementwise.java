package dev.nabla.kernel;

/** Plain-Java elementwise kernels: the fallback, and the reference the SIMD kernels must match. */
public final class ScalarElementwise implements Elementwise {
    @Override
    public String name() {
        return "scalar";
    }

    static double apply(Unary op, double v) {
        return switch (op) {
            case NEG -> -v;
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case SQRT -> Math.sqrt(v);
            case ABS -> Math.abs(v);
            // 1/(1+e^-x) saturates to exactly 0 or 1 for huge |x| and never gives NaN.
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-v));
            case TANH -> Math.tanh(v);
            case RELU -> v > 0 ? v : (v == v ? 0.0 : v);
            case SIN -> Math.sin(v);
            case COS -> Math.cos(v);
            case SIGN -> Math.signum(v);
        };
    }

    static double apply(Binary op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAX -> a != a || b != b ? Double.NaN : Math.max(a, b);
            case MIN -> a != a || b != b ? Double.NaN : Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case TANH_BACKWARD -> a * (1 - b * b);
            case SIGMOID_BACKWARD -> a * (b * (1 - b));
        };
    }

    // float ops evaluated in float where Java has float arithmetic, so results round once.
    static float apply(Binary op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case TANH_BACKWARD -> a * (1f - b * b);
            case SIGMOID_BACKWARD -> a * (b * (1f - b));
            default -> (float) apply(op, (double) a, (double) b);
        };
    }

    @Override
    public void unary(Unary op, float[] x, int xo, int xs, float[] y, int yo, int ys, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) y[yo + i * ys] = -x[xo + i * xs]; }
            case ABS -> { for (int i = 0; i < n; i++) y[yo + i * ys] = Math.abs(x[xo + i * xs]); }
            case RELU -> { for (int i = 0; i < n; i++) { float v = x[xo + i * xs]; y[yo + i * ys] = v > 0 ? v : (v == v ? 0f : v); } }
            case EXP -> { for (int i = 0; i < n; i++) y[yo + i * ys] = Transcendentals.exp(x[xo + i * xs]); }
            case LOG -> { for (int i = 0; i < n; i++) y[yo + i * ys] = Transcendentals.log(x[xo + i * xs]); }
            case TANH -> { for (int i = 0; i < n; i++) y[yo + i * ys] = Transcendentals.tanh(x[xo + i * xs]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) y[yo + i * ys] = Transcendentals.sigmoid(x[xo + i * xs]); }
            default -> { for (int i = 0; i < n; i++) y[yo + i * ys] = (float) apply(op, x[xo + i * xs]); }
        }
    }

    @Override
    public void unary(Unary op, double[] x, int xo, int xs, double[] y, int yo, int ys, int n) {
        for (int i = 0; i < n; i++) y[yo + i * ys] = apply(op, x[xo + i * xs]);
    }

    @Override
    public void binary(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs,
                       float[] y, int yo, int ys, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) y[yo + i * ys] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) y[yo + i * ys] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) y[yo + i * ys] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) y[yo + i * ys] = a[ao + i * as] / b[bo + i * bs]; }
            default -> { for (int i = 0; i < n; i++) y[yo + i * ys] = apply(op, a[ao + i * as], b[bo + i * bs]); }
        }
    }

    @Override
    public void binary(Binary op, double[] a, int ao, int as, double[] b, int bo, int bs,
                       double[] y, int yo, int ys, int n) {
        for (int i = 0; i < n; i++) y[yo + i * ys] = apply(op, a[ao + i * as], b[bo + i * bs]);
    }

    @Override
    public float reduce(Reduce op, float[] x, int xo, int xs, int n) {
        return switch (op) {
            case SUM -> {
                // Eight interleaved partial sums keep the rounding error growing slowly with n.
                float[] acc = new float[8];
                int i = 0;
                for (; i + 8 <= n; i += 8) {
                    for (int l = 0; l < 8; l++) acc[l] += x[xo + (i + l) * xs];
                }
                float s = 0;
                for (float v : acc) s += v;
                for (; i < n; i++) s += x[xo + i * xs];
                yield s;
            }
            case MAX, MIN -> extreme(op, x, xo, xs, n);
        };
    }

    // Math.max/min: NaN wins and +0 is above -0, as the vector kernels' lanes do
    private static float extreme(Reduce op, float[] x, int xo, int xs, int n) {
        float best = x[xo];
        for (int i = 1; i < n && best == best; i++) {
            float v = x[xo + i * xs];
            best = op == Reduce.MAX ? Math.max(best, v) : Math.min(best, v);
        }
        return best;
    }

    @Override
    public double reduce(Reduce op, double[] x, int xo, int xs, int n) {
        return switch (op) {
            case SUM -> {
                double[] acc = new double[4];
                int i = 0;
                for (; i + 4 <= n; i += 4) {
                    for (int l = 0; l < 4; l++) acc[l] += x[xo + (i + l) * xs];
                }
                double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
                for (; i < n; i++) s += x[xo + i * xs];
                yield s;
            }
            case MAX, MIN -> {
                double best = x[xo];
                for (int i = 1; i < n && best == best; i++) {
                    double v = x[xo + i * xs];
                    best = op == Reduce.MAX ? Math.max(best, v) : Math.min(best, v);
                }
                yield best;
            }
        };
    }

    @Override
    public void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = Math.fma(a, x[xo + i], y[yo + i]);
    }

    @Override
    public void axpy(double a, double[] x, int xo, double[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = Math.fma(a, x[xo + i], y[yo + i]);
    }

    @Override
    public boolean allFinite(float[] x, int xo, int n) {
        for (int i = 0; i < n; i++) if (!Float.isFinite(x[xo + i])) return false;
        return true;
    }

    @Override
    public boolean allFinite(double[] x, int xo, int n) {
        for (int i = 0; i < n; i++) if (!Double.isFinite(x[xo + i])) return false;
        return true;
    }

    @Override
    public void addToRows(float[] y, int yo, int rows, int cols, float[] b, int bo, int bs) {
        for (int r = 0, o = yo; r < rows; r++, o += cols) {
            for (int c = 0; c < cols; c++) y[o + c] = y[o + c] + b[bo + c * bs];
        }
    }

    @Override
    public void addToRows(double[] y, int yo, int rows, int cols, double[] b, int bo, int bs) {
        for (int r = 0, o = yo; r < rows; r++, o += cols) {
            for (int c = 0; c < cols; c++) y[o + c] = y[o + c] + b[bo + c * bs];
        }
    }

    @Override
    public void affineRow(float[] x, int xo, float[] a, float[] b, float[] y, int yo, int n) {
        for (int j = 0; j < n; j++) y[yo + j] = x[xo + j] * a[j] + b[j];
    }

    @Override
    public void batchNormGradRow(float[] g, int go, float[] x, int xo, float[] gm, float[] m, float[] p, float[] k,
                                 float[] dx, int dxo, int n) {
        for (int j = 0; j < n; j++) dx[dxo + j] = (g[go + j] - gm[j] - (x[xo + j] - m[j]) * p[j]) * k[j];
    }

    @Override
    public void sumRows(float[] x, int xo, int rows, int cols, float[] y, int yo) {
        System.arraycopy(x, xo, y, yo, cols);
        for (int r = 1, o = xo + cols; r < rows; r++, o += cols) {
            for (int c = 0; c < cols; c++) y[yo + c] = y[yo + c] + x[o + c];
        }
    }

    @Override
    public void gatherStrided(float[] x, int xo, int rowStep, int stride, int rows, int cols, float[] y, int yo) {
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) y[yo + r * cols + q] = x[xo + r * rowStep + q * stride];
        }
    }

    @Override
    public void tileColumns(float[] x, int at, int n, int cols, float[][] out, int first, int pos) {
        float[] d0 = out[first], d1 = out[first + 1], d2 = out[first + 2], d3 = out[first + 3];
        if (cols == 6) { // one pass over the row for all 6 columns (the loop is too short to pay per column)
            float[] d4 = out[first + 4], d5 = out[first + 5];
            for (int k = pos; k < pos + n; k++, at += 4) {
                d0[k] = x[at];
                d1[k] = x[at + 1];
                d2[k] = x[at + 2];
                d3[k] = x[at + 3];
                d4[k] = x[at + 4];
                d5[k] = x[at + 5];
            }
        } else {
            for (int k = pos; k < pos + n; k++, at += 4) {
                d0[k] = x[at];
                d1[k] = x[at + 1];
                d2[k] = x[at + 2];
                d3[k] = x[at + 3];
            }
        }
    }

    @Override
    public void winogradInput(float[][] a, int n, float[] v, int at, int stride) {
        winogradInput(a, 0, n, v, at, stride);
    }

    // The tiles [k0, n): the Panama kernels' remainder, the same operations in the same order.
    static void winogradInput(float[][] a, int k0, int n, float[] v, int at, int stride) {
        for (int j = 0; j < 6; j++) { // Bᵀ d: down each column, in place
            float[] r0 = a[j], r1 = a[6 + j], r2 = a[12 + j], r3 = a[18 + j], r4 = a[24 + j], r5 = a[30 + j];
            for (int k = k0; k < n; k++) {
                float p = r0[k], q = r1[k], r = r2[k], s = r3[k], t = r4[k], u = r5[k];
                r0[k] = 4 * p - 5 * r + t;
                r1[k] = s + t - 4 * (q + r);
                r2[k] = t - s + 4 * (q - r);
                r3[k] = t - r + 2 * (s - q);
                r4[k] = t - r - 2 * (s - q);
                r5[k] = 4 * q - 5 * s + u;
            }
        }
        for (int i = 0; i < 6; i++) { // (Bᵀ d) B: along each row, one loop per output (a single store stream)
            float[] d0 = a[6 * i], d1 = a[6 * i + 1], d2 = a[6 * i + 2], d3 = a[6 * i + 3], d4 = a[6 * i + 4], d5 = a[6 * i + 5];
            int v0 = 6 * i * stride + at, v1 = v0 + stride, v2 = v1 + stride, v3 = v2 + stride, v4 = v3 + stride, v5 = v4 + stride;
            for (int k = k0; k < n; k++) v[v0 + k] = 4 * d0[k] - 5 * d2[k] + d4[k];
            for (int k = k0; k < n; k++) v[v1 + k] = d3[k] + d4[k] - 4 * (d1[k] + d2[k]);
            for (int k = k0; k < n; k++) v[v2 + k] = d4[k] - d3[k] + 4 * (d1[k] - d2[k]);
            for (int k = k0; k < n; k++) v[v3 + k] = d4[k] - d2[k] + 2 * (d3[k] - d1[k]);
            for (int k = k0; k < n; k++) v[v4 + k] = d4[k] - d2[k] - 2 * (d3[k] - d1[k]);
            for (int k = k0; k < n; k++) v[v5 + k] = 4 * d1[k] - 5 * d3[k] + d5[k];
        }
    }

    @Override
    public void winogradGrad(float[][] a, int n, float[] m, int at, int stride) {
        winogradGrad(a, 0, n, m, at, stride);
    }

    static void winogradGrad(float[][] a, int k0, int n, float[] m, int at, int stride) {
        for (int j = 0; j < 4; j++) { // A dy: down each column, 4 rows into 6, in place
            float[] r0 = a[j], r1 = a[6 + j], r2 = a[12 + j], r3 = a[18 + j], r4 = a[24 + j], r5 = a[30 + j];
            for (int k = k0; k < n; k++) {
                float p = r0[k], q = r1[k], r = r2[k], s = r3[k];
                r1[k] = p + r + (q + s);
                r2[k] = p + r - (q + s);
                r3[k] = p + 4 * r + 2 * (q + 4 * s);
                r4[k] = p + 4 * r - 2 * (q + 4 * s);
                r5[k] = s;
            }
        }
        for (int i = 0; i < 6; i++) { // (A dy) Aᵀ: the same combination along each row
            float[] d0 = a[6 * i], d1 = a[6 * i + 1], d2 = a[6 * i + 2], d3 = a[6 * i + 3];
            int m0 = 6 * i * stride + at, m1 = m0 + stride, m2 = m1 + stride, m3 = m2 + stride, m4 = m3 + stride, m5 = m4 + stride;
            System.arraycopy(d0, k0, m, m0 + k0, n - k0);
            for (int k = k0; k < n; k++) m[m1 + k] = d0[k] + d2[k] + (d1[k] + d3[k]);
            for (int k = k0; k < n; k++) m[m2 + k] = d0[k] + d2[k] - (d1[k] + d3[k]);
            for (int k = k0; k < n; k++) m[m3 + k] = d0[k] + 4 * d2[k] + 2 * (d1[k] + 4 * d3[k]);
            for (int k = k0; k < n; k++) m[m4 + k] = d0[k] + 4 * d2[k] - 2 * (d1[k] + 4 * d3[k]);
            System.arraycopy(d3, k0, m, m5 + k0, n - k0);
        }
    }

    @Override
    public void winogradOutputColumns(float[] m, int at, int stride, float[][] a, int n) {
        winogradOutputColumns(m, at, stride, a, 0, n);
    }

    static void winogradOutputColumns(float[] m, int at, int stride, float[][] a, int k0, int n) {
        for (int b = 0; b < 6; b++) { // column b of Aᵀ m (mk: row k of the tile)
            int q0 = at + b * stride, q1 = q0 + 6 * stride, q2 = q1 + 6 * stride, q3 = q2 + 6 * stride, q4 = q3 + 6 * stride,
                    q5 = q4 + 6 * stride;
            float[] p0 = a[b], p1 = a[6 + b], p2 = a[12 + b], p3 = a[18 + b];
            for (int k = k0; k < n; k++) {
                float sum12 = m[q1 + k] + m[q2 + k], dif12 = m[q1 + k] - m[q2 + k];
                float sum34 = m[q3 + k] + m[q4 + k], dif34 = m[q3 + k] - m[q4 + k];
                p0[k] = m[q0 + k] + sum12 + sum34;
                p1[k] = dif12 + 2 * dif34;
                p2[k] = sum12 + 4 * sum34;
                p3[k] = dif12 + 8 * dif34 + m[q5 + k];
            }
        }
    }

    @Override
    public void winogradOutputRow(float[][] a, int r, int n, float bias) {
        winogradOutputRow(a, r, 0, n, bias);
    }

    static void winogradOutputRow(float[][] a, int r, int k0, int n, float bias) {
        float[] e0 = a[6 * r], e1 = a[6 * r + 1], e2 = a[6 * r + 2], e3 = a[6 * r + 3], e4 = a[6 * r + 4], e5 = a[6 * r + 5];
        float[] o0 = a[24], o1 = a[25], o2 = a[26], o3 = a[27];
        for (int k = k0; k < n; k++) {
            float sum12 = e1[k] + e2[k], dif12 = e1[k] - e2[k], sum34 = e3[k] + e4[k], dif34 = e3[k] - e4[k];
            o0[k] = e0[k] + sum12 + sum34 + bias;
            o1[k] = dif12 + 2 * dif34 + bias;
            o2[k] = sum12 + 4 * sum34 + bias;
            o3[k] = dif12 + 8 * dif34 + e5[k] + bias;
        }
    }

    @Override
    public void gatherStrided(double[] x, int xo, int rowStep, int stride, int rows, int cols, double[] y, int yo) {
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) y[yo + r * cols + q] = x[xo + r * rowStep + q * stride];
        }
    }

    @Override
    public void scatterAddStrided(float[] x, int xo, int rowStep, int stride, int rows, int cols, float[] y, int yo) {
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) y[yo + r * rowStep + q * stride] += x[xo + r * cols + q];
        }
    }

    @Override
    public void scatterAddStrided(double[] x, int xo, int rowStep, int stride, int rows, int cols, double[] y, int yo) {
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) y[yo + r * rowStep + q * stride] += x[xo + r * cols + q];
        }
    }

    @Override
    public double sumPlanes(float[] x, int xo, int planes, int stride, int n) {
        double s = 0;
        for (int p = 0, at = xo; p < planes; p++, at += stride) {
            for (int i = 0; i < n; i++) s += x[at + i];
        }
        return s;
    }

    @Override
    public double sumPlanes(double[] x, int xo, int planes, int stride, int n) {
        double s = 0;
        for (int p = 0, at = xo; p < planes; p++, at += stride) {
            for (int i = 0; i < n; i++) s += x[at + i];
        }
        return s;
    }

    @Override
    public double centeredDotPlanes(float[] a, int ao, float ma, float[] b, int bo, float mb, int planes, int stride, int n) {
        double s = 0;
        for (int p = 0, off = 0; p < planes; p++, off += stride) {
            for (int i = 0; i < n; i++) s += (a[ao + off + i] - ma) * (b[bo + off + i] - mb);
        }
        return s;
    }

    @Override
    public double centeredDotPlanes(double[] a, int ao, double ma, double[] b, int bo, double mb, int planes, int stride, int n) {
        double s = 0;
        for (int p = 0, off = 0; p < planes; p++, off += stride) {
            for (int i = 0; i < n; i++) s += (a[ao + off + i] - ma) * (b[bo + off + i] - mb);
        }
        return s;
    }

    // Without branches: the signs of a layer's outputs are random.
    @Override
    public void reluBackward(float[] out, int oo, float[] g, int go, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            int b = Float.floatToRawIntBits(out[oo + i]);
            int keep = (((-b) >> 31) & ~(b >> 31)) | ((0x7f800000 - (b & 0x7fffffff)) >> 31); // b > 0, or a NaN
            y[yo + i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[go + i]) & keep);
        }
    }

    @Override
    public void reluBackward(double[] out, int oo, double[] g, int go, double[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            long b = Double.doubleToRawLongBits(out[oo + i]);
            long keep = (((-b) >> 63) & ~(b >> 63)) | ((0x7ff0000000000000L - (b & 0x7fffffffffffffffL)) >> 63);
            y[yo + i] = Double.longBitsToDouble(Double.doubleToRawLongBits(g[go + i]) & keep);
        }
    }

    @Override
    public void leakyRelu(float[] x, int xo, float[] v, int vo, float slope, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = x[xo + i] > 0 ? v[vo + i] : v[vo + i] * slope;
    }

    @Override
    public void leakyRelu(double[] x, int xo, double[] v, int vo, double slope, double[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = x[xo + i] > 0 ? v[vo + i] : v[vo + i] * slope;
    }

    @Override
    public void unsignedBytes(byte[] x, int xo, float divisor, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = (x[xo + i] & 0xFF) / divisor;
    }

    @Override
    public void adam(float[] p, float[] g, float[] m, float[] v, int from, int to,
                     float b1, float c1, float b2, float c2, float bc, float e, float s) {
        AdamKernel.loop(p, g, m, v, from, to, b1, c1, b2, c2, bc, e, s);
    }
}
