package dev.nabla.train;

import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Dropout2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GlobalAvgPool2d;
import dev.nabla.nn.Identity;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.PoolWindow;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Backpropagation through any layer of a {@link Sequential}, written out and recomputed by hand:
 * the loss's gradient (softmax with cross-entropy: δ = ŷ − y; sigmoid with binary cross-entropy:
 * σ' cancels and δ = ŷ − y), then, layer by layer from the top, each layer's local backward rule
 * in plain double loops — Linear, the elementwise activations, Conv2d (one output position's sum
 * and a weight gradient as the sum over positions), max pooling (the gradient goes to each
 * window's maximum), average pooling (shared evenly), BatchNorm (the three-term input gradient),
 * dropout (the mask, scaled by 1/(1−p)) and Flatten — each compared with autograd's gradient of
 * the same tensor. Where {@link BackpropTrace} follows one example through Linear layers, this
 * follows a small batch through a whole network (BatchNorm needs the batch).
 *
 * <p>The model runs in training mode and is converted to float64 in place (its parameters and
 * buffers; BatchNorm's running statistics take one step).
 */
public final class LayerTrace {
    /** The loss functions the trace knows, by the names specs use. */
    public static final List<String> LOSSES = List.of("mse", "cross_entropy", "nll", "bce", "bce_with_logits");

    /** One layer's (or the loss's) backward step: what it computes, and how far the hand result is from autograd's. */
    public record Step(String title, List<String> lines, double maxDifference) {}

    /** The loss, the steps from the loss down to the input, and the largest difference from autograd over all of them. */
    public record Result(double loss, List<Step> steps, double maxDifference) {
        /** The whole trace as text. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (Step s : steps) {
                sb.append(s.title()).append('\n');
                for (String l : s.lines()) sb.append("  ").append(l).append('\n');
                sb.append(String.format(Locale.ROOT, "  by hand vs autograd: largest difference %.1e%n", s.maxDifference()));
            }
            return sb.toString();
        }
    }

    /** A float64 array with its shape (row-major), the hand side's working form. */
    private record Arr(double[] v, int[] shape) {
        static Arr of(Tensor t) {
            return new Arr(t.toDoubleArray(), t.shape());
        }

        Arr zeros() {
            return new Arr(new double[v.length], shape);
        }
    }

    private final List<Step> steps = new ArrayList<>();
    private List<String> lines;
    private double stepDiff;

    private LayerTrace() {}

    /**
     * Traces one forward and backward pass of model on inputs [N, …] against targets (class
     * indices for cross_entropy/nll, values of the output's shape otherwise).
     *
     * @throws IllegalArgumentException for a layer or loss the trace does not know (naming it and the known ones)
     */
    public static Result run(Sequential model, Tensor inputs, Tensor targets, String loss) {
        if (!LOSSES.contains(loss)) throw new IllegalArgumentException("LayerTrace: the loss '" + loss + "' is not traced; known: " + LOSSES);
        List<Layer> layers = flatten(model, new ArrayList<>());
        for (int i = 0; i < layers.size(); i++) check(i, layers.get(i));
        model.toType(DType.FLOAT64);
        model.train();
        model.zeroGrad();
        Tensor x = inputs.toType(DType.FLOAT64).detach().requiresGrad(true);
        Tensor y = targets.dtype() == DType.INT64 ? targets : targets.toType(DType.FLOAT64);

        // forward with autograd, keeping every activation's gradient and each dropout's random state
        List<Tensor> acts = new ArrayList<>(List.of(x));
        List<long[]> states = new ArrayList<>();
        for (Layer l : layers) {
            states.add(l instanceof Dropout ? generatorOf(l).state() : null);
            Tensor a = l.forward(acts.get(acts.size() - 1));
            a.retainGrad();
            acts.add(a);
        }
        Tensor out = acts.get(acts.size() - 1);
        Tensor lossT = switch (loss) {
            case "mse" -> Losses.mseLoss(out, y);
            case "cross_entropy" -> Losses.crossEntropy(out, y);
            case "nll" -> Losses.nllLoss(out, y);
            case "bce" -> Losses.binaryCrossEntropy(out, y);
            default -> Losses.binaryCrossEntropyWithLogits(out, y);
        };
        lossT.backward();

        LayerTrace t = new LayerTrace();
        try (var scope = GradMode.noGrad()) {
            Arr g = t.lossGradient(loss, Arr.of(out), y, out.grad());
            for (int i = layers.size() - 1; i >= 0; i--) {
                Layer l = layers.get(i);
                Tensor in = acts.get(i);
                t.begin("layer " + i + ": " + l + "  " + Shape.str(in.shape()) + " → " + Shape.str(acts.get(i + 1).shape()));
                g = t.backward(l, Arr.of(in), Arr.of(acts.get(i + 1)), g, states.get(i));
                t.compare("∂L/∂(input of layer " + i + ")", g, in.grad());
                if (i == layers.size() - 1 && l instanceof Sigmoid && loss.equals("bce")) t.bceCancellation(Arr.of(out), y, g);
                t.end();
            }
        }
        double max = 0;
        for (Step s : t.steps) max = Math.max(max, s.maxDifference());
        return new Result(lossT.item(), List.copyOf(t.steps), max);
    }

    private static List<Layer> flatten(Layer m, List<Layer> out) {
        if (m instanceof Sequential s) for (Layer c : s.layers()) flatten(c, out);
        else out.add(m);
        return out;
    }

    private static void check(int i, Layer l) {
        boolean known = l instanceof Linear || l instanceof Conv2d || l instanceof MaxPool2d || l instanceof AvgPool2d
                || l instanceof GlobalAvgPool2d || l instanceof BatchNorm || l instanceof Dropout || l instanceof Flatten
                || l instanceof Sigmoid || l instanceof Tanh || l instanceof ReLU || l instanceof LeakyReLU || l instanceof Identity;
        if (!known) {
            throw new IllegalArgumentException("LayerTrace: layer " + i + " is " + l.typeName() + "; the trace knows Linear, Conv2d,"
                    + " MaxPool2d, AvgPool2d, GlobalAvgPool2d, BatchNorm1d/2d, Dropout/Dropout2d, Flatten, Sigmoid, Tanh, ReLU,"
                    + " LeakyReLU and Identity");
        }
        if (l instanceof Conv2d c && c.groups() != 1) {
            throw new IllegalArgumentException("LayerTrace: layer " + i + " " + l + " has " + c.groups() + " groups; the trace writes out groups=1");
        }
    }

    private static Generator generatorOf(Layer dropout) {
        List<Generator> g = dropout.generators();
        return g.isEmpty() ? Generator.global() : g.get(0);
    }

    private void begin(String title) {
        steps.add(new Step(title, new ArrayList<>(), 0));
        lines = steps.get(steps.size() - 1).lines();
        stepDiff = 0;
    }

    private void end() {
        Step s = steps.remove(steps.size() - 1);
        steps.add(new Step(s.title(), List.copyOf(lines), stepDiff));
    }

    private void line(String format, Object... args) {
        lines.add(String.format(Locale.ROOT, format, args));
    }

    private void compare(String what, Arr hand, Tensor autograd) {
        double d = maxDiff(hand.v(), autograd.toDoubleArray());
        stepDiff = Math.max(stepDiff, d);
        line("%s: by hand %s, autograd %s", what, head(hand.v()), head(autograd.toDoubleArray()));
    }

    // ---------------------------------------------------------------- the loss

    private Arr lossGradient(String loss, Arr out, Tensor y, Tensor autograd) {
        begin("loss: " + loss + " on the output " + Shape.str(out.shape()));
        int n = out.shape()[0];
        Arr g = out.zeros();
        double[] t = y.toDoubleArray();
        switch (loss) {
            case "mse" -> {
                line("L = mean (ŷ − y)² over all %d outputs, so ∂L/∂ŷ = 2(ŷ − y)/%d", out.v().length, out.v().length);
                for (int i = 0; i < g.v().length; i++) g.v()[i] = 2 * (out.v()[i] - t[i]) / out.v().length;
            }
            case "cross_entropy", "nll" -> {
                int k = out.shape()[1];
                boolean logits = loss.equals("cross_entropy");
                if (logits) {
                    line("ŷ = softmax(z) row by row, L = −mean_n log ŷ[n, y_n]; the softmax's Jacobian and the log's 1/ŷ cancel:");
                    line("δ = ∂L/∂z = (ŷ − onehot(y)) / N, with N = %d", n);
                } else {
                    line("L = −mean_n logp[n, y_n] (the input is log-probabilities): ∂L/∂logp = −onehot(y) / N, N = %d", n);
                }
                for (int r = 0; r < n; r++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int c = 0; c < k; c++) max = Math.max(max, out.v()[r * k + c]);
                    for (int c = 0; c < k; c++) sum += Math.exp(out.v()[r * k + c] - max);
                    for (int c = 0; c < k; c++) {
                        double p = logits ? Math.exp(out.v()[r * k + c] - max) / sum : 0;
                        g.v()[r * k + c] = (p - (c == (int) t[r] ? 1 : 0)) / n;
                    }
                }
                double[] row0 = Arrays.copyOf(g.v(), k);
                for (int c = 0; c < k; c++) row0[c] *= n;
                line("example 0 (class %d): N·δ = %s", (int) t[0], head(row0));
            }
            case "bce" -> {
                line("L = −mean [y log ŷ + (1 − y) log(1 − ŷ)] over %d outputs: ∂L/∂ŷ = (ŷ − y) / (ŷ(1 − ŷ)·%d)", out.v().length, out.v().length);
                for (int i = 0; i < g.v().length; i++) {
                    double p = out.v()[i];
                    g.v()[i] = (p - t[i]) / (p * (1 - p) * out.v().length);
                }
            }
            default -> {
                line("L = mean BCE(σ(z), y) over %d outputs, computed from the logits z: δ = ∂L/∂z = (σ(z) − y)/%d", out.v().length,
                        out.v().length);
                for (int i = 0; i < g.v().length; i++) g.v()[i] = (1 / (1 + Math.exp(-out.v()[i])) - t[i]) / out.v().length;
            }
        }
        compare("∂L/∂(network output)", g, autograd);
        end();
        return g;
    }

    private void bceCancellation(Arr yHat, Tensor y, Arr g) {
        double[] t = y.toDoubleArray();
        double d = 0;
        for (int i = 0; i < g.v().length; i++) d = Math.max(d, Math.abs(g.v()[i] - (yHat.v()[i] - t[i]) / g.v().length));
        stepDiff = Math.max(stepDiff, d);
        line("sigmoid with binary cross-entropy: σ'(z) = ŷ(1 − ŷ) cancels the 1/(ŷ(1 − ŷ)), so δ = ∂L/∂z = (ŷ − y)/n"
                + " (largest difference from the product above %.1e)", d);
    }

    // ---------------------------------------------------------------- the layers

    private Arr backward(Layer l, Arr x, Arr y, Arr g, long[] dropoutState) {
        return switch (l) {
            case Linear lin -> linear(lin, x, g);
            case Conv2d c -> conv(c, x, y, g);
            case MaxPool2d p -> maxPool(p, x, g);
            case AvgPool2d p -> avgPool(p, x, g);
            case GlobalAvgPool2d p -> globalAvgPool(x, g);
            case BatchNorm bn -> batchNorm(bn, x, y, g);
            case Dropout d -> dropout(d, x, g, dropoutState);
            case Flatten f -> {
                line("only the shape changes: ∂L/∂x is ∂L/∂y reshaped to %s", Shape.str(x.shape()));
                yield new Arr(g.v(), x.shape());
            }
            default -> activation(l, x, y, g);
        };
    }

    private Arr activation(Layer l, Arr z, Arr a, Arr g) {
        String rule = switch (l) {
            case Sigmoid s -> "σ'(z) = a(1 − a)";
            case Tanh t -> "tanh'(z) = 1 − a²";
            case ReLU r -> "relu'(z) = 1 if z > 0 else 0";
            case LeakyReLU r -> "f'(z) = 1 if z > 0 else " + r.negativeSlope();
            default -> "f'(z) = 1";
        };
        line("elementwise: ∂L/∂z = ∂L/∂a ⊙ f'(z), %s", rule);
        Arr dz = z.zeros();
        double[] fp = new double[z.v().length];
        for (int i = 0; i < fp.length; i++) {
            double zi = z.v()[i], ai = a.v()[i];
            fp[i] = switch (l) {
                case Sigmoid s -> ai * (1 - ai);
                case Tanh t -> 1 - ai * ai;
                case ReLU r -> zi > 0 ? 1 : 0;
                case LeakyReLU r -> zi > 0 ? 1 : r.negativeSlope();
                default -> 1;
            };
            dz.v()[i] = g.v()[i] * fp[i];
        }
        line("f'(z) = %s", head(fp));
        return dz;
    }

    private Arr linear(Linear lin, Arr x, Arr g) {
        if (x.shape().length != 2) throw new IllegalArgumentException("LayerTrace: " + lin + " on input " + Shape.str(x.shape()) + "; the trace writes out [N, in]");
        int n = x.shape()[0], in = x.shape()[1], out = g.shape()[1];
        double[] w = lin.weight().toDoubleArray();
        Arr dx = x.zeros();
        double[] dw = new double[out * in], db = new double[out];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < out; i++) {
                double d = g.v()[r * out + i];
                db[i] += d;
                for (int j = 0; j < in; j++) {
                    dw[i * in + j] += d * x.v()[r * in + j];
                    dx.v()[r * in + j] += d * w[i * in + j];
                }
            }
        }
        line("z = x Wᵀ + b: ∂L/∂W = δᵀ x (summed over the batch), ∂L/∂b = Σ_n δ, ∂L/∂x = δ W");
        StringBuilder terms = new StringBuilder();
        for (int r = 0; r < Math.min(n, 3); r++) terms.append(r == 0 ? "" : " + ").append(num(g.v()[r * out])).append("·").append(num(x.v()[r * in]));
        line("∂L/∂W[0,0] = Σ_n δ[n,0]·x[n,0] = %s%s = %s", terms, n > 3 ? " + …" : "", num(dw[0]));
        compare("∂L/∂W", new Arr(dw, lin.weight().shape()), lin.weight().grad());
        if (lin.bias() != null) compare("∂L/∂b", new Arr(db, lin.bias().shape()), lin.bias().grad());
        return dx;
    }

    private Arr conv(Conv2d c, Arr x, Arr y, Arr g) {
        int[] s = c.stride(), d = c.dilation(), p = c.padding(), k = c.kernelSize();
        int n = x.shape()[0], ci = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
        int co = y.shape()[1], oh = y.shape()[2], ow = y.shape()[3];
        double[] wt = c.weight().toDoubleArray(), bias = c.bias() == null ? null : c.bias().toDoubleArray();
        double[] dw = new double[wt.length], db = new double[co];
        Arr dx = x.zeros();
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < co; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double gd = g.v()[((b * co + o) * oh + i) * ow + j];
                        db[o] += gd;
                        for (int cc = 0; cc < ci; cc++) {
                            for (int u = 0; u < k[0]; u++) {
                                int r = i * s[0] + u * d[0] - p[0];
                                if (r < 0 || r >= h) continue;
                                for (int v = 0; v < k[1]; v++) {
                                    int q = j * s[1] + v * d[1] - p[2];
                                    if (q < 0 || q >= w) continue;
                                    int wi = ((o * ci + cc) * k[0] + u) * k[1] + v, xi = ((b * ci + cc) * h + r) * w + q;
                                    dw[wi] += gd * x.v()[xi];
                                    dx.v()[xi] += gd * wt[wi];
                                }
                            }
                        }
                    }
                }
            }
        }
        // one output position written out: example 0, channel 0, the middle of the map
        int i0 = oh / 2, j0 = ow / 2;
        double sum = bias == null ? 0 : bias[0];
        List<String> terms = new ArrayList<>();
        for (int cc = 0; cc < ci; cc++) {
            for (int u = 0; u < k[0]; u++) {
                for (int v = 0; v < k[1]; v++) {
                    int r = i0 * s[0] + u * d[0] - p[0], q = j0 * s[1] + v * d[1] - p[2];
                    if (r < 0 || r >= h || q < 0 || q >= w) continue;
                    double xv = x.v()[(cc * h + r) * w + q], wv = wt[((cc) * k[0] + u) * k[1] + v];
                    sum += wv * xv;
                    terms.add(num(wv) + "·" + num(xv));
                }
            }
        }
        double layerOut = y.v()[(i0) * ow + j0];
        stepDiff = Math.max(stepDiff, Math.abs(sum - layerOut));
        line("forward, one output position: y[0,0,%d,%d] = b[0] + Σ_{c,u,v} W[0,c,u,v]·x[0,c,%d·%d+u·%d−%d, %d·%d+v·%d−%d]", i0, j0, i0, s[0],
                d[0], p[0], j0, s[1], d[1], p[2]);
        line("  = %s + %s%s = %s (the layer gave %s)", bias == null ? "0" : num(bias[0]), String.join(" + ", terms.subList(0, Math.min(4, terms.size()))),
                terms.size() > 4 ? " + … (" + terms.size() + " products)" : "", num(sum), num(layerOut));
        line("backward: each weight meets every output position, so ∂L/∂W[o,c,u,v] = Σ_{n,i,j} δ[n,o,i,j]·x[n,c,i·s+u·d−p, j·s+v·d−p]");
        line("  ∂L/∂W[0,0,0,0] = Σ over %d positions = %s; ∂L/∂b[o] = Σ_{n,i,j} δ[n,o,i,j]; ∂L/∂x scatters δ back through the same weights",
                n * oh * ow, num(dw[0]));
        compare("∂L/∂W", new Arr(dw, c.weight().shape()), c.weight().grad());
        if (c.bias() != null) compare("∂L/∂b", new Arr(db, c.bias().shape()), c.bias().grad());
        return dx;
    }

    private Arr maxPool(MaxPool2d pool, Arr x, Arr g) {
        PoolWindow win = pool.window();
        int[] k = win.kernel(), s = win.stride(), p = win.padding();
        int planes = x.shape()[0] * x.shape()[1], h = x.shape()[2], w = x.shape()[3], oh = g.shape()[2], ow = g.shape()[3];
        Arr dx = x.zeros();
        int receiving = 0;
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int best = -1;
                    for (int r = Math.max(0, i * s[0] - p[0]); r < Math.min(h, i * s[0] - p[0] + k[0]); r++) {
                        for (int q = Math.max(0, j * s[1] - p[1]); q < Math.min(w, j * s[1] - p[1] + k[1]); q++) {
                            int xi = (pl * h + r) * w + q;
                            if (best < 0 || x.v()[xi] > x.v()[best]) best = xi; // the first maximum, as PyTorch
                        }
                    }
                    if (dx.v()[best] == 0) receiving++;
                    dx.v()[best] += g.v()[(pl * oh + i) * ow + j];
                    if (pl == 0 && i == 0 && j == 0) {
                        line("forward: y = the maximum of each %d×%d window; backward: the window's maximum gets ∂L/∂y, the others 0", k[0], k[1]);
                        line("window (0,0) of example 0, channel 0: its maximum %s at row %d, col %d receives %s",
                                num(x.v()[best]), (best % (h * w)) / w, best % w, num(g.v()[0]));
                    }
                }
            }
        }
        line("%d of the %d inputs receive a gradient; the rest get 0", receiving, x.v().length);
        return dx;
    }

    private Arr avgPool(AvgPool2d pool, Arr x, Arr g) {
        PoolWindow win = pool.window();
        int[] k = win.kernel(), s = win.stride(), p = win.padding();
        int planes = x.shape()[0] * x.shape()[1], h = x.shape()[2], w = x.shape()[3], oh = g.shape()[2], ow = g.shape()[3];
        Arr dx = x.zeros();
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    // PyTorch's divisor: the window clipped to the padded input, or to the input without count_include_pad
                    int r0 = i * s[0] - p[0], q0 = j * s[1] - p[1];
                    int r1 = Math.min(r0 + k[0], h + p[0]), q1 = Math.min(q0 + k[1], w + p[1]);
                    int padded = (r1 - r0) * (q1 - q0);
                    r0 = Math.max(r0, 0);
                    q0 = Math.max(q0, 0);
                    r1 = Math.min(r1, h);
                    q1 = Math.min(q1, w);
                    int divisor = pool.countIncludePad() ? padded : (r1 - r0) * (q1 - q0);
                    double share = g.v()[(pl * oh + i) * ow + j] / divisor;
                    for (int r = r0; r < r1; r++) for (int q = q0; q < q1; q++) dx.v()[(pl * h + r) * w + q] += share;
                    if (pl == 0 && i == 0 && j == 0) {
                        line("forward: y = the mean of each %d×%d window; backward: each input of the window gets ∂L/∂y / %d", k[0], k[1], divisor);
                        line("window (0,0) of example 0, channel 0: %s / %d = %s to each of its inputs", num(g.v()[0]), divisor, num(share));
                    }
                }
            }
        }
        return dx;
    }

    private Arr globalAvgPool(Arr x, Arr g) {
        int planes = x.shape()[0] * x.shape()[1], hw = x.v().length / planes;
        Arr dx = x.zeros();
        for (int pl = 0; pl < planes; pl++) for (int i = 0; i < hw; i++) dx.v()[pl * hw + i] = g.v()[pl] / hw;
        line("y[n,c] = the mean of the %d values of its map, so each of them gets ∂L/∂y[n,c] / %d", hw, hw);
        return dx;
    }

    private Arr batchNorm(BatchNorm bn, Arr x, Arr y, Arr g) {
        int n = x.shape()[0], c = x.shape()[1], rest = x.v().length / (n * c), m = n * rest;
        double[] gamma = bn.affine() ? bn.weight().toDoubleArray() : null, beta = bn.affine() ? bn.bias().toDoubleArray() : null;
        double[] dgamma = new double[c], dbeta = new double[c];
        Arr dx = x.zeros();
        line("per channel over its m = %d values (batch × positions): μ, σ² (biased), x̂ = (x − μ)/√(σ² + ε), y = γ x̂ + β", m);
        line("∂L/∂γ = Σ g x̂, ∂L/∂β = Σ g, and the three-term input gradient (μ and σ² depend on every x):");
        line("∂L/∂x = γ / (m √(σ² + ε)) · (m g − Σ g − x̂ Σ g x̂)");
        for (int ch = 0; ch < c; ch++) {
            double mean = 0, var = 0;
            for (int b = 0; b < n; b++) for (int r = 0; r < rest; r++) mean += x.v()[(b * c + ch) * rest + r];
            mean /= m;
            for (int b = 0; b < n; b++) for (int r = 0; r < rest; r++) var += sq(x.v()[(b * c + ch) * rest + r] - mean);
            var /= m;
            double sd = Math.sqrt(var + bn.eps()), sumG = 0, sumGx = 0, gam = gamma == null ? 1 : gamma[ch];
            for (int b = 0; b < n; b++) {
                for (int r = 0; r < rest; r++) {
                    int i = (b * c + ch) * rest + r;
                    double xhat = (x.v()[i] - mean) / sd;
                    sumG += g.v()[i];
                    sumGx += g.v()[i] * xhat;
                    stepDiff = Math.max(stepDiff, Math.abs(gam * xhat + (beta == null ? 0 : beta[ch]) - y.v()[i]));
                }
            }
            dgamma[ch] = sumGx;
            dbeta[ch] = sumG;
            for (int b = 0; b < n; b++) {
                for (int r = 0; r < rest; r++) {
                    int i = (b * c + ch) * rest + r;
                    double xhat = (x.v()[i] - mean) / sd;
                    dx.v()[i] = gam / (m * sd) * (m * g.v()[i] - sumG - xhat * sumGx);
                }
            }
            if (ch == 0) {
                line("channel 0: μ = %s, σ² = %s, Σ g = %s, Σ g x̂ = %s; x[0] gets %s / (%d·%s) · (%d·%s − %s − %s·%s) = %s", num(mean), num(var),
                        num(sumG), num(sumGx), num(gam), m, num(sd), m, num(g.v()[0]), num(sumG), num((x.v()[0] - mean) / sd), num(sumGx),
                        num(dx.v()[0]));
            }
        }
        if (gamma != null) {
            compare("∂L/∂γ", new Arr(dgamma, bn.weight().shape()), bn.weight().grad());
            compare("∂L/∂β", new Arr(dbeta, bn.bias().shape()), bn.bias().grad());
        }
        return dx;
    }

    private Arr dropout(Dropout d, Arr x, Arr g, long[] state) {
        // the mask drawn again from the generator's state before the forward pass, as Functional.dropout draws it
        int[] maskShape = x.shape().clone();
        if (d instanceof Dropout2d) for (int i = 2; i < maskShape.length; i++) maskShape[i] = 1;
        double[] keep = Tensor.rand(new Generator(0).setState(state), DType.FLOAT64, maskShape).toDoubleArray();
        int per = x.v().length / keep.length, kept = 0;
        Arr dx = x.zeros();
        for (int i = 0; i < keep.length; i++) {
            boolean k = keep[i] >= d.p();
            if (k) kept++;
            for (int e = 0; e < per; e++) dx.v()[i * per + e] = k ? g.v()[i * per + e] / (1 - d.p()) : 0;
        }
        line("training: y = x ⊙ mask / (1 − p), p = %s; the same mask routes the gradient: ∂L/∂x = ∂L/∂y ⊙ mask / (1 − p)", d.p());
        line("%d of %d %s kept (their gradient × %s), the others get 0", kept, keep.length, d instanceof Dropout2d ? "channels" : "units",
                num(1 / (1 - d.p())));
        return dx;
    }

    // ---------------------------------------------------------------- helpers

    private static double sq(double v) {
        return v * v;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static String head(double[] v) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < Math.min(4, v.length); i++) sb.append(i == 0 ? "" : ", ").append(num(v[i]));
        return sb.append(v.length > 4 ? ", … " + v.length + " values)" : ")").toString();
    }

    private static double maxDiff(double[] a, double[] b) {
        if (a.length != b.length) return Double.POSITIVE_INFINITY;
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
