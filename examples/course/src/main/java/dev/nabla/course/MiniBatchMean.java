package dev.nabla.course;

import dev.nabla.nn.Losses;
import dev.nabla.nn.Reduction;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;

/**
 * Batch, stochastic and mini-batch gradient descent differ only in how many examples one step
 * averages over: with the loss reduction "mean", the gradient of a mini-batch is the average of
 * its examples' gradients ("sum" gives n times it).
 */
public final class MiniBatchMean extends CourseProgram {
    @Override
    public String name() {
        return "mini-batch";
    }

    @Override
    public String title() {
        return "a mini-batch gradient is the average of the per-example gradients (loss reduction mean)";
    }

    @Override
    protected void compute() throws IOException {
        Generator g = new Generator(1);
        int n = 8;
        Tensor x = Tensor.randn(g, DType.FLOAT64, n, 3), y = Tensor.randn(g, DType.FLOAT64, n, 1);
        Tensor w0 = Tensor.randn(g, DType.FLOAT64, 3, 1);
        line("Linear regression ŷ = x·w on a mini-batch of %d examples, loss = mean of (ŷ − y)²", n);
        double[] sum = new double[3];
        for (int i = 0; i < n; i++) {
            Tensor w = w0.detach().requiresGrad(true);
            Losses.mseLoss(x.narrow(0, i, 1).matmul(w), y.narrow(0, i, 1)).backward();
            double[] gi = w.grad().toDoubleArray();
            for (int j = 0; j < 3; j++) sum[j] += gi[j];
            line("  example %d: ∂L/∂w = %s", i + 1, vec(gi));
        }
        double[] mean = Arrays.stream(sum).map(v -> v / n).toArray();
        Tensor w = w0.detach().requiresGrad(true);
        Losses.mseLoss(x.matmul(w), y).backward();
        double[] batch = w.grad().toDoubleArray();
        Tensor ws = w0.detach().requiresGrad(true);
        Losses.mseLoss(x.matmul(ws), y, Reduction.SUM).backward();
        double[] summed = ws.grad().toDoubleArray();
        double diff = 0;
        for (int j = 0; j < 3; j++) diff = Math.max(diff, Math.abs(mean[j] - batch[j]));
        line("average of the %d per-example gradients: %s", n, vec(mean));
        line("gradient of the mini-batch (mean loss):   %s", vec(batch));
        line("largest difference: %.1e", figure("maxDifference", diff));
        line("with reduction \"sum\" instead:             %s = %.0f × the mean's", vec(summed), figure("sumOverMean", summed[0] / batch[0]));
        line("");
        line("So batch (all examples), stochastic (1) and mini-batch (e.g. 32) gradient descent are the same loop with");
        line("another batch size: new FitOptions().batchSize(n) in nabla's Trainer.fit.");
    }

    static String vec(double[] v) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(String.format(java.util.Locale.ROOT, "%.6f", v[i]));
        return sb.append(')').toString();
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new MiniBatchMean(), args);
    }
}
