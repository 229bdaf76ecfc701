package dev.nabla.tensor;

import dev.nabla.kernel.BatchNormKernel;
import dev.nabla.kernel.KernelProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training-mode batch normalization over dim 1 of [N, C, …] as one op, y = x̂·γ + β with
 * x̂ = (x − mean)/√(var + eps) and the batch's per-channel mean and biased variance, computed by
 * {@link BatchNormKernel} in a few passes (the composite of mean, sub, div, … took more than twenty
 * and as many temporaries, the largest cost of a CNN's training step with batch norm).
 *
 * <p>Its first derivatives are the closed forms dβ = Σg, dγ = Σg·x̂ and
 * dx = γ/√(var + eps)·(g − mean(g) − x̂·mean(g·x̂)), by the kernel too. When gradients are taken
 * with createGraph, the same formulas are built from differentiable ops instead (recomputing the
 * statistics from x), so derivatives of any order are still right. {@link #reference} is the
 * composite the op stands for (the tests check that both agree); callers use it for the cases the
 * fused op declines.
 */
final class BatchNormOp {
    private static final BatchNormKernel BN = KernelProvider.get().batchNorm();

    private BatchNormOp() {}

    /** y, and the batch mean and biased variance per channel (of x's type, not recorded). */
    record Result(Tensor y, Tensor mean, Tensor var) {}

    // What the derivative rule needs beyond the saved x and weight.
    private record State(Grads grads, double eps, boolean weight) {}

    /**
     * Normalizes x (floating, rank ≥ 2) by its batch statistics, then scales by weight and shifts
     * by bias (each [C] or null). Returns null, computing nothing, when weight or bias is of
     * another type or shape than [C] of x's type: the caller then composes the op.
     */
    static Result train(Tensor x, Tensor weight, Tensor bias, double eps) {
        DType dt = x.dtype();
        int c = x.size(1);
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p != null && (p.dtype() != dt || !Arrays.equals(p.shape, new int[] {c}))) return null;
        }
        if (!dt.isFloating()) return null;
        int n = x.size(0), s = x.numel() / Math.max(1, n * c);
        Tensor xc = x.contiguousRaw();
        double[] mean = new double[c], var = new double[c], invstd = new double[c], scale = new double[c], shift = new double[c];
        double[] w = weight == null ? null : weight.toDoubleArray(), b = bias == null ? null : bias.toDoubleArray();
        if (dt == DType.FLOAT32) BN.stats(xc.storage.f(), xc.offset, n, c, s, mean, var);
        else BN.stats(xc.storage.d(), xc.offset, n, c, s, mean, var);
        for (int ch = 0; ch < c; ch++) {
            invstd[ch] = 1 / Math.sqrt(var[ch] + eps);
            scale[ch] = w == null ? invstd[ch] : invstd[ch] * w[ch];
            shift[ch] = (b == null ? 0 : b[ch]) - mean[ch] * scale[ch];
        }
        Tensor y = Tensor.uninitialized(dt, x.shape); // the affine map writes every element
        if (dt == DType.FLOAT32) BN.affine(xc.storage.f(), xc.offset, n, c, s, scale, shift, y.storage.f());
        else BN.affine(xc.storage.d(), xc.offset, n, c, s, scale, shift, y.storage.d());

        List<Tensor> operands = new ArrayList<>(List.of(x));
        if (weight != null) operands.add(weight);
        if (bias != null) operands.add(bias);
        State state = new State(new Grads(xc, n, c, s, mean, invstd, w), eps, weight != null);
        Tensor out = Node.record(Op.BATCH_NORM, y, state, operands.toArray(Tensor[]::new));
        return new Result(out, perChannel(dt, mean), perChannel(dt, var));
    }

    /**
     * The derivative for input i (x, then weight and bias when given): by the kernel, or when
     * the backward pass is recorded (createGraph), composed of differentiable ops.
     */
    static Tensor backward(Node node, int i, Tensor g) {
        State st = node.attrs();
        Tensor x = node.in(0), weight = st.weight() ? node.in(1) : null;
        boolean recorded = GradMode.isEnabled();
        int c = x.size(1);
        if (i == 0) return recorded ? composedInputGrad(g, x, weight, st.eps()) : st.grads().input(g);
        if (i == 1 && weight != null) {
            return recorded ? g.mul(normalized(x, st.eps())).sumTo(perChannel(x)).reshape(c) : st.grads().weight(g);
        }
        return recorded ? g.sumTo(perChannel(x)).reshape(c) : st.grads().bias(g);
    }

    /**
     * The composite the op stands for, y = (x − mean)/√(var + eps)·γ + β with the batch's
     * statistics, for any types (promoting like the ops it is made of); weight and bias may be null.
     */
    static Result reference(Tensor x, Tensor weight, Tensor bias, double eps) {
        int[] dims = reducedDims(x);
        Tensor mean = x.mean(dims, true), centered = x.sub(mean);
        Tensor var = centered.mul(centered).mean(dims, true);
        Tensor y = centered.div(var.add(eps).sqrt());
        if (weight != null) y = y.mul(weight.reshape(perChannel(x)));
        if (bias != null) y = y.add(bias.reshape(perChannel(x)));
        return new Result(y, mean, var);
    }

    /** The first derivatives by the kernel; the sums over g are shared by the three, computed once per g. */
    private static final class Grads {
        final Tensor x;
        final int n, c, s;
        final double[] mean, invstd, w;
        private Tensor lastG;
        private double[] sumG, sumGC;

        Grads(Tensor x, int n, int c, int s, double[] mean, double[] invstd, double[] w) {
            this.x = x;
            this.n = n;
            this.c = c;
            this.s = s;
            this.mean = mean;
            this.invstd = invstd;
            this.w = w;
        }

        // g contiguous, and the sums Σg and Σg·(x − mean) for it
        private Tensor sums(Tensor g) {
            Tensor gc = g.contiguousRaw();
            if (g != lastG) {
                sumG = new double[c];
                sumGC = new double[c];
                if (x.dtype() == DType.FLOAT32) BN.gradSums(gc.storage.f(), gc.offset, x.storage.f(), x.offset, n, c, s, mean, sumG, sumGC);
                else BN.gradSums(gc.storage.d(), gc.offset, x.storage.d(), x.offset, n, c, s, mean, sumG, sumGC);
                lastG = g;
            }
            return gc;
        }

        Tensor input(Tensor g) {
            Tensor gc = sums(g);
            double m = (double) n * s;
            double[] gMean = new double[c], proj = new double[c], k = new double[c];
            for (int ch = 0; ch < c; ch++) {
                gMean[ch] = sumG[ch] / m;
                proj[ch] = sumGC[ch] / m * invstd[ch] * invstd[ch];
                k[ch] = w == null ? invstd[ch] : invstd[ch] * w[ch];
            }
            Tensor dx = Tensor.uninitialized(x.dtype(), x.shape);
            if (x.dtype() == DType.FLOAT32) {
                BN.inputGrad(gc.storage.f(), gc.offset, x.storage.f(), x.offset, n, c, s, mean, gMean, proj, k, dx.storage.f());
            } else {
                BN.inputGrad(gc.storage.d(), gc.offset, x.storage.d(), x.offset, n, c, s, mean, gMean, proj, k, dx.storage.d());
            }
            return dx;
        }

        Tensor weight(Tensor g) {
            sums(g);
            double[] d = new double[c];
            for (int ch = 0; ch < c; ch++) d[ch] = sumGC[ch] * invstd[ch];
            return perChannel(x.dtype(), d);
        }

        Tensor bias(Tensor g) {
            sums(g);
            return perChannel(x.dtype(), sumG);
        }
    }

    // The shape [1, C, 1, …] of a per-channel value broadcast against x.
    private static int[] perChannel(Tensor x) {
        int[] s = new int[x.dim()];
        Arrays.fill(s, 1);
        s[1] = x.size(1);
        return s;
    }

    private static int[] reducedDims(Tensor x) {
        int[] dims = new int[x.dim() - 1];
        for (int d = 0, j = 0; d < x.dim(); d++) if (d != 1) dims[j++] = d;
        return dims;
    }

    // x̂ from differentiable ops
    private static Tensor normalized(Tensor x, double eps) {
        int[] dims = reducedDims(x);
        Tensor centered = x.sub(x.mean(dims, true));
        return centered.div(centered.mul(centered).mean(dims, true).add(eps).sqrt());
    }

    // dx = γ/√(var + eps)·(g − mean(g) − x̂·mean(g·x̂)), differentiable in g, x and γ
    private static Tensor composedInputGrad(Tensor g, Tensor x, Tensor weight, double eps) {
        int[] dims = reducedDims(x);
        Tensor centered = x.sub(x.mean(dims, true));
        Tensor std = centered.mul(centered).mean(dims, true).add(eps).sqrt();
        Tensor xhat = centered.div(std);
        Tensor dx = g.sub(g.mean(dims, true)).sub(xhat.mul(g.mul(xhat).mean(dims, true))).div(std);
        return weight == null ? dx : dx.mul(weight.reshape(perChannel(x)));
    }

    private static Tensor perChannel(DType dt, double[] v) {
        Tensor t = Tensor.empty(dt, new int[] {v.length});
        for (int i = 0; i < v.length; i++) t.storage.set(i, v[i]);
        return t;
    }
}
