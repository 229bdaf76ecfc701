package dev.nabla.course;

import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/**
 * A two-layer network with sigmoid hidden units has a tanh twin computing exactly the same
 * function. Since σ(a) = (1 + tanh(a/2))/2: halve the first layer's weights and biases, halve
 * the output weights, and add half the sum of each output unit's weights to its bias.
 */
public final class SigmoidToTanh extends CourseProgram {
    @Override
    public String name() {
        return "sigmoid-to-tanh";
    }

    @Override
    public String title() {
        return "a sigmoid network converted to a tanh network with the same outputs";
    }

    /** The tanh network equal to Linear l1 → σ → Linear l2. */
    public static Sequential toTanh(Linear l1, Linear l2) {
        Linear t1 = (Linear) new Linear(l1.inFeatures(), l1.outFeatures(), new Generator(0)).toType(l1.weight().dtype());
        Linear t2 = (Linear) new Linear(l2.inFeatures(), l2.outFeatures(), new Generator(0)).toType(l2.weight().dtype());
        try (var s = GradMode.noGrad()) {
            t1.weight().copyFrom(l1.weight().mul(0.5));
            t1.bias().copyFrom(l1.bias().mul(0.5));
            t2.weight().copyFrom(l2.weight().mul(0.5));
            t2.bias().copyFrom(l2.bias().add(l2.weight().sum(1, false).mul(0.5)));
        }
        return new Sequential(t1, new Tanh(), t2);
    }

    @Override
    protected void compute() throws IOException {
        Generator g = new Generator(2);
        Linear l1 = (Linear) new Linear(3, 4, g).toType(DType.FLOAT64), l2 = (Linear) new Linear(4, 2, g).toType(DType.FLOAT64);
        Sequential sigmoidNet = new Sequential(l1, new Sigmoid(), l2);
        Sequential tanhNet = toTanh(l1, l2);
        line("Sigmoid network: y = W2 σ(W1 x + b1) + b2, 3 → 4 → 2, random weights (float64)");
        line("Tanh network:    y = W2' tanh(W1' x + b1') + b2' with, since σ(a) = (1 + tanh(a/2))/2,");
        line("  W1' = W1/2, b1' = b1/2, W2' = W2/2, b2' = b2 + ½ Σⱼ W2[:, j]");
        Tensor x = Tensor.randn(new Generator(3), DType.FLOAT64, 100, 3).mul(3);
        Tensor ys, yt;
        try (var s = GradMode.noGrad()) {
            ys = sigmoidNet.forward(x);
            yt = tanhNet.forward(x);
        }
        for (int i = 0; i < 3; i++) {
            line("  x = %s: sigmoid net %s, tanh net %s", MiniBatchMean.vec(x.select(0, i).toDoubleArray()),
                    MiniBatchMean.vec(ys.select(0, i).toDoubleArray()), MiniBatchMean.vec(yt.select(0, i).toDoubleArray()));
        }
        double d = ys.sub(yt).abs().max().item();
        line("largest difference over 100 random inputs: %.1e", figure("maxDifference", d));
        figure("outputScale", ys.abs().max().item());
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new SigmoidToTanh(), args);
    }
}
