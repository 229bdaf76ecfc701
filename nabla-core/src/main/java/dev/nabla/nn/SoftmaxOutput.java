package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The full softmax output: a {@link Linear}(inFeatures, classes) layer whose logits go through
 * cross-entropy. O(classes × inFeatures) per example, the cost {@link HierarchicalSoftmax}
 * avoids; kept as the exact baseline it is compared with.
 */
public final class SoftmaxOutput extends Linear implements ClassOutput {
    /** A layer initialized as PyTorch's Linear, from gen. */
    public SoftmaxOutput(int inFeatures, int classes, Generator gen) {
        super(inFeatures, classes, gen);
    }

    @Override
    public Tensor loss(Tensor h, Tensor target) {
        return Losses.crossEntropy(forward(h), target);
    }

    @Override
    public Tensor logProbabilities(Tensor h) {
        return forward(h).logSoftmax(1);
    }

    @Override
    public int numClasses() {
        return outFeatures();
    }

    /** The constructor's arguments by name (for a layer registry and the model file). */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("inFeatures", inFeatures());
        c.put("classes", outFeatures());
        return c;
    }
}
