package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * im2col and col2im against their definitions written out, on both providers, float32 and
 * float64: strided geometries (the padded-plane gathers), dilation, padding on one side only, a
 * window that leaves input rows unread, and a column matrix wider than one example (ld &gt; oh·ow).
 * col2im adds onto a non-zero input in the order (c, i, j, y, q), so the sums are checked bitwise.
 */
class Im2colTest {
    /** x [c, h, w] → col [c·kh·kw, ld]; geometries as ConvGeometry (n, c, h, w, o, kh, kw, sh, sw, pt, pl, dh, dw, groups, oh, ow). */
    private static final ConvGeometry[] GEOMETRIES = {
        new ConvGeometry(1, 3, 14, 14, 2, 4, 4, 2, 2, 1, 1, 1, 1, 1, 7, 7),   // the DCGAN's stride-2 4×4 layers
        new ConvGeometry(1, 2, 28, 28, 2, 4, 4, 2, 2, 1, 1, 1, 1, 1, 14, 14),
        new ConvGeometry(1, 2, 11, 9, 2, 3, 3, 3, 2, 0, 2, 2, 1, 1, 3, 6),    // stride 3×2, dilation 2×1, left padding only
        new ConvGeometry(1, 1, 13, 13, 2, 7, 7, 2, 2, 3, 3, 1, 1, 1, 7, 7),   // a ResNet-style 7×7 stride-2 stem
        new ConvGeometry(1, 2, 10, 10, 2, 3, 3, 2, 2, 0, 0, 1, 1, 1, 4, 4),   // the last input row and column are not read
        new ConvGeometry(1, 2, 6, 7, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 6, 7),     // stride 1, "same": whole-plane runs
        new ConvGeometry(1, 2, 6, 7, 2, 2, 3, 2, 1, 0, 0, 1, 1, 1, 3, 5),     // row stride only
    };

    private static double input(ConvGeometry g, double[] x, int ch, int ih, int iw) {
        return ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w() ? 0 : x[(ch * g.h() + ih) * g.w() + iw];
    }

    /** An entry of col: its index (rows ld apart), channel, and the input row and column it reads. */
    private interface Entry {
        void at(int index, int channel, int ih, int iw);
    }

    /** Visits the entries of col in the order (c, i, j, y, q). */
    private static void forEachEntry(ConvGeometry g, int ld, Entry e) {
        for (int ch = 0; ch < g.c(); ch++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++) {
                    int row = (ch * g.kh() + i) * g.kw() + j;
                    for (int y = 0; y < g.oh(); y++) {
                        for (int q = 0; q < g.ow(); q++) {
                            e.at(row * ld + y * g.ow() + q, ch, y * g.sh() - g.pt() + i * g.dh(), q * g.sw() - g.pl() + j * g.dw());
                        }
                    }
                }
            }
        }
    }

    @Test
    void im2colAndCol2imFollowTheirDefinitions() {
        Random r = new Random(7);
        for (KernelProvider provider : new KernelProvider[] {KernelProvider.scalar(), KernelProvider.panama()}) {
            Im2col ic = provider.im2col();
            for (ConvGeometry g : GEOMETRIES) {
                for (int ld : new int[] {g.ohw(), g.ohw() + 5}) {
                    int rows = g.c() * g.kh() * g.kw(), xOff = 3, colOff = 2;
                    double[] xd = new double[g.c() * g.h() * g.w()];
                    for (int i = 0; i < xd.length; i++) xd[i] = (float) r.nextGaussian();
                    float[] xf = new float[xOff + xd.length];
                    double[] xdo = new double[xOff + xd.length];
                    for (int i = 0; i < xd.length; i++) xdo[xOff + i] = xf[xOff + i] = (float) xd[i];
                    float[] colF = new float[colOff + rows * ld];
                    double[] colD = new double[colOff + rows * ld];
                    ic.im2col(xf, xOff, colF, colOff, ld, g);
                    ic.im2col(xdo, xOff, colD, colOff, ld, g);
                    String where = provider.name() + " " + g + " ld=" + ld;
                    forEachEntry(g, ld, (at, ch, ih, iw) -> {
                        double v = input(g, xd, ch, ih, iw);
                        assertEquals(v, colF[colOff + at], 0, "im2col float32 " + where);
                        assertEquals(v, colD[colOff + at], 0, "im2col float64 " + where);
                    });
                    // col2im onto a non-zero input: the definition's sums in the same order
                    for (int k = 0; k < colD.length; k++) colD[k] = colF[k] = (float) r.nextGaussian();
                    float[] yf = xf.clone(), expectF = xf.clone();
                    double[] yd = xdo.clone(), expectD = xdo.clone();
                    ic.col2im(colF, colOff, ld, yf, xOff, g);
                    ic.col2im(colD, colOff, ld, yd, xOff, g);
                    forEachEntry(g, ld, (at, ch, ih, iw) -> {
                        if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) return;
                        int to = xOff + (ch * g.h() + ih) * g.w() + iw;
                        expectF[to] += colF[colOff + at];
                        expectD[to] += colD[colOff + at];
                    });
                    for (int k = 0; k < yf.length; k++) {
                        assertEquals(Float.floatToRawIntBits(expectF[k]), Float.floatToRawIntBits(yf[k]), "col2im float32 " + where + " at " + k);
                        assertEquals(Double.doubleToRawLongBits(expectD[k]), Double.doubleToRawLongBits(yd[k]), "col2im float64 " + where + " at " + k);
                    }
                }
            }
        }
    }
}
