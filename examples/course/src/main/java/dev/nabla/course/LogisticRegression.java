package dev.nabla.course;

import dev.nabla.nn.Losses;
import dev.nabla.nn.Reduction;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/**
 * Logistic regression z = Wx + b, ŷ = σ(z), binary cross-entropy summed over the m examples:
 * ∂L/∂W = Σᵢ (σ(zᵢ) − yᵢ) xᵢᵀ and ∂L/∂b = Σᵢ (σ(zᵢ) − yᵢ), against autograd.
 */
public final class LogisticRegression extends CourseProgram {
    static final double[][] X = {{1, 2}, {-1, 0.5}, {0.5, -1.5}, {2, 1}};
    static final double[] Y = {1, 0, 0, 1};
    static final double[] W = {0.1, -0.2};
    static final double B = 0.05;

    @Override
    public String name() {
        return "logistic-regression";
    }

    @Override
    public String title() {
        return "the gradient of logistic regression, Σ(σ(zᵢ) − yᵢ)xᵢᵀ, against autograd";
    }

    @Override
    protected void compute() throws IOException {
        line("Logistic regression ŷ = σ(Wx + b), W = (0.1, -0.2), b = 0.05, L = −Σᵢ [yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)]");
        line("%4s %14s %4s %14s %14s %16s", "i", "xᵢ", "yᵢ", "zᵢ", "σ(zᵢ)", "σ(zᵢ) − yᵢ");
        double[] gw = new double[2];
        double gb = 0, loss = 0;
        for (int i = 0; i < X.length; i++) {
            double z = W[0] * X[i][0] + W[1] * X[i][1] + B, p = 1 / (1 + Math.exp(-z)), r = p - Y[i];
            loss -= Y[i] * Math.log(p) + (1 - Y[i]) * Math.log(1 - p);
            gw[0] += r * X[i][0];
            gw[1] += r * X[i][1];
            gb += r;
            line("%4d %14s %4.0f %14.10f %14.10f %16.10f", i + 1, "(" + X[i][0] + ", " + X[i][1] + ")", Y[i], z, p, r);
        }
        Tensor x = Tensor.of(X), y = Tensor.of(Y.clone());
        Tensor w = Tensor.of(W.clone(), 1, 2).requiresGrad(true), b = Tensor.of(new double[] {B}).requiresGrad(true);
        Tensor z = x.matmul(w.t()).reshape(X.length).add(b);
        Tensor l = Losses.binaryCrossEntropyWithLogits(z, y, Reduction.SUM);
        l.backward();
        double[] aw = w.grad().toDoubleArray();
        double ab = b.grad().item();
        line("loss L = %.10f (nabla's binaryCrossEntropyWithLogits, sum: %.10f)", figure("loss", loss), l.item());
        line("∂L/∂W = Σ(σ(zᵢ) − yᵢ)xᵢᵀ = (%.10f, %.10f)   autograd: (%.10f, %.10f)", figure("dW0", gw[0]), figure("dW1", gw[1]), aw[0], aw[1]);
        line("∂L/∂b = Σ(σ(zᵢ) − yᵢ)    = %.10f                 autograd: %.10f", figure("db", gb), ab);
        double d = Math.max(Math.max(Math.abs(gw[0] - aw[0]), Math.abs(gw[1] - aw[1])), Math.max(Math.abs(gb - ab), Math.abs(loss - l.item())));
        line("largest difference: %.1e", figure("maxDifference", d));
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new LogisticRegression(), args);
    }
}
