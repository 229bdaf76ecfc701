package dev.nabla.course;

import dev.nabla.nn.Losses;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/**
 * The course's table of output layers and losses per task, each row computed with nabla on a
 * small example (and by hand): sigmoid + binary cross-entropy, softmax + categorical
 * cross-entropy, linear + mean squared error, a sigmoid per label + binary cross-entropy per
 * label; hierarchical softmax is shown in full by {@link HierarchicalSoftmaxProgram}.
 */
public final class OutputsAndLosses extends CourseProgram {
    @Override
    public String name() {
        return "outputs-and-losses";
    }

    @Override
    public String title() {
        return "which output layer and loss for which task, each computed on an example";
    }

    @Override
    protected void compute() throws IOException {
        line("%-46s %-22s %-34s %s", "task", "output", "loss", "nabla");
        line("%-46s %-22s %-34s %s", "binary classification (misinformation or not)", "sigmoid", "binary cross-entropy",
                "Losses.binaryCrossEntropyWithLogits");
        line("%-46s %-22s %-34s %s", "multi-class, one label (fruit type)", "softmax", "categorical cross-entropy",
                "Losses.crossEntropy (from logits)");
        line("%-46s %-22s %-34s %s", "regression (distance to obstacle)", "linear", "mean squared error", "Losses.mseLoss");
        line("%-46s %-22s %-34s %s", "multi-label (video tags)", "sigmoid per label", "binary cross-entropy per label",
                "Losses.binaryCrossEntropyWithLogits");
        line("%-46s %-22s %-34s %s", "next word of 100,000 in a hierarchy", "hierarchical softmax", "cross-entropy along the tree path",
                "HierarchicalSoftmax.loss");
        line("");
        line("Examples:");
        double z = 1.2;
        double bce = Losses.binaryCrossEntropyWithLogits(Tensor.of(new double[] {z}), Tensor.of(new double[] {1})).item();
        line("  binary: logit 1.2, label 1: −ln σ(1.2) = %.6f (by hand %.6f)", figure("binary", bce), Math.log1p(Math.exp(-z)));
        Tensor logits = Tensor.of(new double[] {2, 1, 0.1}, 1, 3);
        double ce = Losses.crossEntropy(logits, Tensor.of(new long[] {0}, 1)).item();
        double byHand = -Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(1) + Math.exp(0.1)));
        line("  multi-class: logits (2, 1, 0.1), class 0 (apple): −ln softmax₀ = %.6f (by hand %.6f)", figure("multiClass", ce), byHand);
        double mse = Losses.mseLoss(Tensor.of(new double[] {2.5, 4.0}), Tensor.of(new double[] {3.0, 3.0})).item();
        line("  regression: predictions (2.5, 4.0) m, targets (3, 3) m: mean (ŷ − y)² = %.6f (by hand %.6f)", figure("regression", mse),
                (0.25 + 1.0) / 2);
        double[] tl = {2, -1, 0.5}, tags = {1, 0, 1};
        double ml = Losses.binaryCrossEntropyWithLogits(Tensor.of(tl), Tensor.of(tags)).item();
        double mlHand = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(-0.5))) / 3;
        line("  multi-label: logits (2, -1, 0.5), tags (1, 0, 1): mean BCE over the labels = %.6f (by hand %.6f)", figure("multiLabel", ml), mlHand);
        line("  hierarchical softmax: one softmax over V = 100,000 words (O(V) per word) becomes binary decisions along the");
        line("  word's path in a tree (O(log V) ≈ 17 sigmoid units); the loss is the cross-entropy of those decisions");
        line("  (./nabla course hierarchical-softmax).");
        figure("hierarchicalSoftmaxImplemented", 1);
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new OutputsAndLosses(), args);
    }
}
