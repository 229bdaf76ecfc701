package dev.nabla.train;

import dev.nabla.nn.Identity;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Backpropagation written out for one example, twice: once by hand with the chain rule in plain
 * double arithmetic, the way a course derives it, and once by nabla's autograd, so the two can be
 * compared number by number.
 *
 * <p>The network is a {@link Sequential} of {@link Linear} layers, each optionally followed by a
 * {@link Sigmoid}, {@link Tanh}, {@link ReLU} or {@link Identity}. For layer l (1-based):
 * <pre>
 *   z^[l] = W^[l] a^[l−1] + b^[l],   a^[l] = f(z^[l]),   a^[0] = x
 *   δ^[L] = ∂L/∂a^[L] ⊙ f'(z^[L]),   δ^[l] = (W^[l+1]ᵀ δ^[l+1]) ⊙ f'(z^[l])
 *   ∂L/∂W^[l] = δ^[l] a^[l−1]ᵀ,       ∂L/∂b^[l] = δ^[l],        ∂L/∂x = W^[1]ᵀ δ^[1]
 * </pre>
 * δ^[l] = ∂L/∂z^[l] is the error signal at the pre-activation of layer l. The autograd side keeps
 * every z^[l] with {@link Tensor#retainGrad()} so that its gradient, autograd's δ, can be read.
 * Everything is float64; the model itself is not changed (the update is computed, not applied).
 */
public final class BackpropTrace {
    private BackpropTrace() {}

    /** The loss of one example. */
    public enum LossKind {
        /** ½ Σ (ŷ − y)²: the course's loss; ∂L/∂ŷ = ŷ − y. */
        HALF_SQUARED_ERROR("½ Σ (ŷ − y)²"),
        /** mean over the outputs of (ŷ − y)², nabla's mseLoss; ∂L/∂ŷ = 2(ŷ − y)/n. */
        MSE("mean (ŷ − y)²");

        private final String formula;

        LossKind(String formula) {
            this.formula = formula;
        }

        /** The loss as a formula, e.g. "½ Σ (ŷ − y)²". */
        public String formula() {
            return formula;
        }
    }

    /**
     * One layer of the trace: its weights, forward values, the derivative of its activation, its
     * δ, its gradients by hand and by autograd, and the weights after one gradient-descent step.
     * Matrices are [out][in]; b, gradB, autogradB and newB are null for a layer without bias.
     */
    public record TracedLayer(int index, String activation, double[][] w, double[] b, double[] z, double[] a,
                        double[] activationDerivative, double[] delta, double[][] gradW, double[] gradB,
                        double[] autogradDelta, double[][] autogradW, double[] autogradB, double[][] newW, double[] newB) {}

    /**
     * The whole trace: the input, the target, the layers, the loss and ∂L/∂a^[L] (by hand and the
     * loss by autograd), the input gradient ∂L/∂x by hand and by autograd, the learning rate, and
     * the largest absolute difference between any hand-computed figure and autograd's.
     */
    public record Result(double[] x, double[] target, LossKind lossKind, List<TracedLayer> layers, double loss,
                         double[] lossGradient, double autogradLoss, double[] inputGradient,
                         double[] autogradInputGradient, double lr, double maxDifference) {
        /** The network's output ŷ = a^[L]. */
        public double[] output() {
            return layers.get(layers.size() - 1).a();
        }
    }

    private record Spec(double[][] w, double[] b, String activation) {}

    /**
     * Traces one forward and backward pass of {@code model} on input x against target y, and one
     * gradient-descent step of rate lr.
     *
     * @throws IllegalArgumentException for a layer other than Linear followed by an optional
     *     sigmoid, tanh, relu or identity, or when x or y does not fit the network
     */
    public static Result run(Sequential model, double[] x, double[] target, LossKind lossKind, double lr) {
        List<Spec> specs = layers(model);
        int in = specs.get(0).w()[0].length, out = specs.get(specs.size() - 1).w().length;
        if (x.length != in) {
            throw new IllegalArgumentException("BackpropTrace: the input has " + x.length + " values, the network takes " + in);
        }
        if (target.length != out) {
            throw new IllegalArgumentException("BackpropTrace: the target has " + target.length + " values, the network gives " + out);
        }

        // forward by hand
        int n = specs.size();
        double[][] z = new double[n][], a = new double[n + 1][], fp = new double[n][];
        a[0] = x.clone();
        for (int l = 0; l < n; l++) {
            Spec s = specs.get(l);
            z[l] = new double[s.w().length];
            a[l + 1] = new double[z[l].length];
            fp[l] = new double[z[l].length];
            for (int i = 0; i < z[l].length; i++) {
                double v = s.b() == null ? 0 : s.b()[i];
                for (int j = 0; j < a[l].length; j++) v += s.w()[i][j] * a[l][j];
                z[l][i] = v;
                a[l + 1][i] = activate(s.activation(), v);
                fp[l][i] = derivative(s.activation(), v, a[l + 1][i]);
            }
        }
        double[] yHat = a[n];
        double loss = 0;
        double[] dLda = new double[out];
        for (int i = 0; i < out; i++) {
            double e = yHat[i] - target[i];
            if (lossKind == LossKind.HALF_SQUARED_ERROR) {
                loss += 0.5 * e * e;
                dLda[i] = e;
            } else {
                loss += e * e / out;
                dLda[i] = 2 * e / out;
            }
        }

        // backward by hand: δ of the last layer, then each layer's from the one above
        double[][] delta = new double[n][];
        delta[n - 1] = new double[out];
        for (int i = 0; i < out; i++) delta[n - 1][i] = dLda[i] * fp[n - 1][i];
        for (int l = n - 2; l >= 0; l--) {
            double[][] wAbove = specs.get(l + 1).w();
            delta[l] = new double[z[l].length];
            for (int j = 0; j < delta[l].length; j++) {
                double back = 0;
                for (int i = 0; i < wAbove.length; i++) back += wAbove[i][j] * delta[l + 1][i];
                delta[l][j] = back * fp[l][j];
            }
        }
        double[] dx = new double[in];
        double[][] w1 = specs.get(0).w();
        for (int j = 0; j < in; j++) for (int i = 0; i < w1.length; i++) dx[j] += w1[i][j] * delta[0][i];

        // the same by autograd
        List<Tensor> ws = new ArrayList<>(), bs = new ArrayList<>(), zs = new ArrayList<>();
        Tensor xt = Tensor.of(x.clone()).requiresGrad(true);
        Tensor act = xt;
        for (Spec s : specs) {
            Tensor w = Tensor.of(s.w()).requiresGrad(true);
            Tensor b = s.b() == null ? null : Tensor.of(s.b().clone()).requiresGrad(true);
            Tensor zt = w.matmul(act);
            if (b != null) zt = zt.add(b);
            zt.retainGrad();
            ws.add(w);
            bs.add(b);
            zs.add(zt);
            act = switch (s.activation()) {
                case "sigmoid" -> zt.sigmoid();
                case "tanh" -> zt.tanh();
                case "relu" -> zt.relu();
                default -> zt;
            };
        }
        Tensor diff = act.sub(Tensor.of(target.clone()));
        Tensor lossT = lossKind == LossKind.HALF_SQUARED_ERROR ? diff.square().sum().mul(0.5) : diff.square().mean();
        lossT.backward();

        double maxDiff = Math.abs(lossT.item() - loss);
        maxDiff = Math.max(maxDiff, maxAbsDiff(dx, xt.grad().toDoubleArray()));
        List<TracedLayer> result = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            Spec s = specs.get(l);
            double[][] gw = new double[z[l].length][a[l].length];
            double[][] nw = new double[gw.length][gw[0].length];
            for (int i = 0; i < gw.length; i++) {
                for (int j = 0; j < gw[i].length; j++) {
                    gw[i][j] = delta[l][i] * a[l][j];
                    nw[i][j] = s.w()[i][j] - lr * gw[i][j];
                }
            }
            double[] gb = s.b() == null ? null : delta[l].clone();
            double[] nb = null;
            if (s.b() != null) {
                nb = new double[gb.length];
                for (int i = 0; i < nb.length; i++) nb[i] = s.b()[i] - lr * gb[i];
            }
            double[] autoDelta = zs.get(l).grad().toDoubleArray();
            double[][] autoW = rows(ws.get(l).grad());
            double[] autoB = bs.get(l) == null ? null : bs.get(l).grad().toDoubleArray();
            maxDiff = Math.max(maxDiff, maxAbsDiff(delta[l], autoDelta));
            for (int i = 0; i < gw.length; i++) maxDiff = Math.max(maxDiff, maxAbsDiff(gw[i], autoW[i]));
            if (gb != null) maxDiff = Math.max(maxDiff, maxAbsDiff(gb, autoB));
            result.add(new TracedLayer(l + 1, s.activation(), s.w(), s.b(), z[l], a[l + 1], fp[l], delta[l], gw, gb,
                    autoDelta, autoW, autoB, nw, nb));
        }
        return new Result(x.clone(), target.clone(), lossKind, List.copyOf(result), loss, dLda, lossT.item(), dx,
                xt.grad().toDoubleArray(), lr, maxDiff);
    }

    private static List<Spec> layers(Sequential model) {
        List<Spec> specs = new ArrayList<>();
        List<Layer> ms = model.layers();
        for (int i = 0; i < ms.size(); i++) {
            Layer m = ms.get(i);
            if (!(m instanceof Linear lin)) {
                throw new IllegalArgumentException("BackpropTrace: layer " + i + " is " + m.typeName() + "; the trace needs "
                        + "Linear layers, each followed by at most one of Sigmoid, Tanh, ReLU or Identity");
            }
            String activation = "identity";
            if (i + 1 < ms.size() && !(ms.get(i + 1) instanceof Linear)) {
                Layer next = ms.get(++i);
                activation = switch (next) {
                    case Sigmoid s -> "sigmoid";
                    case Tanh t -> "tanh";
                    case ReLU r -> "relu";
                    case Identity id -> "identity";
                    default -> throw new IllegalArgumentException("BackpropTrace: layer " + i + " is " + next.typeName()
                            + "; the trace knows the activations Sigmoid, Tanh, ReLU and Identity");
                };
            }
            try (var s = GradMode.noGrad()) {
                double[][] w = rows(lin.weight().toType(DType.FLOAT64));
                double[] b = lin.bias() == null ? null : lin.bias().toType(DType.FLOAT64).toDoubleArray();
                specs.add(new Spec(w, b, activation));
            }
        }
        if (specs.isEmpty()) throw new IllegalArgumentException("BackpropTrace: the network has no layer");
        return specs;
    }

    /** f(z) for an activation name: sigmoid, tanh, relu or identity. */
    public static double activate(String activation, double z) {
        return switch (activation) {
            case "sigmoid" -> 1 / (1 + Math.exp(-z));
            case "tanh" -> Math.tanh(z);
            case "relu" -> Math.max(z, 0);
            default -> z;
        };
    }

    /** f'(z), written with a = f(z) where the course does: σ' = a(1 − a), tanh' = 1 − a², relu' = [z &gt; 0]. */
    public static double derivative(String activation, double z, double a) {
        return switch (activation) {
            case "sigmoid" -> a * (1 - a);
            case "tanh" -> 1 - a * a;
            case "relu" -> z > 0 ? 1 : 0;
            default -> 1;
        };
    }

    private static double[][] rows(Tensor m) {
        double[] flat = m.toDoubleArray();
        int r = m.size(0), c = m.size(1);
        double[][] out = new double[r][c];
        for (int i = 0; i < r; i++) System.arraycopy(flat, i * c, out[i], 0, c);
        return out;
    }

    private static double maxAbsDiff(double[] p, double[] q) {
        double m = 0;
        for (int i = 0; i < p.length; i++) m = Math.max(m, Math.abs(p[i] - q[i]));
        return m;
    }
}
