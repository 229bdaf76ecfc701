package dev.nabla.course;

import dev.nabla.nn.BatchNorm1d;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/**
 * Batch normalization in training normalizes each feature over the batch, then scales by γ and
 * shifts by β. With a batch of one the batch variance is 0: every normalized value is 0, the
 * output is β whatever the input and no gradient reaches the input. PyTorch refuses ("Expected
 * more than 1 value per channel when training"), and so does nabla's {@link BatchNorm1d}; the
 * batch-norm function written out here with tensor ops shows the arithmetic behind the refusal.
 */
public final class BatchNormBatchOfOne extends CourseProgram {
    @Override
    public String name() {
        return "batchnorm-batch-of-one";
    }

    @Override
    public String title() {
        return "batch normalization of a batch of one: variance 0, output β for any input, hence a clear error";
    }

    /**
     * Training-mode batch normalization of x [n, features]: (x − mean) / √(var + eps) · γ + β
     * with the batch mean and (biased) variance; refuses n = 1 as PyTorch does unless allowed.
     */
    static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, double eps, boolean allowBatchOfOne) {
        if (x.size(0) == 1 && !allowBatchOfOne) {
            throw new IllegalArgumentException("batch norm in training: expected more than 1 value per feature, got input of shape [1, "
                    + x.size(1) + "]: the batch variance of one example is 0, so every output would be β; use a batch of 2 or"
                    + " more, or evaluation mode (running statistics)");
        }
        Tensor mean = x.mean(0, true);
        Tensor var = x.sub(mean).square().mean(0, true);
        return x.sub(mean).div(var.add(eps).sqrt()).mul(gamma).add(beta);
    }

    @Override
    protected void compute() throws IOException {
        Tensor gamma = Tensor.of(new double[] {1.5, 0.5, 2.0}), beta = Tensor.of(new double[] {0.1, -0.2, 0.3});
        Tensor x = Tensor.randn(new Generator(4), DType.FLOAT64, 4, 3).mul(3).add(5);
        Tensor xhat = batchNorm(x, Tensor.ones(DType.FLOAT64, 3), Tensor.zeros(DType.FLOAT64, 3), 1e-5, false);
        line("A batch of 4 examples, 3 features, values around 5 ± 3; normalized with γ = 1, β = 0:");
        line("  mean per feature %s, variance per feature %s", MiniBatchMean.vec(xhat.mean(0, false).toDoubleArray()),
                MiniBatchMean.vec(xhat.square().mean(0, false).toDoubleArray()));
        figure("batch4MaxMean", xhat.mean(0, false).abs().max().item());
        figure("batch4MinVariance", xhat.square().mean(0, false).min().item());
        line("  then y = γ·x̂ + β lets the layer undo the normalization if that helps (γ = σ, β = μ gives back x).");
        line("");
        Tensor one = Tensor.of(new double[] {7.0, -3.0, 0.25}, 1, 3).requiresGrad(true);
        Tensor y = batchNorm(one, gamma, beta, 1e-5, true);
        y.sum().backward();
        line("A batch of ONE example x = (7, -3, 0.25), γ = (1.5, 0.5, 2), β = (0.1, -0.2, 0.3):");
        line("  batch mean = x itself, batch variance = 0, x̂ = 0/√ε = 0, y = %s = β for any x",
                MiniBatchMean.vec(y.detach().toDoubleArray()));
        line("  ∂Σy/∂x = %s: no gradient reaches the input", MiniBatchMean.vec(one.grad().toDoubleArray()));
        figure("batch1OutputMinusBeta", y.detach().sub(beta).abs().max().item());
        figure("batch1InputGradient", one.grad().abs().max().item());
        BatchNorm1d layer = new BatchNorm1d(3);
        layer.train();
        try {
            layer.forward(one.detach().toType(DType.FLOAT32));
            figure("refused", 0);
        } catch (IllegalArgumentException e) {
            line("so nabla's BatchNorm1d refuses to train on a batch of one:");
            line("  %s", e.getMessage());
            figure("refused", 1);
        }
        layer.eval();
        figure("evalBatchOfOne", layer.forward(one.detach().toType(DType.FLOAT32)).numel());
        line("in evaluation mode it uses the running mean and variance, so a single example is fine.");
        line("(PyTorch: \"Expected more than 1 value per channel when training\".)");
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new BatchNormBatchOfOne(), args);
    }
}
