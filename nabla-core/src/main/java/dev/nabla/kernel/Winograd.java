package dev.nabla.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Float32 3×3 stride-1 convolutions by Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2016, interpolation points 0, ±1, ±2, ∞):
 * each 4×4 block of outputs is Aᵀ[Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B)]A over the 6×6 input tiles d_c, so
 * that a layer costs 36 products [out × in]·[in × tiles] (batched GEMMs over the channels, the
 * provider's {@link Gemm}) instead of 9·16 = 144 multiply-adds per tile and channel pair: 4× fewer
 * (F(2×2, 3×3), which nabla used before, saves 2.25×). The tile transforms are additions and
 * multiplications by 2, 4, 5 and 8 (the weights' by 1/4, 1/6, 1/12 and 1/24, computed in double and
 * rounded once), done here in plain Java for both providers; only the copy of the input tiles'
 * columns goes through the provider's {@link Elementwise#tileColumns}.
 *
 * <p>No im2col matrix is built: the tiles of all examples are cut into blocks of {@value #BLOCK},
 * and each block is transformed (in parallel over channels, each step one loop over the block's
 * tiles), multiplied (the GEMMs parallel inside) and transformed back into the output, blocks in
 * turn; the weight gradient sums its products over the blocks in block order. Every output
 * element is computed in an order fixed by the sizes, so results do not depend on the thread
 * count; both providers run this same algorithm, and differ only in the GEMM's last bits, as
 * documented in {@link Gemm}. The float32 rounding differs from im2col's
 * (the tile transforms combine up to 36 terms on each side of the GEMM): outputs and input
 * gradients are within 1e-5 of the sum of |w·x|, weight gradients within 2e-5 of the sum of
 * |gy·x| (tested against float64 references, {@code WinogradTest}; about 10× F(2×2, 3×3)'s error
 * for outputs and input gradients).
 */
public final class Winograd {
    /** The {@link Scratch} slots: transformed input tiles, products (or transformed output gradients), dU. */
    private static final int INPUT_TILES = 0, OUTPUT_TILES = 1, WEIGHT_SUMS = 2;
    /** Outputs per tile side, input points per tile side, and the tile's transform positions (GEMMs). */
    private static final int OUT = 4, IN = 6, POSITIONS = IN * IN;
    /** Filters transformed per copy into (or out of) the 36 position planes. */
    private static final int WEIGHT_CHUNK = 64;
    /** G's denominators as factors (multiplying in double is several times faster than dividing). */
    private static final double SIXTH = 1 / 6d, TWELFTH = 1 / 12d, TWENTY_FOURTH = 1 / 24d;
    /** Fewer input or output channels than this keep im2col (the GEMMs' inner size would be tiny). */
    static final int MIN_CHANNELS = 16;
    /**
     * Narrower outputs than this keep im2col: a short row wastes part of its last tile, and a small
     * plane does not pay. Measured against im2col, forward + both gradients at batch 2, 2 threads:
     * VGG16's 512-channel layer at 28×28 74 against 134 ms, at 14×14 (4 tiles a row, the last one
     * half padding) 34 against 35 ms; the cnn protocol's 14×14 32→64 layer at batch 128, 33-36
     * against 20-22 ms (with F(2×2, 3×3) too, 1.7× the time).
     */
    static final int MIN_WIDTH = 24;
    /**
     * Fewer output tiles (over the batch) than this keep im2col: transforming the weights would
     * cost as much as the multiplies saved (the 1,024 outputs F(2×2, 3×3)'s 256 tiles covered).
     */
    static final int MIN_TILES = 64;
    /**
     * Tiles per block: the transforms loop over a block's tiles, the GEMMs' columns are its tiles,
     * and each block packs the 36 weight matrices again (1 MB each at 512 channels). 128 and 512
     * were slower than 256 on VGG16's layers at batch 2 (64 to 512 channels), by up to 25%.
     */
    static final int BLOCK = 256;

    /** Whether convolutions that qualify take this algorithm ({@link #setEnabled}; -Dnabla.winograd=false starts without). */
    private static volatile boolean enabled = enabledByDefault();

    private final Gemm gemm;
    private final Elementwise ew;

    private static boolean enabledByDefault() {
        String prop = System.getProperty("nabla.winograd");
        if (prop == null || prop.trim().equals("true")) return true;
        if (prop.trim().equals("false")) return false;
        throw new IllegalArgumentException("nabla.winograd=" + prop + ": expected true or false");
    }

    /** True while qualifying float32 convolutions take Winograd's algorithm (the default). */
    public static boolean enabled() {
        return enabled;
    }

    /**
     * Turns the algorithm on or off for the convolutions that follow: off, they take im2col and
     * its rounding (within about 1e-6 of the sum of |w·x|, as PyTorch's CPU convolutions) at the
     * cost of 4× the multiply-adds.
     */
    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** Winograd's algorithm with this provider's GEMM and elementwise kernels (which copy the tiles' columns). */
    public Winograd(Gemm gemm, Elementwise ew) {
        this.gemm = gemm;
        this.ew = ew;
    }

    /**
     * True when the algorithm is enabled and the convolution g has a 3×3 kernel, stride 1, no
     * dilation, one group, enough channels, width and tiles.
     */
    public static boolean applies(ConvGeometry g) {
        return enabled && g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.dh() == 1 && g.dw() == 1
                && g.groups() == 1 && Math.min(g.c(), g.o()) >= MIN_CHANNELS && g.ow() >= MIN_WIDTH
                && (long) g.n() * tiles(g.oh()) * tiles(g.ow()) >= MIN_TILES;
    }

    /** Tiles along a side of `size` outputs. */
    private static int tiles(int size) {
        return (size + OUT - 1) / OUT;
    }

    /** y = conv(x, w) + bias for contiguous x [n, c, h, w] at xOff, w [o, c, 3, 3] at wOff, bias [o] (or null) at bOff. */
    public void forward(float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, float[] y, ConvGeometry g) {
        float[] u = transformWeights(w, wOff, g.o(), g.c(), false);
        correlate(x, xOff, g.n(), g.c(), g.h(), g.w(), g.pt(), g.pl(), u, g.o(), y, g.oh(), g.ow(), bias, bOff);
    }

    /**
     * The input gradient of forward (zero bias) into dx [n, c, h, w]: a stride-1 transposed
     * 3×3 convolution, computed as the convolution of gy (padded by 2 − padding) with the weight
     * flipped in both spatial dims and transposed to [c, o, 3, 3].
     */
    public void inputGrad(float[] gy, int gOff, float[] w, int wOff, float[] dx, ConvGeometry g) {
        float[] u = transformWeights(w, wOff, g.o(), g.c(), true);
        correlate(gy, gOff, g.n(), g.o(), g.oh(), g.ow(), 2 - g.pt(), 2 - g.pl(), u, g.c(), dx, g.h(), g.w(), null, 0);
    }

    /**
     * The weight gradient of forward, Σ over the batch, into dw [o, c, 3, 3]: the adjoint of
     * g ↦ G g Gᵀ applied to dU[ξ] = Σ_tiles (A dy Aᵀ)[ξ]·(Bᵀ d B)[ξ]ᵀ, 36 GEMMs [o × tiles]·[tiles × c]
     * accumulated block after block (in block order: the sum's order is fixed by the sizes). Blocks
     * run one after the other, each with its transforms parallel over channels and its GEMMs
     * parallel in the GEMM driver, so no per-thread copy of dU is needed.
     */
    public void weightGrad(float[] x, int xOff, float[] gy, int gOff, float[] dw, ConvGeometry g) {
        int c = g.c(), o = g.o(), th = tiles(g.oh()), tw = tiles(g.ow()), tiles = g.n() * th * tw;
        int tb = Math.min(tiles, BLOCK);
        Tiling tiling = new Tiling(th, tw);
        float[] v = Scratch.floats(INPUT_TILES, POSITIONS * c * tb), m = Scratch.floats(OUTPUT_TILES, POSITIONS * o * tb);
        float[] du = Scratch.floats(WEIGHT_SUMS, POSITIONS * o * c);
        for (int t0 = 0; t0 < tiles; t0 += tb) {
            int first = t0, cnt = Math.min(tb, tiles - t0);
            Parallel.forRange(c + o, channelGrain(cnt, c + o), (c0, c1) -> {
                Lanes lanes = Lanes.LOCAL.get();
                if (c0 < c) inputTransform(x, xOff, c, g.h(), g.w(), g.pt(), g.pl(), tiling, first, cnt, v, tb, lanes, c0, Math.min(c, c1));
                if (c1 > c) gradTransform(gy, gOff, o, g.oh(), g.ow(), tiling, first, cnt, m, tb, lanes, Math.max(0, c0 - c), c1 - c);
            });
            gemm.sgemm(POSITIONS, false, true, o, c, cnt, m, 0, o * tb, tb, v, 0, c * tb, tb, t0 == 0 ? 0f : 1f, du, 0, o * c, c);
        }
        int plane = o * c;
        Parallel.forRange(plane, 8 * WEIGHT_CHUNK, (p0, p1) -> { // chunks of 512 filters, each with its buffers
            double[] t = new double[3 * IN], r = new double[3];
            float[] chunk = Lanes.LOCAL.get().chunk;
            for (int c0 = p0; c0 < p1; c0 += WEIGHT_CHUNK) { // read as the weights were written, a chunk at a time
                int n = Math.min(WEIGHT_CHUNK, p1 - c0);
                for (int pos = 0; pos < POSITIONS; pos++) System.arraycopy(du, pos * plane + c0, chunk, pos * WEIGHT_CHUNK, n);
                for (int q = 0; q < n; q++) { // dw = Gᵀ dU G: t = Gᵀ dU (3×6), then rows of t times G (3×3)
                    for (int b = 0; b < IN; b++) {
                        int at = b * WEIGHT_CHUNK + q, step = IN * WEIGHT_CHUNK;
                        adjoint(chunk[at], chunk[at + step], chunk[at + 2 * step], chunk[at + 3 * step], chunk[at + 4 * step],
                                chunk[at + 5 * step], r);
                        for (int i = 0; i < 3; i++) t[IN * i + b] = r[i];
                    }
                    int p = c0 + q;
                    for (int i = 0; i < 3; i++) {
                        int k = IN * i;
                        adjoint(t[k], t[k + 1], t[k + 2], t[k + 3], t[k + 4], t[k + 5], r);
                        for (int j = 0; j < 3; j++) dw[p * 9 + 3 * i + j] = (float) r[j];
                    }
                }
            }
        });
    }

    /**
     * G·(g0, g1, g2) into t[at + stride·a], a < 6: the 3-tap filter's values at the interpolation
     * points 0, −1, 1, −2, 2 and ∞, scaled by G's denominators (Lavin and Gray's G for F(4×4, 3×3)).
     */
    private static void interpolate(double g0, double g1, double g2, double[] t, int at, int stride) {
        double even = g0 + g2, even4 = g0 + 4 * g2;
        t[at] = g0 * 0.25;
        t[at + stride] = -(even + g1) * SIXTH;
        t[at + 2 * stride] = -(even - g1) * SIXTH;
        t[at + 3 * stride] = (even4 + 2 * g1) * TWENTY_FOURTH;
        t[at + 4 * stride] = (even4 - 2 * g1) * TWENTY_FOURTH;
        t[at + 5 * stride] = g2;
    }

    /** Gᵀ·(u0, …, u5) into r[0..2]: the adjoint of {@link #interpolate}. */
    private static void adjoint(double u0, double u1, double u2, double u3, double u4, double u5, double[] r) {
        double s12 = u1 + u2, s34 = u3 + u4;
        r[0] = u0 * 0.25 - s12 * SIXTH + s34 * TWENTY_FOURTH;
        r[1] = (u2 - u1) * SIXTH + (u3 - u4) * TWELFTH;
        r[2] = (s34 - s12) * SIXTH + u5;
    }

    /**
     * Channels per parallel chunk of a block's transforms: about 2^14 tiles each, and at least two
     * chunks a thread (each channel is transformed alone, so the chunks do not change the bits).
     */
    private static int channelGrain(int tiles, int channels) {
        return Math.max(1, Math.min((1 << 14) / Math.max(1, tiles), channels / (2 * Parallel.threads())));
    }

    /**
     * U = G g Gᵀ for each pair of w [o, c, 3, 3], laid out [36][o][c]; flipped, g is w[o][c]
     * rotated by 180° and U is laid out [36][c][o]. Computed in double, rounded once.
     */
    private static float[] transformWeights(float[] w, int wOff, int o, int c, boolean flipped) {
        float[] u = Scratch.floats(WEIGHT_SUMS, POSITIONS * o * c);
        // destination rows and columns ([o][c], or [c][o] flipped), walked in the order they are
        // stored, a chunk of columns at a time: 36 interleaved streams of single floats a megabyte
        // apart (512 channels) ran 2.4× slower than writing each position's chunk in one copy
        int plane = o * c, rows = flipped ? c : o, cols = flipped ? o : c;
        Parallel.forRange(rows, Math.max(1, (1 << 12) / cols), (r0, r1) -> {
            double[] t = new double[3 * IN], r = new double[IN];
            float[] chunk = Lanes.LOCAL.get().chunk;
            for (int row = r0; row < r1; row++) {
                for (int col0 = 0; col0 < cols; col0 += WEIGHT_CHUNK) {
                    int n = Math.min(WEIGHT_CHUNK, cols - col0);
                    for (int q = 0; q < n; q++) {
                        int col = col0 + q, src = wOff + (flipped ? col * c + row : row * c + col) * 9;
                        for (int j = 0; j < 3; j++) { // t = G g (6×3), g read rotated when flipped
                            interpolate(tap(w, src, 0, j, flipped), tap(w, src, 1, j, flipped), tap(w, src, 2, j, flipped), t, j, 3);
                        }
                        for (int a = 0; a < IN; a++) { // row a of t Gᵀ
                            interpolate(t[3 * a], t[3 * a + 1], t[3 * a + 2], r, 0, 1);
                            for (int b = 0; b < IN; b++) chunk[(IN * a + b) * WEIGHT_CHUNK + q] = (float) r[b];
                        }
                    }
                    for (int x = 0; x < POSITIONS; x++) System.arraycopy(chunk, x * WEIGHT_CHUNK, u, x * plane + row * cols + col0, n);
                }
            }
        });
        return u;
    }

    private static double tap(float[] w, int src, int i, int j, boolean flipped) {
        return flipped ? w[src + (2 - i) * 3 + 2 - j] : w[src + i * 3 + j];
    }

    /**
     * out [n, cout, oh, ow] = the 3×3 correlation of in [n, cin, h, w] (zero outside, output
     * (0, 0) reading input (−pt, −pl)) with the transformed weights u [36][cout][cin], plus bias.
     */
    private void correlate(float[] in, int inOff, int n, int cin, int h, int w, int pt, int pl, float[] u, int cout,
                           float[] out, int oh, int ow, float[] bias, int bOff) {
        int th = tiles(oh), tw = tiles(ow);
        int tiles = n * th * tw;
        int tb = Math.min(tiles, BLOCK);
        Tiling tiling = new Tiling(th, tw);
        float[] v = Scratch.floats(INPUT_TILES, POSITIONS * cin * tb), m = Scratch.floats(OUTPUT_TILES, POSITIONS * cout * tb);
        for (int t0 = 0; t0 < tiles; t0 += tb) {
            int first = t0, cnt = Math.min(tb, tiles - t0);
            Parallel.forRange(cin, channelGrain(cnt, cin), (c0, c1) ->
                    inputTransform(in, inOff, cin, h, w, pt, pl, tiling, first, cnt, v, tb, Lanes.LOCAL.get(), c0, c1));
            gemm.sgemm(POSITIONS, false, false, cout, cnt, cin, u, 0, cout * cin, cin, v, 0, cin * tb, tb,
                    0f, m, 0, cout * tb, tb);
            Parallel.forRange(cout, channelGrain(cnt, cout), (o0, o1) ->
                    outputTransform(m, tb, cout, tiling, first, cnt, out, oh, ow, bias, bOff, Lanes.LOCAL.get(), o0, o1));
        }
    }

    /** The plane of th × tw tiles of each example; tiles are numbered (example, tile row, tile column). */
    private record Tiling(int th, int tw) {
        /**
         * The runs of tiles [t0, t0 + cnt) within one tile row, each as {example, tile row, first
         * tile column, length, position in the block}.
         */
        int[][] runs(int t0, int cnt) {
            int pe = th * tw;
            List<int[]> out = new ArrayList<>();
            for (int t = t0; t < t0 + cnt; ) {
                int b = t % tw, len = Math.min(tw - b, t0 + cnt - t);
                out.add(new int[] {t / pe, t % pe / tw, b, len, t - t0});
                t += len;
            }
            return out.toArray(new int[0][]);
        }
    }

    /**
     * A block's tiles laid out for the transforms, per channel: 36 arrays of {@link #BLOCK} tiles,
     * array 6i + j holding point (i, j) of every tile of the block (then the transform's values),
     * so that each step of a transform is one loop over all the block's tiles; and the chunk of
     * filters the weight transforms copy. One per thread, for any block: allocated per task, they
     * were 40% of what the vgg16 protocol allocated after its warm-up (after the shared weights).
     */
    private static final class Lanes {
        static final ThreadLocal<Lanes> LOCAL = ThreadLocal.withInitial(Lanes::new);

        final float[][] a = new float[POSITIONS][BLOCK];
        final float[] chunk = new float[POSITIONS * WEIGHT_CHUNK];
    }

    /**
     * a[first + j][pos + k] = row `row` of a plane at base (width w, `rows` rows), column
     * c0 + 4k + j, for j < cols (6 or 4) and k < n: the columns of n tiles, zero outside the plane.
     */
    private void loadRow(float[] x, int base, int row, int rows, int w, int c0, int cols, int n, float[][] a,
                         int first, int pos) {
        if (row < 0 || row >= rows) {
            for (int j = 0; j < cols; j++) Arrays.fill(a[first + j], pos, pos + n, 0f);
            return;
        }
        int p0 = base + row * w;
        // tiles [inside, end) lie within the row; those before and after are checked column by column
        int inside = Math.min(n, Math.max(0, (-c0 + OUT - 1) / OUT));
        int end = Math.max(inside, Math.min(n, w - c0 - cols < 0 ? 0 : (w - c0 - cols) / OUT + 1));
        if (end > inside) ew.tileColumns(x, p0 + c0 + OUT * inside, end - inside, cols, a, first, pos + inside);
        for (int j = 0; j < cols; j++) {
            float[] d = a[first + j];
            for (int k = 0, col = c0 + j; k < inside; k++, col += OUT) d[pos + k] = col >= 0 && col < w ? x[p0 + col] : 0f;
            for (int k = end, col = c0 + j + OUT * end; k < n; k++, col += OUT) d[pos + k] = col >= 0 && col < w ? x[p0 + col] : 0f;
        }
    }

    /**
     * v[ξ][ch][i] = (Bᵀ d B)[ξ] for the 6×6 input tile d of channel ch, tile t0 + i: each step one
     * loop over the block's tiles ({@link Elementwise#winogradInput}: vectors or scalars, the same
     * operations in the same order either way, so the bits do not depend on the kernels).
     */
    private void inputTransform(float[] x, int xOff, int c, int h, int w, int pt, int pl, Tiling tl, int t0, int cnt,
                                float[] v, int tb, Lanes lanes, int ch0, int ch1) {
        int plane = h * w, vs = c * tb;
        float[][] a = lanes.a;
        int[][] runs = tl.runs(t0, cnt);
        for (int ch = ch0; ch < ch1; ch++) {
            for (int[] run : runs) {
                int base = xOff + (run[0] * c + ch) * plane, r0 = OUT * run[1] - pt, c0 = OUT * run[2] - pl;
                for (int i = 0; i < IN; i++) loadRow(x, base, r0 + i, h, w, c0, IN, run[3], a, IN * i, run[4]);
            }
            ew.winogradInput(a, cnt, v, ch * tb, vs);
        }
    }

    /**
     * m[ξ][oc][i] = (A dy Aᵀ)[ξ] for the 4×4 block dy of output channel oc at tile t0 + i (zero
     * past the plane's edge), for channels [oc0, oc1): the adjoint of the output transform.
     */
    private void gradTransform(float[] gy, int gOff, int cout, int oh, int ow, Tiling tl, int t0, int cnt,
                               float[] m, int tb, Lanes lanes, int oc0, int oc1) {
        int plane = oh * ow, ms = cout * tb;
        float[][] a = lanes.a;
        int[][] runs = tl.runs(t0, cnt);
        for (int oc = oc0; oc < oc1; oc++) {
            for (int[] run : runs) {
                int base = gOff + (run[0] * cout + oc) * plane;
                for (int i = 0; i < OUT; i++) loadRow(gy, base, OUT * run[1] + i, oh, ow, OUT * run[2], OUT, run[3], a, IN * i, run[4]);
            }
            ew.winogradGrad(a, cnt, m, oc * tb, ms);
        }
    }

    /** out's 4×4 block of tile t0 + i, channel oc = Aᵀ m A (+ bias), clipped to the plane, for channels [oc0, oc1). */
    private void outputTransform(float[] m, int tb, int cout, Tiling tl, int t0, int cnt, float[] out, int oh, int ow,
                                 float[] bias, int bOff, Lanes lanes, int oc0, int oc1) {
        int plane = oh * ow, ms = cout * tb;
        float[][] a = lanes.a; // rows r < 4 of Aᵀ m in a[6r + b]; a row's outputs, by column phase, in a[24 + p]
        int[][] runs = tl.runs(t0, cnt);
        for (int oc = oc0; oc < oc1; oc++) {
            float bv = bias == null ? 0f : bias[bOff + oc];
            int at = oc * tb;
            ew.winogradOutputColumns(m, at, ms, a, cnt);
            for (int r = 0; r < OUT; r++) { // (Aᵀ m) A along row r, into its 4 column phases
                ew.winogradOutputRow(a, r, cnt, bv);
                for (int[] run : runs) {
                    int y = OUT * run[1] + r, x0 = OUT * run[2];
                    if (y < oh) interleave(a, 4 * IN, run[4], run[3], out, (run[0] * cout + oc) * plane + y * ow + x0, ow - x0);
                }
            }
        }
    }

    /** out[p + 4k + j] = a[first + j][pos + k] for k < n, stopping at width columns. */
    private static void interleave(float[][] a, int first, int pos, int n, float[] out, int p, int width) {
        int full = Math.min(n, width / OUT);
        float[] a0 = a[first], a1 = a[first + 1], a2 = a[first + 2], a3 = a[first + 3];
        for (int k = 0; k < full; k++) {
            int at = p + OUT * k;
            out[at] = a0[pos + k];
            out[at + 1] = a1[pos + k];
            out[at + 2] = a2[pos + k];
            out[at + 3] = a3[pos + k];
        }
        for (int k = full; k < n; k++) {
            for (int j = 0; j < OUT && OUT * k + j < width; j++) out[p + OUT * k + j] = a[first + j][pos + k];
        }
    }
}
