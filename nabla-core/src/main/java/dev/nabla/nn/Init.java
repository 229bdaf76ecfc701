package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;

/**
 * Weight initializers, as torch.nn.init: each fills a tensor in place, without recording
 * gradients, and returns it. Random ones draw from the {@link Generator} given, or from
 * {@link Generator#global()} at the time of the call. Fans are computed as PyTorch does: for a
 * weight of shape [out, in, k...], fan_in = in·Πk and fan_out = out·Πk.
 *
 * <p>Defaults per layer: {@link Linear} uses PyTorch's default, {@code kaimingUniform(w, √5,
 * FAN_IN, LEAKY_RELU)}, i.e. U(−1/√in, 1/√in), and the bias U(−1/√in, 1/√in). Re-initialize a
 * network with {@link Layer#apply}, e.g.
 * {@code net.apply(m -> { if (m instanceof Linear l) { Init.xavierUniform(l.weight()); Init.zeros(l.bias()); } })}.
 * Constant initialization ({@link #constant}) is allowed on purpose: it shows the
 * weight-symmetry problem.
 */
public final class Init {
    private Init() {}

    /** Which fan {@link #kaimingUniform}/{@link #kaimingNormal} scale by: FAN_IN keeps the forward variance, FAN_OUT the backward one. */
    public enum FanMode { FAN_IN, FAN_OUT }

    /** The nonlinearity following a layer, for {@link #calculateGain}. */
    public enum Nonlinearity { LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU, SELU }

    /**
     * The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain: linear and
     * sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+slope²)) (param = negative slope, NaN for
     * PyTorch's default 0.01), selu 3/4.
     */
    public static double calculateGain(Nonlinearity nonlinearity, double param) {
        return switch (nonlinearity) {
            case LINEAR, SIGMOID -> 1.0;
            case TANH -> 5.0 / 3.0;
            case RELU -> Math.sqrt(2.0);
            case LEAKY_RELU -> {
                double slope = Double.isNaN(param) ? 0.01 : param;
                yield Math.sqrt(2.0 / (1 + slope * slope));
            }
            case SELU -> 0.75;
        };
    }

    /** {@link #calculateGain(Nonlinearity, double)} with the default parameter. */
    public static double calculateGain(Nonlinearity nonlinearity) {
        return calculateGain(nonlinearity, Double.NaN);
    }

    /** {fan_in, fan_out} of a weight of rank ≥ 2: [out, in, receptive field...]. */
    public static int[] fans(Tensor t) {
        int[] s = t.shape();
        if (s.length < 2) {
            throw new IllegalArgumentException("Init: fan in and fan out cannot be computed for a tensor of shape "
                    + Shape.str(s) + " (fewer than 2 dims); use uniform, normal or constant for biases");
        }
        int receptive = 1;
        for (int d = 2; d < s.length; d++) receptive *= s[d];
        return new int[] {s[1] * receptive, s[0] * receptive};
    }

    private static int fan(String op, Tensor t, FanMode mode) {
        int[] f = fans(t);
        int n = mode == FanMode.FAN_IN ? f[0] : f[1];
        if (n == 0) throw new IllegalArgumentException("Init." + op + ": " + mode + " is 0 for shape " + Shape.str(t.shape()));
        return n;
    }

    private static Tensor fill(String op, Tensor t, Tensor values) {
        if (!t.dtype().isFloating()) throw new IllegalArgumentException("Init." + op + ": cannot initialize a " + t.dtype() + " tensor");
        try (var s = GradMode.noGrad()) {
            t.copyFrom(values);
        }
        return t;
    }

    // ---------------------------------------------------------------- plain

    /** U(a, b) in place. */
    public static Tensor uniform(Tensor t, double a, double b, Generator gen) {
        if (!(a <= b)) throw new IllegalArgumentException("Init.uniform: a " + a + " must be <= b " + b);
        return fill("uniform", t, Tensor.uniform(gen, t.dtype(), a, b, t.shape()));
    }

    /** U(a, b) in place, from the global generator. */
    public static Tensor uniform(Tensor t, double a, double b) {
        return uniform(t, a, b, Generator.global());
    }

    /** N(mean, std²) in place. */
    public static Tensor normal(Tensor t, double mean, double std, Generator gen) {
        if (!(std >= 0)) throw new IllegalArgumentException("Init.normal: std " + std + " must be >= 0");
        return fill("normal", t, Tensor.normal(gen, t.dtype(), mean, std, t.shape()));
    }

    /** N(mean, std²) in place, from the global generator. */
    public static Tensor normal(Tensor t, double mean, double std) {
        return normal(t, mean, std, Generator.global());
    }

    /** Every element set to value (all weights equal: the weight-symmetry demo). */
    public static Tensor constant(Tensor t, double value) {
        return fill("constant", t, Tensor.scalar(t.dtype(), value));
    }

    /** Zeros in place. */
    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    /** Ones in place. */
    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    // ---------------------------------------------------------------- Xavier / Glorot

    /** Glorot uniform: U(−a, a) with a = gain·√(6/(fan_in+fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain, Generator gen) {
        int[] f = fans(t);
        double a = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return fill("xavierUniform", t, Tensor.uniform(gen, t.dtype(), -a, a, t.shape()));
    }

    /** Glorot uniform with gain 1 from the global generator. */
    public static Tensor xavierUniform(Tensor t) {
        return xavierUniform(t, 1.0, Generator.global());
    }

    /** Glorot normal: N(0, std²) with std = gain·√(2/(fan_in+fan_out)). */
    public static Tensor xavierNormal(Tensor t, double gain, Generator gen) {
        int[] f = fans(t);
        double std = gain * Math.sqrt(2.0 / (f[0] + f[1]));
        return fill("xavierNormal", t, Tensor.normal(gen, t.dtype(), 0, std, t.shape()));
    }

    /** Glorot normal with gain 1 from the global generator. */
    public static Tensor xavierNormal(Tensor t) {
        return xavierNormal(t, 1.0, Generator.global());
    }

    // ---------------------------------------------------------------- Kaiming / He

    /**
     * He uniform: U(−b, b) with b = √3·gain/√fan, gain = calculateGain(nonlinearity, a) (a: the
     * negative slope of a leaky ReLU).
     */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        double std = calculateGain(nonlinearity, a) / Math.sqrt(fan("kaimingUniform", t, mode));
        double bound = Math.sqrt(3.0) * std;
        return fill("kaimingUniform", t, Tensor.uniform(gen, t.dtype(), -bound, bound, t.shape()));
    }

    /** He uniform with PyTorch's defaults (a = 0, FAN_IN, LEAKY_RELU: gain √2) from the global generator. */
    public static Tensor kaimingUniform(Tensor t) {
        return kaimingUniform(t, 0, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, Generator.global());
    }

    /** He normal: N(0, std²) with std = gain/√fan. */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        double std = calculateGain(nonlinearity, a) / Math.sqrt(fan("kaimingNormal", t, mode));
        return fill("kaimingNormal", t, Tensor.normal(gen, t.dtype(), 0, std, t.shape()));
    }

    /** He normal with PyTorch's defaults (a = 0, FAN_IN, LEAKY_RELU) from the global generator. */
    public static Tensor kaimingNormal(Tensor t) {
        return kaimingNormal(t, 0, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, Generator.global());
    }
}
