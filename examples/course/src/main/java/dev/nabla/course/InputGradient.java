package dev.nabla.course;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/**
 * The report's gradient of the network's output with respect to its input: for
 * a^[l] = σ(W^[l] a^[l−1] + b^[l]), ∇ₓa^[L] = diag(σ'(Z^[L])) W^[L] diag(σ'(Z^[L−1])) W^[L−1] …
 * diag(σ'(Z^[1])) W^[1], computed as that product of matrices and by autograd (x.grad).
 */
public final class InputGradient extends CourseProgram {
    @Override
    public String name() {
        return "input-gradient";
    }

    @Override
    public String title() {
        return "∇ₓa^[L] as the product of W^[l] and diag(σ'(Z^[l])), against autograd";
    }

    @Override
    protected void compute() throws IOException {
        Generator g = new Generator(5);
        int[] widths = {2, 3, 3, 1};
        int layers = widths.length - 1;
        Tensor[] w = new Tensor[layers], b = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            w[l] = Tensor.randn(g, DType.FLOAT64, widths[l + 1], widths[l]);
            b[l] = Tensor.randn(g, DType.FLOAT64, widths[l + 1]);
        }
        Tensor x = Tensor.of(new double[] {0.5, -1.0});
        line("A sigmoid network 2 → 3 → 3 → 1 with random weights, at x = (0.5, -1)");
        // the product, layer by layer: J ← diag(σ'(Z^[l])) W^[l] J
        Tensor a = x, jac = null;
        for (int l = 0; l < layers; l++) {
            Tensor z = w[l].matmul(a).add(b[l]);
            a = z.sigmoid();
            Tensor sp = a.mul(a.rsub(1)); // σ'(z) = σ(z)(1 − σ(z))
            Tensor step = sp.unsqueeze(1).mul(w[l]); // diag(σ'(Z)) W
            jac = jac == null ? step : step.matmul(jac);
            line("  layer %d: σ'(Z^[%d]) = %s", l + 1, l + 1, MiniBatchMean.vec(sp.toDoubleArray()));
        }
        double[] formula = jac.reshape(widths[0]).toDoubleArray();
        Tensor xin = x.detach().requiresGrad(true);
        Tensor out = xin;
        for (int l = 0; l < layers; l++) out = w[l].matmul(out).add(b[l]).sigmoid();
        out.sum().backward();
        double[] auto = xin.grad().toDoubleArray();
        line("a^[L] = %.10f", out.sum().item());
        line("∇ₓa^[L] by the formula diag(σ'(Z^[3])) W^[3] diag(σ'(Z^[2])) W^[2] diag(σ'(Z^[1])) W^[1] = %s", MiniBatchMean.vec(formula));
        line("∇ₓa^[L] by autograd (a.backward(); x.grad())                                   = %s", MiniBatchMean.vec(auto));
        double d = Math.max(Math.abs(formula[0] - auto[0]), Math.abs(formula[1] - auto[1]));
        line("largest difference: %.1e", figure("maxDifference", d));
        figure("dx0", auto[0]);
        figure("dx1", auto[1]);
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new InputGradient(), args);
    }
}
