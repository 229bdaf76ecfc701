package dev.nabla.course;

import dev.nabla.nn.Init;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/**
 * Weight-space symmetry: initialize every weight to the same value and all hidden units compute
 * the same thing, receive the same gradient and stay identical forever; the network is no better
 * than one with a single hidden unit (it cannot learn XOR). Random initialization breaks the
 * symmetry.
 */
public final class WeightSymmetry extends CourseProgram {
    static final float[] XOR_X = {0, 0, 0, 1, 1, 0, 1, 1};
    static final float[] XOR_Y = {0, 1, 1, 0};

    @Override
    public String name() {
        return "symmetry";
    }

    @Override
    public String title() {
        return "constant initialization keeps every hidden unit identical; random initialization does not";
    }

    /** Trains 2 → 4 tanh → 1 on XOR with full-batch SGD; returns {max pairwise difference of the hidden units, final loss}. */
    double[] train(String label, boolean constant, int steps) {
        Generator g = new Generator(3);
        Linear hidden = new Linear(2, 4, g), output = new Linear(4, 1, g);
        if (constant) {
            for (Linear l : new Linear[] {hidden, output}) {
                Init.constant(l.weight(), 0.5);
                Init.constant(l.bias(), 0.1);
            }
        }
        Sequential net = new Sequential(hidden, new Tanh(), output);
        Tensor x = Tensor.of(XOR_X, 4, 2), y = Tensor.of(XOR_Y, 4, 1);
        SGD sgd = new SGD(net.parameters(), 0.2);
        double loss = 0;
        for (int s = 0; s < steps; s++) {
            sgd.zeroGrad();
            Tensor l = Losses.mseLoss(net.forward(x), y);
            loss = l.item();
            l.backward();
            sgd.step();
        }
        // hidden unit j: its incoming weights W1[j, :], its bias b1[j] and its outgoing weight W2[0, j]
        float[] w1 = hidden.weight().toFloatArray(), b1 = hidden.bias().toFloatArray(), w2 = output.weight().toFloatArray();
        double maxDiff = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = i + 1; j < 4; j++) {
                double d = Math.max(Math.abs(b1[i] - b1[j]), Math.abs(w2[i] - w2[j]));
                for (int k = 0; k < 2; k++) d = Math.max(d, Math.abs(w1[2 * i + k] - w1[2 * j + k]));
                maxDiff = Math.max(maxDiff, d);
            }
        }
        line("%s, after %d steps of SGD on XOR (loss %.6f):", label, steps, loss);
        for (int j = 0; j < 4; j++) {
            line("  hidden unit %d: in (%.7f, %.7f), bias %.7f, out %.7f", j + 1, w1[2 * j], w1[2 * j + 1], b1[j], w2[j]);
        }
        line("  largest difference between two hidden units: %s", maxDiff == 0 ? "0 (exactly)" : String.format(java.util.Locale.ROOT, "%.4f", maxDiff));
        return new double[] {maxDiff, loss};
    }

    @Override
    protected void compute() throws IOException {
        line("A 2 → 4 tanh → 1 network learning XOR with the mean squared error, full-batch SGD, lr 0.2");
        double[] c = train("Every weight 0.5, every bias 0.1", true, 2000);
        figure("constantMaxDifference", c[0]);
        figure("constantLoss", c[1]);
        line("");
        double[] r = train("Random initialization (PyTorch's default, seed 3)", false, 2000);
        figure("randomMaxDifference", r[0]);
        figure("randomLoss", r[1]);
        line("");
        line("With equal weights the four units get equal gradients at every step, so they stay one unit repeated four");
        line("times, and one tanh unit cannot separate XOR (loss %.3f); random weights break the tie (loss %.3f).", c[1], r[1]);
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new WeightSymmetry(), args);
    }
}
