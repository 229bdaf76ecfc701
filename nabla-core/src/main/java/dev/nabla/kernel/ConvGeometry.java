package dev.nabla.kernel;

/**
 * The sizes of one convolution y = conv(x, w): x [n, c, h, w], w [o, c/groups, kh, kw],
 * y [n, o, oh, ow]; padding top pt and left pl (bottom and right follow from oh and ow).
 */
public record ConvGeometry(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int pt, int pl,
                           int dh, int dw, int groups, int oh, int ow) {
    public int cg() {
        return c / groups;
    }

    public int og() {
        return o / groups;
    }

    /** Rows of one group's im2col matrix: c/groups·kh·kw. */
    public int kg() {
        return c / groups * kh * kw;
    }

    public int ohw() {
        return oh * ow;
    }

    /** True when im2col is the identity (1×1 kernel, stride 1, no padding). */
    public boolean pointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
    }

    public int[] inputShape() {
        return new int[] {n, c, h, w};
    }

    public int[] weightShape() {
        return new int[] {o, c / groups, kh, kw};
    }

    public int[] outputShape() {
        return new int[] {n, o, oh, ow};
    }

    public long workPerExample() {
        return (long) o * kg() * ohw();
    }
}
