package dev.nabla.kernel;

/** The sizes of one pooling: x [n, c, h, w] → [n, c, oh, ow]. */
public record PoolGeometry(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow,
                           boolean countIncludePad) {
    public int[] inputShape() {
        return new int[] {n, c, h, w};
    }

    public int[] outputShape() {
        return new int[] {n, c, oh, ow};
    }

    /** 2×2 windows at stride 2 inside the input (a clipped ceil-mode window goes the general way). */
    public boolean twoByTwo() {
        return kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && 2 * oh <= h && 2 * ow <= w;
    }
}
