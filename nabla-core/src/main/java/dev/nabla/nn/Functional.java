package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;

/**
 * The stateless functions behind the layers (torch.nn.functional): linear, dropout, dropout2d,
 * batchNorm, erf and the activations Tensor lacks (ELU, GELU). All but linear on a batch of
 * vectors and training-mode batchNorm (fused ops, equal to their composites) are composed of
 * differentiable tensor ops, so their gradients (of any order) come from autograd.
 */
public final class Functional {
    private Functional() {}

    /**
     * y = x·Wᵀ + b for W of shape [out, in] and b of shape [out] (b may be null): one node of the
     * tape for x of shape [batch, in], the same bits as x.matmul(W.t()).add(b), which other
     * shapes get.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Internals.get().linear(x, weight, bias);
    }

    /**
     * Inverted dropout: in training, each element is zeroed with probability p and the others are
     * scaled by 1/(1−p), so the expected value is unchanged; outside training (or p = 0), x itself.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator gen) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: probability " + p + " must be in [0, 1)");
        }
        if (!training || p == 0) return x;
        Tensor keep = Tensor.rand(gen, x.dtype(), x.shape()).ge(p);
        return x.mul(keep.div(1 - p));
    }

    /**
     * Channel-wise inverted dropout for [N, C, ...]: in training, each channel of each example is
     * zeroed with probability p and the others scaled by 1/(1−p); outside training, x itself.
     */
    public static Tensor dropout2d(Tensor x, double p, boolean training, Generator gen) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout2d: probability " + p + " must be in [0, 1)");
        }
        if (x.dim() < 2) {
            throw new IllegalArgumentException("dropout2d: input of shape " + Shape.str(x.shape()) + " needs a batch and a channel dim");
        }
        if (!training || p == 0) return x;
        int[] maskShape = new int[x.dim()];
        java.util.Arrays.fill(maskShape, 1);
        maskShape[0] = x.size(0);
        maskShape[1] = x.size(1);
        Tensor keep = Tensor.rand(gen, x.dtype(), maskShape).ge(p);
        return x.mul(keep.div(1 - p));
    }

    /**
     * Batch normalization over dim 1 (channels) of [N, C, ...], as torch.nn.functional.batch_norm.
     * Training: normalizes by the batch mean and biased variance, and (when given) moves the
     * running statistics towards the batch's, running = (1 − momentum)·running + momentum·batch,
     * with the unbiased variance for runningVar. Otherwise: normalizes by runningMean and
     * runningVar. Then y·weight + bias (either may be null). Training runs as one op
     * (a fused op); evaluation is x·scale + shift with per-channel scale and shift, as
     * in PyTorch. Differentiable to any order.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (x.dim() < 2) {
            throw new IllegalArgumentException("batchNorm: input of shape " + Shape.str(x.shape()) + " needs a batch and a channel dim");
        }
        int c = x.size(1);
        int[] perChannel = new int[x.dim()];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = c;
        if (!training) {
            if (runningMean == null || runningVar == null) {
                throw new IllegalArgumentException("batchNorm: evaluation needs the running mean and variance");
            }
            // two passes over x instead of four; scale and shift are per channel, so cheap
            Tensor scale = runningVar.add(eps).sqrt().reciprocal();
            if (weight != null) scale = scale.mul(weight);
            Tensor shift = runningMean.mul(scale).neg();
            if (bias != null) shift = shift.add(bias);
            return x.mul(scale.reshape(perChannel)).add(shift.reshape(perChannel));
        }
        int n = x.numel() / Math.max(c, 1);
        if (n <= 1) {
            throw new IllegalArgumentException("Expected more than 1 value per channel when training, got input size "
                    + Shape.str(x.shape()));
        }
        // one fused op, or (weight or bias of another type) the composite it stands for, with type promotion
        Internals.BatchNorm bn = Internals.get().batchNorm(x, weight, bias, eps);
        Tensor y = bn.y(), mean = bn.mean(), var = bn.var();
        if (runningMean != null && runningVar != null) {
            try (var s = GradMode.noGrad()) {
                runningMean.mulInPlace(1 - momentum).addInPlace(mean.detach().reshape(c).mul(momentum));
                runningVar.mulInPlace(1 - momentum).addInPlace(var.detach().reshape(c).mul(momentum * n / (n - 1.0)));
            }
        }
        return y;
    }

    /** ELU: x for x &gt; 0, α(eˣ − 1) otherwise. */
    public static Tensor elu(Tensor x, double alpha) {
        // exp of min(x, 0): the unused branch never overflows, so its zero gradient is never 0·∞.
        Tensor negative = x.clampMax(0).exp().sub(1).mul(alpha);
        return Tensor.where(x.gt(0), x, negative);
    }

    /**
     * Exact GELU, PyTorch's default: x·Φ(x) = ½x(1 + erf(x/√2)), with {@link #erf} (error below
     * 1e-15 in float64).
     */
    public static Tensor gelu(Tensor x) {
        return x.mul(erf(x.mul(1 / Math.sqrt(2))).add(1)).mul(0.5);
    }

    /** The tanh approximation of GELU (PyTorch's approximate='tanh'): ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    public static Tensor geluTanh(Tensor x) {
        Tensor inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(inner.tanh().add(1)).mul(0.5);
    }

    // f(t) = log(erfc(u)/t) + u² for t = 1/(1 + u/2), u ≥ 0, as a Chebyshev series in y = 2t − 1 on
    // [−1, 1], interpolated at 60 Chebyshev nodes in 40-digit arithmetic (mpmath) and truncated where
    // the coefficients fall below 2e-16; f is analytic on [0, 1], so the series converges geometrically.
    private static final double[] ERFC_CHEB = {
            -6.5132685989085472E-1, 6.4196979235649026E-1, 1.9476473204185836E-2, -9.5615147868086316E-3,
            -9.4659534448203687E-4, 3.6683949785276145E-4, 4.2523324806907772E-5, -2.0278578112534243E-5,
            -1.6242900046470255E-6, 1.3036558355805232E-6, 1.5626441722066143E-8, -8.5238095914926543E-8,
            6.5290544390988515E-9, 5.0593434955514689E-9, -9.9136415649303309E-10, -2.2736512229318359E-10,
            9.6467911020155268E-11, 2.3940380830391147E-12, -6.8860275264975534E-12, 8.9448792730907257E-13,
            3.1309213993429581E-13, -1.1270822361367252E-13, 3.8109052551892321E-16, 7.106097613609237E-15,
            -1.5230282014571043E-15,
    };
    private static final int ERFC_TERMS_FLOAT32 = 15; // the tail beyond is < 4e-10, far below float32's epsilon

    /**
     * The error function erf(x) = 2/√π ∫₀ˣ e^(−s²) ds, composed of differentiable ops: for u = |x|,
     * erfc(u) = t·exp(−u² + f(t)) with t = 1/(1 + u/2) and f a Chebyshev series (25 terms in
     * float64, 15 in float32), and erf(x) = sign(x)(1 − erfc(u)). Absolute error below 1e-15 in
     * float64 over the whole real line (tested against an independent series); its derivative
     * matches 2/√π·e^(−x²) to about 1e-13, including at x = 0.
     */
    public static Tensor erf(Tensor x) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("erf: needs a float tensor, got " + x.dtype() + " of shape " + Shape.str(x.shape()));
        }
        Tensor s = x.ge(0).mul(2).sub(1); // ±1, a constant: |x| = s·x has derivative s, also at 0
        Tensor u = x.mul(s);
        Tensor t = u.mul(0.5).add(1).reciprocal();
        Tensor y = t.mul(2).sub(1);
        int terms = x.dtype() == DType.FLOAT32 ? ERFC_TERMS_FLOAT32 : ERFC_CHEB.length;
        // Clenshaw: b_k = c_k + 2y·b_{k+1} − b_{k+2}; f = c_0 + y·b_1 − b_2.
        Tensor b1 = null, b2 = null;
        Tensor y2 = y.mul(2);
        for (int k = terms - 1; k >= 1; k--) {
            Tensor b = b1 == null ? y.zerosLike().add(ERFC_CHEB[k]) : y2.mul(b1).add(ERFC_CHEB[k]);
            if (b2 != null) b = b.sub(b2);
            b2 = b1;
            b1 = b;
        }
        Tensor f = y.mul(b1).add(ERFC_CHEB[0]).sub(b2);
        Tensor erfc = t.mul(f.sub(u.mul(u)).exp());
        return erfc.rsub(1).mul(s);
    }
}
