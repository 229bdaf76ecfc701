package dev.nabla.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Float32 3×3 stride-1 convolutions by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2016): each 2×2 block of outputs is
 * Aᵀ[Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B)]A over the 4×4 input tiles d_c, so that a layer costs 16
 * products [out × in]·[in × tiles] (batched GEMMs over the channels, the provider's {@link Gemm})
 * instead of 9·4 = 36 multiply-adds per tile and channel pair: 2.25× fewer. The transforms are
 * additions (and halvings of the weights), done here in plain Java for both providers.
 *
 * <p>No im2col matrix is built: the tiles of all examples are cut into blocks of a size fixed by
 * the channel counts and the number of tiles, and each block is transformed, multiplied and
 * transformed back into the output with scratch of its own (about 1 MB), blocks running in
 * parallel (the weight gradient sums over blocks in block order instead, each block's work
 * parallel inside). Every output element is computed in an order fixed by the sizes, so results
 * do not depend on the thread count; both providers run this same algorithm, and differ only in
 * the GEMM's last bits, as documented in {@link Gemm}. The float32 rounding differs from im2col's:
 * the weight transforms are computed in double and rounded once, the tile transforms add up to 9
 * terms on each side of the GEMM: outputs and input gradients are within 1e-6 of the sum of |w·x|,
 * weight gradients within 1e-5 of the sum of |gy·x| (tested against float64 references).
 */
public final class Winograd {
    /** The {@link Scratch} slots: transformed input tiles, products (or transformed output gradients), dU. */
    private static final int INPUT_TILES = 0, OUTPUT_TILES = 1, WEIGHT_SUMS = 2;

    /** Fewer input or output channels than this keep im2col (the GEMMs' inner size would be tiny). */
    static final int MIN_CHANNELS = 16;
    /**
     * Narrower outputs than this keep im2col: the transforms loop over a row's tiles, and a short
     * row does not pay (measured, against im2col, fwd + both gradients: 0.4× the time on VGG16's
     * 224×224 64-channel layer, 0.5× at 56×56, even at 28×28 and 1.7× on the cnn protocol's
     * 14×14 32→64 layer at batch 128).
     */
    static final int MIN_WIDTH = 32;
    /**
     * Fewer output tiles (over the batch) than this keep im2col: transforming the weights would
     * cost as much as the multiplies saved.
     */
    static final int MIN_TILES = 256;

    private final Gemm gemm;

    public Winograd(Gemm gemm) {
        this.gemm = gemm;
    }

    /** True when the convolution g has a 3×3 kernel, stride 1, no dilation, one group, enough channels, width and tiles. */
    public static boolean applies(ConvGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.dh() == 1 && g.dw() == 1
                && g.groups() == 1 && Math.min(g.c(), g.o()) >= MIN_CHANNELS && g.ow() >= MIN_WIDTH
                && (long) g.n() * ((g.oh() + 1) / 2) * ((g.ow() + 1) / 2) >= MIN_TILES;
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
     * g ↦ G g Gᵀ applied to dU[ξ] = Σ_tiles (A dy Aᵀ)[ξ]·(Bᵀ d B)[ξ]ᵀ, 16 GEMMs [o × tiles]·[tiles × c]
     * accumulated block after block (in block order: the sum's order is fixed by the sizes). Blocks
     * run one after the other, each with its transforms parallel over channels and its GEMMs
     * parallel in the GEMM driver, so no per-thread copy of dU is needed.
     */
    public void weightGrad(float[] x, int xOff, float[] gy, int gOff, float[] dw, ConvGeometry g) {
        int c = g.c(), o = g.o(), th = (g.oh() + 1) / 2, tw = (g.ow() + 1) / 2, tiles = g.n() * th * tw;
        int tb = blockTiles(tiles, Math.max(c, o));
        Tiling tiling = new Tiling(th, tw);
        float[] v = Scratch.floats(INPUT_TILES, 16 * c * tb), m = Scratch.floats(OUTPUT_TILES, 16 * o * tb);
        float[] du = Scratch.floats(WEIGHT_SUMS, 16 * o * c);
        for (int t0 = 0; t0 < tiles; t0 += tb) {
            int first = t0, cnt = Math.min(tb, tiles - t0);
            Parallel.forRange(c + o, channelGrain(cnt), (c0, c1) -> {
                Rows rows = new Rows(tw);
                if (c0 < c) inputTransform(x, xOff, c, g.h(), g.w(), g.pt(), g.pl(), tiling, first, cnt, v, tb, rows, c0, Math.min(c, c1));
                if (c1 > c) gradTransform(gy, gOff, o, g.oh(), g.ow(), tiling, first, cnt, m, tb, rows, Math.max(0, c0 - c), c1 - c);
            });
            gemm.sgemm(16, false, true, o, c, cnt, m, 0, o * tb, tb, v, 0, c * tb, tb, t0 == 0 ? 0f : 1f, du, 0, o * c, c);
        }
        int plane = o * c;
        Parallel.forRange(plane, Math.max(1, (1 << 14) / 9), (p0, p1) -> {
            for (int p = p0; p < p1; p++) { // dw = Gᵀ dU G: t = Gᵀ dU (3×4), then t G (3×3)
                double[] t = new double[12];
                for (int j = 0; j < 4; j++) {
                    double u0 = du[j * plane + p], u1 = du[(4 + j) * plane + p], u2 = du[(8 + j) * plane + p], u3 = du[(12 + j) * plane + p];
                    t[j] = u0 + 0.5 * (u1 + u2);
                    t[4 + j] = 0.5 * (u1 - u2);
                    t[8 + j] = 0.5 * (u1 + u2) + u3;
                }
                for (int i = 0; i < 3; i++) {
                    double u0 = t[4 * i], u1 = t[4 * i + 1], u2 = t[4 * i + 2], u3 = t[4 * i + 3];
                    dw[p * 9 + 3 * i] = (float) (u0 + 0.5 * (u1 + u2));
                    dw[p * 9 + 3 * i + 1] = (float) (0.5 * (u1 - u2));
                    dw[p * 9 + 3 * i + 2] = (float) (0.5 * (u1 + u2) + u3);
                }
            }
        });
    }

    // Channels per parallel chunk of a block's transforms: about 2^14 tiles each.
    private static int channelGrain(int tiles) {
        return Math.max(1, (1 << 14) / Math.max(1, tiles));
    }

    /**
     * U = G g Gᵀ for each pair of w [o, c, 3, 3], laid out [16][o][c]; flipped, g is w[o][c]
     * rotated by 180° and U is laid out [16][c][o]. Computed in double, rounded once.
     */
    private static float[] transformWeights(float[] w, int wOff, int o, int c, boolean flipped) {
        float[] u = new float[16 * o * c];
        int plane = o * c;
        Parallel.forRange(o, Math.max(1, (1 << 14) / c), (o0, o1) -> {
            double[] t = new double[12];
            for (int oi = o0; oi < o1; oi++) {
                for (int ci = 0; ci < c; ci++) {
                    int src = wOff + (oi * c + ci) * 9;
                    // t = G g (4×3), g read rotated when flipped
                    for (int j = 0; j < 3; j++) {
                        double g0 = tap(w, src, 0, j, flipped), g1 = tap(w, src, 1, j, flipped), g2 = tap(w, src, 2, j, flipped);
                        t[j] = g0;
                        t[3 + j] = 0.5 * (g0 + g1 + g2);
                        t[6 + j] = 0.5 * (g0 - g1 + g2);
                        t[9 + j] = g2;
                    }
                    int dst = flipped ? ci * o + oi : oi * c + ci;
                    for (int i = 0; i < 4; i++) { // row i of t Gᵀ
                        double a = t[3 * i], b = t[3 * i + 1], e = t[3 * i + 2];
                        u[(4 * i) * plane + dst] = (float) a;
                        u[(4 * i + 1) * plane + dst] = (float) (0.5 * (a + b + e));
                        u[(4 * i + 2) * plane + dst] = (float) (0.5 * (a - b + e));
                        u[(4 * i + 3) * plane + dst] = (float) e;
                    }
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
     * (0, 0) reading input (−pt, −pl)) with the transformed weights u [16][cout][cin], plus bias.
     */
    private void correlate(float[] in, int inOff, int n, int cin, int h, int w, int pt, int pl, float[] u, int cout,
                           float[] out, int oh, int ow, float[] bias, int bOff) {
        int th = (oh + 1) / 2, tw = (ow + 1) / 2;
        int tiles = n * th * tw;
        int tb = blockTiles(tiles, Math.max(cin, cout));
        int blocks = (tiles + tb - 1) / tb;
        Tiling tiling = new Tiling(th, tw);
        // scratch per thread (Scratch); a block's numbers do not depend on the chunk it falls in
        int grain = Math.max(1, blocks / (4 * Parallel.threads()));
        Parallel.forRange(blocks, grain, (b0, b1) -> {
            float[] v = Scratch.floats(INPUT_TILES, 16 * cin * tb), m = Scratch.floats(OUTPUT_TILES, 16 * cout * tb);
            Rows rows = new Rows(tw);
            for (int blk = b0; blk < b1; blk++) {
                int t0 = blk * tb, cnt = Math.min(tb, tiles - t0);
                inputTransform(in, inOff, cin, h, w, pt, pl, tiling, t0, cnt, v, tb, rows, 0, cin);
                gemm.sgemm(16, false, false, cout, cnt, cin, u, 0, cout * cin, cin, v, 0, cin * tb, tb,
                        0f, m, 0, cout * tb, tb);
                outputTransform(m, tb, cout, tiling, t0, cnt, out, oh, ow, bias, bOff, rows);
            }
        });
    }

    /**
     * Tiles per block: about 16K floats of transformed input or output per tile position, so that
     * a block's 16 positions (1 MB) stay in the L2 cache between the transform and the GEMM (64K
     * was 1.5× slower on a 64-channel 224×224 layer), a multiple of 16, at least 4 blocks when there are enough
     * tiles (both cores busy on a small plane). Depends on the sizes only.
     */
    static int blockTiles(int tiles, int channels) {
        int byCache = Math.max(32, Math.min(1024, (1 << 14) / channels));
        int byCount = (tiles + 3) / 4;
        return Math.max(16, (Math.min(byCache, byCount) + 15) / 16 * 16);
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

    /** Scratch rows of one tile row: 4 input rows split into even and odd columns, their combinations, output rows. */
    private static final class Rows {
        final float[][] even = new float[4][], odd = new float[4][];

        Rows(int tw) {
            for (int i = 0; i < 4; i++) {
                even[i] = new float[tw + 1];
                odd[i] = new float[tw + 1];
            }
        }
    }

    /**
     * v[ξ][ch][i] = (Bᵀ d B)[ξ] for the 4×4 input tile d of channel ch, tile t0 + i; a run of tiles
     * at a time, so that the loops are over contiguous tiles (vectorized by the JIT; additions
     * only, so the bits do not depend on it).
     */
    private static void inputTransform(float[] x, int xOff, int c, int h, int w, int pt, int pl, Tiling tl, int t0, int cnt,
                                       float[] v, int tb, Rows rows, int ch0, int ch1) {
        int plane = h * w, vs = c * tb;
        for (int[] run : tl.runs(t0, cnt)) {
            int s = run[0], r0 = 2 * run[1] - pt, c0 = 2 * run[2] - pl, len = run[3];
            for (int ch = ch0; ch < ch1; ch++) {
                int base = xOff + (s * c + ch) * plane;
                for (int i = 0; i < 4; i++) { // rows r0 + i, columns c0 + 2k (even) and c0 + 2k + 1 (odd), zero outside
                    float[] e = rows.even[i], o = rows.odd[i];
                    int row = r0 + i;
                    if (row < 0 || row >= h) {
                        Arrays.fill(e, 0, len + 1, 0f);
                        Arrays.fill(o, 0, len + 1, 0f);
                        continue;
                    }
                    for (int k = 0, col = c0, p = base + row * w + c0; k <= len; k++, col += 2, p += 2) {
                        e[k] = col >= 0 && col < w ? x[p] : 0f;
                        o[k] = col + 1 >= 0 && col + 1 < w ? x[p + 1] : 0f;
                    }
                }
                columns(rows.even, len + 1);
                columns(rows.odd, len + 1);
                int at = ch * tb + run[4];
                for (int i = 0; i < 4; i++) { // rows: (Bᵀ d) B, tile k reading columns k and k + 1 of each half
                    float[] e = rows.even[i], o = rows.odd[i];
                    int v0 = 4 * i * vs + at, v1 = v0 + vs, v2 = v1 + vs, v3 = v2 + vs;
                    // one loop per output row, so that each vectorizes with a single store stream
                    for (int k = 0; k < len; k++) v[v0 + k] = e[k] - e[k + 1];
                    for (int k = 0; k < len; k++) v[v1 + k] = o[k] + e[k + 1];
                    for (int k = 0; k < len; k++) v[v2 + k] = e[k + 1] - o[k];
                    for (int k = 0; k < len; k++) v[v3 + k] = o[k] - o[k + 1];
                }
            }
        }
    }

    /** Bᵀ applied down the 4 rows d, in place: (d0 − d2, d1 + d2, d2 − d1, d1 − d3). */
    private static void columns(float[][] d, int n) {
        float[] d0 = d[0], d1 = d[1], d2 = d[2], d3 = d[3];
        for (int k = 0; k < n; k++) {
            float a = d0[k], b = d1[k], c = d2[k], e = d3[k];
            d0[k] = a - c;
            d1[k] = b + c;
            d2[k] = c - b;
            d3[k] = b - e;
        }
    }

    /**
     * m[ξ][oc][i] = (A dy Aᵀ)[ξ] for the 2×2 block dy of output channel oc at tile t0 + i (zero
     * past the plane's edge), for channels [oc0, oc1): the adjoint of the output transform.
     */
    private static void gradTransform(float[] gy, int gOff, int cout, int oh, int ow, Tiling tl, int t0, int cnt,
                                      float[] m, int tb, Rows rows, int oc0, int oc1) {
        int plane = oh * ow, ms = cout * tb;
        for (int[] run : tl.runs(t0, cnt)) {
            int s = run[0], y = 2 * run[1], x0 = 2 * run[2], len = run[3];
            for (int oc = oc0; oc < oc1; oc++) {
                int base = gOff + (s * cout + oc) * plane;
                for (int i = 0; i < 2; i++) { // rows y + i, columns x0 + 2k (even) and x0 + 2k + 1 (odd), zero outside
                    float[] e = rows.even[i], od = rows.odd[i];
                    if (y + i >= oh) {
                        Arrays.fill(e, 0, len, 0f);
                        Arrays.fill(od, 0, len, 0f);
                        continue;
                    }
                    for (int k = 0, p = base + (y + i) * ow + x0; k < len; k++, p += 2) {
                        e[k] = gy[p];
                        od[k] = x0 + 2 * k + 1 < ow ? gy[p + 1] : 0f;
                    }
                }
                // A dy: rows (g0, g0 + g1, g0 − g1, −g1), each then spread over columns the same way
                int at = oc * tb + run[4];
                for (int i = 0; i < 4; i++) {
                    for (int half = 0; half < 2; half++) {
                        float[] g0 = half == 0 ? rows.even[0] : rows.odd[0], g1 = half == 0 ? rows.even[1] : rows.odd[1];
                        float[] r = half == 0 ? rows.even[2 + i % 2] : rows.odd[2 + i % 2];
                        switch (i) {
                            case 0 -> System.arraycopy(g0, 0, r, 0, len);
                            case 1 -> { for (int k = 0; k < len; k++) r[k] = g0[k] + g1[k]; }
                            case 2 -> { for (int k = 0; k < len; k++) r[k] = g0[k] - g1[k]; }
                            default -> { for (int k = 0; k < len; k++) r[k] = -g1[k]; }
                        }
                    }
                    float[] e = rows.even[2 + i % 2], od = rows.odd[2 + i % 2];
                    int m0 = 4 * i * ms + at, m1 = m0 + ms, m2 = m1 + ms, m3 = m2 + ms;
                    System.arraycopy(e, 0, m, m0, len);
                    for (int k = 0; k < len; k++) m[m1 + k] = e[k] + od[k];
                    for (int k = 0; k < len; k++) m[m2 + k] = e[k] - od[k];
                    for (int k = 0; k < len; k++) m[m3 + k] = -od[k];
                }
            }
        }
    }

    /** out's 2×2 block of tile t0 + i, channel oc = Aᵀ m A (+ bias), clipped to the plane; a run of tiles at a time. */
    private static void outputTransform(float[] m, int tb, int cout, Tiling tl, int t0, int cnt, float[] out, int oh, int ow,
                                        float[] bias, int bOff, Rows rows) {
        int plane = oh * ow, ms = cout * tb;
        float[] y00 = rows.even[0], y01 = rows.odd[0], y10 = rows.even[1], y11 = rows.odd[1];
        for (int[] run : tl.runs(t0, cnt)) {
            int s = run[0], y = 2 * run[1], x0 = 2 * run[2], len = run[3];
            for (int oc = 0; oc < cout; oc++) {
                float bv = bias == null ? 0f : bias[bOff + oc];
                int at = oc * tb + run[4];
                for (int k = 0; k < len; k++) {
                    int q = at + k;
                    // rows of Aᵀ m: r0 = m0 + m1 + m2, r1 = m1 − m2 − m3 (mk: row k of the tile)
                    float r00 = m[q] + m[q + 4 * ms] + m[q + 8 * ms];
                    float r01 = m[q + ms] + m[q + 5 * ms] + m[q + 9 * ms];
                    float r02 = m[q + 2 * ms] + m[q + 6 * ms] + m[q + 10 * ms];
                    float r03 = m[q + 3 * ms] + m[q + 7 * ms] + m[q + 11 * ms];
                    float r10 = m[q + 4 * ms] - m[q + 8 * ms] - m[q + 12 * ms];
                    float r11 = m[q + 5 * ms] - m[q + 9 * ms] - m[q + 13 * ms];
                    float r12 = m[q + 6 * ms] - m[q + 10 * ms] - m[q + 14 * ms];
                    float r13 = m[q + 7 * ms] - m[q + 11 * ms] - m[q + 15 * ms];
                    y00[k] = r00 + r01 + r02 + bv;
                    y01[k] = r01 - r02 - r03 + bv;
                    y10[k] = r10 + r11 + r12 + bv;
                    y11[k] = r11 - r12 - r13 + bv;
                }
                int p = (s * cout + oc) * plane + y * ow + x0;
                interleave(y00, y01, len, out, p, ow - x0);
                if (y + 1 < oh) interleave(y10, y11, len, out, p + ow, ow - x0);
            }
        }
    }

    /** out[p + 2k] = even[k], out[p + 2k + 1] = odd[k] for k < n, stopping at width columns. */
    private static void interleave(float[] even, float[] odd, int n, float[] out, int p, int width) {
        for (int k = 0; k < n; k++) {
            out[p + 2 * k] = even[k];
            if (2 * k + 1 < width) out[p + 2 * k + 1] = odd[k];
        }
    }
}
