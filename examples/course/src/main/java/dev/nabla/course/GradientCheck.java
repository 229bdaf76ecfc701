package dev.nabla.course;

import dev.nabla.autograd.Gradcheck;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.util.List;

/**
 * Debugging slow training: a bug in a hand-written gradient is found by comparing it with
 * central finite differences, (L(w + εeⱼ) − L(w − εeⱼ))/2ε. The relative error
 * ‖g − g_num‖/(‖g‖ + ‖g_num‖) is about 1e-10 for a correct gradient and of order 1 for a wrong
 * one; nabla's Gradcheck does the same for its autograd.
 */
public final class GradientCheck extends CourseProgram {
    @Override
    public String name() {
        return "gradient-check";
    }

    @Override
    public String title() {
        return "finding a bug in a hand-written gradient with finite differences (gradient checking)";
    }

    private Tensor x, y;

    private double loss(double[] w) {
        Tensor p = x.matmul(Tensor.of(w.clone())).sigmoid();
        return y.mul(p.log()).add(y.rsub(1).mul(p.rsub(1).log())).sum().neg().item();
    }

    private double relError(double[] g, double[] num) {
        double d = 0, a = 0, b = 0;
        for (int i = 0; i < g.length; i++) {
            d += (g[i] - num[i]) * (g[i] - num[i]);
            a += g[i] * g[i];
            b += num[i] * num[i];
        }
        return Math.sqrt(d) / (Math.sqrt(a) + Math.sqrt(b));
    }

    @Override
    protected void compute() throws IOException {
        Generator g = new Generator(11);
        x = Tensor.randn(g, DType.FLOAT64, 6, 3);
        y = Tensor.randint(g, 0, 2, 6).toType(DType.FLOAT64);
        double[] w = Tensor.randn(g, DType.FLOAT64, 3).toDoubleArray();
        Tensor p = x.matmul(Tensor.of(w.clone())).sigmoid();
        double[] correct = x.t().matmul(p.sub(y)).toDoubleArray(); // Xᵀ(σ(Xw) − y)
        double[] buggy = x.t().matmul(y.sub(p)).toDoubleArray(); // the sign flipped: training would climb the loss
        double[] num = new double[3];
        double eps = 1e-6;
        for (int j = 0; j < 3; j++) {
            double[] wp = w.clone(), wm = w.clone();
            wp[j] += eps;
            wm[j] -= eps;
            num[j] = (loss(wp) - loss(wm)) / (2 * eps);
        }
        line("Logistic regression, L(w) = −Σ[y log σ(Xw) + (1 − y) log(1 − σ(Xw))], 6 examples, 3 weights");
        line("  numerical gradient (central differences, ε = 1e-6): %s", MiniBatchMean.vec(num));
        line("  hand gradient Xᵀ(σ(Xw) − y):                         %s  relative error %.1e",
                MiniBatchMean.vec(correct), figure("correctRelativeError", relError(correct, num)));
        line("  hand gradient with a bug, Xᵀ(y − σ(Xw)):              %s  relative error %.1e",
                MiniBatchMean.vec(buggy), figure("buggyRelativeError", relError(buggy, num)));
        line("  rule of thumb: below 1e-7 fine, above 1e-4 a bug (with float64 and smooth functions)");
        Tensor wt = Tensor.of(w.clone()).requiresGrad(true);
        var result = Gradcheck.check(in -> {
            Tensor q = x.matmul(in.get(0)).sigmoid();
            return y.mul(q.log()).add(y.rsub(1).mul(q.rsub(1).log())).sum().neg();
        }, List.of(wt));
        line("nabla's autograd on the same loss: %s", result);
        figure("gradcheckPassed", result.passed() ? 1 : 0);
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new GradientCheck(), args);
    }
}
