package dev.nabla.cli;

import dev.nabla.nn.Init;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.BackpropTrace;
import dev.nabla.train.BackpropTrace.TracedLayer;
import dev.nabla.train.BackpropTrace.LossKind;
import dev.nabla.train.BackpropTrace.Result;
import java.util.Locale;

/**
 * The text of {@code nabla explain}: the course's two-layer example written out as the chain
 * rule ({@link #course}), the exercise sheet's ReLU/softmax forward pass ({@link #sheet}) and
 * the layer-by-layer trace of any small network ({@link #network}). The figures come from
 * {@link BackpropTrace}, which computes them by hand and by autograd.
 */
public final class Explain {
    /** The sheet's first-layer weights, 3×2 (h = ReLU(xᵀW1)). */
    public static final double[][] SHEET_W1 = {{2, -1}, {1, -3}, {-2, 5}};
    /** The sheet's second-layer weights, 2×2 (o = softmax(hᵀW2)). */
    public static final double[][] SHEET_W2 = {{6, 2}, {-1, 8}};

    private Explain() {}

    /** The course's network: x → w1 → σ → w2 → σ, no biases, as a nabla Sequential. */
    public static Sequential courseNetwork(double w1, double w2) {
        Generator g = new Generator(0);
        Linear l1 = new Linear(1, 1, false, g), l2 = new Linear(1, 1, false, g);
        Init.constant(l1.weight(), w1);
        Init.constant(l2.weight(), w2);
        return new Sequential(l1, new Sigmoid(), l2, new Sigmoid());
    }

    /** The trace of the course's example: x = 1, w1 = 0.5, w2 = −1, y = 0.5, L = ½(y − ŷ)², lr 0.1. */
    public static Result courseTrace() {
        return BackpropTrace.run(courseNetwork(0.5, -1.0), new double[] {1.0}, new double[] {0.5},
                LossKind.HALF_SQUARED_ERROR, 0.1);
    }

    /** The course's two-layer example, forward, backward as the chain rule, update and the autograd check. */
    public static String course(Result r) {
        TracedLayer l1 = r.layers().get(0), l2 = r.layers().get(1);
        double x = r.x()[0], y = r.target()[0], w1 = l1.w()[0][0], w2 = l2.w()[0][0], lr = r.lr();
        double z1 = l1.z()[0], h = l1.a()[0], z2 = l2.z()[0], yHat = l2.a()[0];
        double dLdy = r.lossGradient()[0], s2 = l2.activationDerivative()[0], s1 = l1.activationDerivative()[0];
        double d2 = l2.delta()[0], d1 = l1.delta()[0], g2 = l2.gradW()[0][0], g1 = l1.gradW()[0][0];
        StringBuilder sb = new StringBuilder();
        line(sb, "The course's two-layer network, one example, one step of gradient descent:");
        line(sb, "  x = %s, w1 = %s, w2 = %s, target y = %s, sigmoid on both layers, no biases,", s(x), s(w1), s(w2), s(y));
        line(sb, "  loss L = ½(y − ŷ)², learning rate %s", s(lr));
        line(sb, "");
        line(sb, "Forward pass");
        row(sb, "z1 = w1·x", n(w1) + " · " + paren(x), z1);
        row(sb, "h  = σ(z1)", "1/(1 + e^(" + n(-z1) + "))", h);
        row(sb, "z2 = w2·h", n(w2) + " · " + paren(h), z2);
        row(sb, "ŷ  = σ(z2)", "1/(1 + e^(" + n(-z2) + "))", yHat);
        row(sb, "L  = ½(y − ŷ)²", "½(" + n(y) + " − " + n(yHat) + ")²", r.loss());
        line(sb, "");
        line(sb, "Backward pass: the chain rule");
        line(sb, "  ∂L/∂w2 = ∂L/∂ŷ · ∂ŷ/∂z2 · ∂z2/∂w2");
        line(sb, "  ∂L/∂w1 = ∂L/∂ŷ · ∂ŷ/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂w1");
        line(sb, " local derivatives");
        row(sb, "∂L/∂ŷ   = ŷ − y", n(yHat) + " − " + n(y), dLdy);
        row(sb, "∂ŷ/∂z2  = σ'(z2) = ŷ(1 − ŷ)", n(yHat) + " · " + n(1 - yHat), s2);
        row(sb, "∂z2/∂w2 = h", "", h);
        row(sb, "∂z2/∂h  = w2", "", w2);
        row(sb, "∂h/∂z1  = σ'(z1) = h(1 − h)", n(h) + " · " + n(1 - h), s1);
        row(sb, "∂z1/∂w1 = x", "", x);
        line(sb, " error signals δ^[l] = ∂L/∂z^[l] (each layer's δ reuses the one above)");
        row(sb, "δ2 = ∂L/∂ŷ · σ'(z2)", n(dLdy) + " · " + paren(s2), d2);
        row(sb, "δ1 = δ2 · w2 · σ'(z1)", n(d2) + " · " + paren(w2) + " · " + paren(s1), d1);
        line(sb, " parameter gradients");
        row(sb, "∂L/∂w2 = δ2 · h", n(d2) + " · " + paren(h), g2);
        row(sb, "∂L/∂w1 = δ1 · x", n(d1) + " · " + paren(x), g1);
        line(sb, "");
        line(sb, "Update: w ← w − lr·∂L/∂w, lr = %s", s(lr));
        row(sb, "w1 ← w1 − lr·∂L/∂w1", n(w1) + " − " + s(lr) + " · " + paren(g1), l1.newW()[0][0]);
        row(sb, "w2 ← w2 − lr·∂L/∂w2", n(w2) + " − " + s(lr) + " · " + paren(g2), l2.newW()[0][0]);
        line(sb, "");
        line(sb, "Check against nabla's autograd (the same network as float64 tensors, loss.backward()):");
        line(sb, "  %-14s %16s %16s %14s", "", "chain rule", "autograd", "|difference|");
        check(sb, "L", r.loss(), r.autogradLoss());
        check(sb, "δ2 = ∂L/∂z2", d2, l2.autogradDelta()[0]);
        check(sb, "δ1 = ∂L/∂z1", d1, l1.autogradDelta()[0]);
        check(sb, "∂L/∂w2", g2, l2.autogradW()[0][0]);
        check(sb, "∂L/∂w1", g1, l1.autogradW()[0][0]);
        check(sb, "∂L/∂x", r.inputGradient()[0], r.autogradInputGradient()[0]);
        verdict(sb, r);
        return sb.toString();
    }

    /**
     * The exercise sheet's forward pass for input x (3 values): u = xᵀW1, h = ReLU(u), v = hᵀW2,
     * o = softmax(v), every product written out, the predicted class (argmax) and a check
     * against nabla's tensor ops.
     */
    public static String sheet(double[] x) {
        if (x.length != 3) {
            throw new IllegalArgumentException("explain --sheet: the sheet's network has 3 inputs, got " + x.length
                    + " values; give e.g. --input 1,2,3");
        }
        StringBuilder sb = new StringBuilder();
        line(sb, "The exercise sheet's network: 3 inputs → 2 ReLU units → 2 softmax outputs, no biases");
        line(sb, "  W1 = %s (3×2), W2 = %s (2×2)", matrix(SHEET_W1), matrix(SHEET_W2));
        line(sb, "  h = ReLU(xᵀW1), o = softmax(hᵀW2), x = %s", vector(x));
        line(sb, "");
        double[] u = new double[2], h = new double[2];
        line(sb, "Hidden layer: u = xᵀW1, h = ReLU(u) = max(u, 0)");
        for (int j = 0; j < 2; j++) {
            StringBuilder terms = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                u[j] += x[i] * SHEET_W1[i][j];
                if (i > 0) terms.append(" + ");
                terms.append(n(x[i])).append('·').append(paren(SHEET_W1[i][j]));
            }
            h[j] = Math.max(u[j], 0);
            line(sb, "  u%d = %s = %s", j + 1, terms, n(u[j]));
        }
        line(sb, "  h  = ReLU(%s) = %s", vector(u), vector(h));
        line(sb, "");
        double[] v = new double[2];
        line(sb, "Output layer: v = hᵀW2, o = softmax(v)");
        for (int j = 0; j < 2; j++) {
            StringBuilder terms = new StringBuilder();
            for (int i = 0; i < 2; i++) {
                v[j] += h[i] * SHEET_W2[i][j];
                if (i > 0) terms.append(" + ");
                terms.append(n(h[i])).append('·').append(paren(SHEET_W2[i][j]));
            }
            line(sb, "  v%d = %s = %s", j + 1, terms, n(v[j]));
        }
        double max = Math.max(v[0], v[1]);
        double[] e = {Math.exp(v[0] - max), Math.exp(v[1] - max)};
        double sum = e[0] + e[1];
        double[] o = {e[0] / sum, e[1] / sum};
        line(sb, "  softmax, shifted by max(v) = %s so that exp cannot overflow (softmax(v + c) = softmax(v)):", n(max));
        line(sb, "  e = exp(v − %s) = (%s, %s), sum = %s", n(max), n(e[0]), n(e[1]), n(sum));
        line(sb, "  o = e / sum = %s", vector(o));
        int cls = o[1] > o[0] ? 1 : 0;
        line(sb, "");
        line(sb, "Predicted class: %d (argmax of o, counting from 1; index %d), probability %s", cls + 1, cls, n(o[cls]));

        Tensor xt = Tensor.of(x.clone()), w1 = Tensor.of(SHEET_W1), w2 = Tensor.of(SHEET_W2);
        Tensor ht = xt.matmul(w1).relu();
        Tensor ot = ht.matmul(w2).softmax(0);
        double diff = Math.max(maxDiff(h, ht.toDoubleArray()), maxDiff(o, ot.toDoubleArray()));
        line(sb, "Check: nabla's x.matmul(W1).relu().matmul(W2).softmax(0) gives o = %s (max |difference| %.1e), argmax %d",
                vector(ot.toDoubleArray()), diff, (long) ot.argmax().item());
        return sb.toString();
    }

    /**
     * The layer-by-layer trace of a network: for each layer z, a and f'(z); then the loss, each
     * layer's δ and gradients, the update, and the comparison with autograd. Vectors and
     * matrices longer than a few entries are shortened with "…".
     */
    public static String network(String title, Result r) {
        StringBuilder sb = new StringBuilder();
        int nl = r.layers().size();
        line(sb, "%s", title);
        line(sb, "  x = %s, target y = %s, loss L = %s, learning rate %s", vector(r.x()), vector(r.target()),
                r.lossKind().formula(), s(r.lr()));
        line(sb, "");
        line(sb, "Forward pass: z^[l] = W^[l] a^[l−1] + b^[l], a^[l] = f(z^[l]), a^[0] = x");
        for (TracedLayer l : r.layers()) {
            int k = l.index();
            line(sb, " layer %d: %d → %d, %s%s", k, l.w()[0].length, l.w().length, l.activation(), l.b() == null ? ", no bias" : "");
            line(sb, "  z^[%d] = %s", k, vector(l.z()));
            line(sb, "  a^[%d] = %s(z^[%d]) = %s", k, l.activation(), k, vector(l.a()));
        }
        line(sb, "  L = %s = %s", r.lossKind().formula(), n(r.loss()));
        line(sb, "");
        line(sb, "Backward pass: δ^[l] = ∂L/∂z^[l]");
        String dL = r.lossKind() == LossKind.MSE ? "2(ŷ − y)/n" : "ŷ − y";
        line(sb, "  ∂L/∂a^[%d] = %s = %s", nl, dL, vector(r.lossGradient()));
        for (int i = nl - 1; i >= 0; i--) {
            TracedLayer l = r.layers().get(i);
            int k = l.index();
            line(sb, " layer %d", k);
            line(sb, "  f'(z^[%d]) = %s", k, vector(l.activationDerivative()));
            if (k == nl) line(sb, "  δ^[%d] = ∂L/∂a^[%d] ⊙ f'(z^[%d]) = %s", k, k, k, vector(l.delta()));
            else line(sb, "  δ^[%d] = (W^[%d]ᵀ δ^[%d]) ⊙ f'(z^[%d]) = %s", k, k + 1, k + 1, k, vector(l.delta()));
            line(sb, "  ∂L/∂W^[%d] = δ^[%d] a^[%d]ᵀ = %s", k, k, k - 1, matrix(l.gradW()));
            if (l.gradB() != null) line(sb, "  ∂L/∂b^[%d] = δ^[%d] = %s", k, k, vector(l.gradB()));
        }
        line(sb, "  ∂L/∂x = W^[1]ᵀ δ^[1] = %s", vector(r.inputGradient()));
        line(sb, "");
        line(sb, "Update: W ← W − lr·∂L/∂W, lr = %s", s(r.lr()));
        for (TracedLayer l : r.layers()) {
            line(sb, "  W^[%d] → %s", l.index(), matrix(l.newW()));
            if (l.newB() != null) line(sb, "  b^[%d] → %s", l.index(), vector(l.newB()));
        }
        line(sb, "");
        verdict(sb, r);
        return sb.toString();
    }

    private static void verdict(StringBuilder sb, Result r) {
        boolean ok = r.maxDifference() <= 1e-12 * Math.max(1, Math.abs(r.loss()));
        line(sb, "Chain rule and autograd agree on every δ, gradient and the loss: %s (largest difference %.1e)",
                ok ? "yes" : "NO", r.maxDifference());
    }

    private static void check(StringBuilder sb, String what, double hand, double auto) {
        line(sb, "  %-14s %16s %16s %14.1e", what, n(hand), n(auto), Math.abs(hand - auto));
    }

    private static void row(StringBuilder sb, String formula, String numbers, double value) {
        line(sb, "  %-28s %s %-34s = %s", formula, numbers.isEmpty() ? " " : "=", numbers, n(value));
    }

    private static void line(StringBuilder sb, String format, Object... args) {
        sb.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    /** A figure: whole numbers plainly, others with 10 decimals (or in scientific notation when tiny or huge). */
    static String n(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        double a = Math.abs(v);
        if (Double.isFinite(v) && new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().scale() <= 4) {
            return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString(); // short exact inputs: 0.5, -0.25
        }
        if (a >= 1e-4 && a < 1e6) return String.format(Locale.ROOT, "%.10f", v);
        return String.format(Locale.ROOT, "%.6e", v);
    }

    private static String s(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%.1f", v) : String.valueOf(v);
    }

    private static String paren(double v) {
        return v < 0 ? "(" + n(v) + ")" : n(v);
    }

    private static final int SHOW = 6;

    static String vector(double[] v) {
        return vector(v, SHOW);
    }

    private static String vector(double[] v, int show) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            if (i == show && v.length > show + 1) {
                sb.append(", …, ").append(n(v[v.length - 1]));
                break;
            }
            if (i > 0) sb.append(", ");
            sb.append(n(v[i]));
        }
        return sb.append(')').toString();
    }

    static String matrix(double[][] m) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < m.length; i++) {
            if (i == 3 && m.length > 4) {
                sb.append(", … (").append(m.length).append(" rows)");
                break;
            }
            if (i > 0) sb.append(", ");
            sb.append(vector(m[i], 4).replace('(', '[').replace(')', ']'));
        }
        return sb.append(']').toString();
    }

    private static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
