package dev.nabla.kernel;

/**
 * The Adam update of one parameter in a single pass over its elements (PyTorch's operation
 * order, each operation rounded to the element type, so the result is bitwise that of the
 * composite in-place ops it replaces): per element,
 * <pre>
 * m ← m·β₁ + g·(1 − β₁);  v ← v·β₂ + (g·(1 − β₂))·g;  p ← p + m·(−stepSize) / (√v / √(1 − β₂ᵗ) + eps)
 * </pre>
 * Fifteen passes and two temporaries become one pass: on the MLP benchmark the optimizer step
 * went from about 1.6 ms to 0.2 ms. float32 only: float64 parameters (gradchecks, small science
 * problems) take the composite ops, which give the same bits. Chunks of a fixed size run on the shared pool,
 * each through the provider's {@link Elementwise#adam}: the scalar one is {@link #loop}, which C2
 * vectorizes by itself; the Panama one is the same operations on the Vector API.
 */
public final class AdamKernel {
    /**
     * Elements per parallel chunk (any cut gives the same bits: each element is updated alone). At
     * 2^16 the mlp's 784×256 weight was 3 chunks and a bit, 2 on one thread and 1 on the other, and
     * its 256×128 one a single chunk: the step took 92-103 µs on 2 threads, 60-65 at 2^14 (1 thread:
     * 109-126 µs either way).
     */
    private static final int GRAIN = 1 << 14;

    private final Elementwise elementwise;

    AdamKernel(Elementwise elementwise) {
        this.elementwise = elementwise;
    }

    /** Updates p, m, v (elements [off, off + n) of each array) in place. */
    public void step(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                            double beta1, double beta2, double biasCorrection2Sqrt, double eps, double stepSize) {
        float b1 = (float) beta1, c1 = (float) (1 - beta1), b2 = (float) beta2, c2 = (float) (1 - beta2);
        float bc = (float) biasCorrection2Sqrt, e = (float) eps, s = (float) -stepSize;
        if (po == go && po == mo && po == vo) {
            Parallel.forRange(n, GRAIN, (from, to) -> elementwise.adam(p, g, m, v, po + from, po + to, b1, c1, b2, c2, bc, e, s));
        } else {
            Parallel.forRange(n, GRAIN, (from, to) -> loop(p, po + from, g, go + from, m, mo + from, v, vo + from, to - from,
                    b1, c1, b2, c2, bc, e, s));
        }
    }

    // One index for the four arrays: C2 vectorizes this loop (with four different offsets it does
    // not, as it cannot rule out overlap: 3x slower). The usual case: every tensor owns its array.
    static void loop(float[] p, float[] g, float[] m, float[] v, int from, int to,
                             float b1, float c1, float b2, float c2, float bc, float e, float s) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float mi = m[i] * b1 + gi * c1;
            float vi = v[i] * b2 + gi * c2 * gi;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) / bc + e;
            p[i] = p[i] + mi * s / denom;
        }
    }

    private static void loop(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                             float b1, float c1, float b2, float c2, float bc, float e, float s) {
        for (int i = 0; i < n; i++) {
            float gi = g[go + i];
            float mi = m[mo + i] * b1 + gi * c1;
            float vi = v[vo + i] * b2 + gi * c2 * gi;
            m[mo + i] = mi;
            v[vo + i] = vi;
            float denom = (float) Math.sqrt(vi) / bc + e;
            p[po + i] = p[po + i] + mi * s / denom;
        }
    }
}
