package dev.nabla.optim;

import dev.nabla.nn.Layer;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * An exponential moving average of a model's weights (Polyak averaging), kept in a second model
 * of the same architecture: after each {@link #update()}, every parameter a of the average moves
 * toward the trained model's p by a ← a + (1 − decay)·(p − a), and every buffer (BatchNorm's
 * running statistics) is copied from the trained model. The average is what a GAN samples from
 * (Karras et al. 2018, Brock et al. 2019) and what many training recipes evaluate: it smooths the
 * last steps' noise out of the weights.
 *
 * <p>This is PyTorch's {@code AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))}
 * (buffers kept in sync, as its {@code use_buffers=False}) after one first
 * {@code update_parameters} at construction: here the average starts as a copy of the model when
 * it is made.
 *
 * <pre>{@code
 * Layer average = buildSameNetwork();
 * var ema = new ExponentialMovingAverage(model, average, 0.999);
 * // after each optimizer.step():
 * ema.update();
 * Tensor y = ema.average().eval().forward(x);
 * }</pre>
 */
public final class ExponentialMovingAverage {
    private final Map<String, Tensor> trained, averaged;
    private final Set<String> parameterNames;
    private final Layer average;
    private final double decay;

    /**
     * Averages model's weights in average, a model of the same architecture (same state-dict
     * names, shapes and types), which is overwritten with a copy of model's state now. decay is
     * the weight of the past, in [0, 1]: 0.999 averages over about the last 1,000 updates.
     */
    public ExponentialMovingAverage(Layer model, Layer average, double decay) {
        if (!(decay >= 0 && decay <= 1)) {
            throw new IllegalArgumentException("ExponentialMovingAverage: decay " + decay
                    + " must be in [0, 1] (the weight of the past; 0.999 is usual)");
        }
        if (model == average) {
            throw new IllegalArgumentException("ExponentialMovingAverage: the average must be a second model of the same"
                    + " architecture, not the trained model itself");
        }
        this.trained = model.stateDict();
        this.averaged = average.stateDict();
        if (!trained.keySet().equals(averaged.keySet())) {
            throw new IllegalArgumentException("ExponentialMovingAverage: the average's state " + averaged.keySet()
                    + " does not match the model's " + trained.keySet() + "; build the average from the same architecture");
        }
        for (var e : trained.entrySet()) {
            Tensor a = averaged.get(e.getKey());
            if (!Arrays.equals(a.shape(), e.getValue().shape()) || a.dtype() != e.getValue().dtype()) {
                throw new IllegalArgumentException("ExponentialMovingAverage: '" + e.getKey() + "' is "
                        + e.getValue().dtype() + Arrays.toString(e.getValue().shape()) + " in the model but " + a.dtype()
                        + Arrays.toString(a.shape()) + " in the average; build the average from the same architecture");
            }
        }
        this.parameterNames = average.namedParameters().keySet();
        this.average = average;
        this.decay = decay;
        average.loadStateDict(trained);
    }

    /** Moves the average's parameters toward the model's and copies its buffers; call it after each optimizer step. */
    public void update() {
        try (var s = GradMode.noGrad()) {
            for (var e : averaged.entrySet()) {
                Tensor a = e.getValue(), p = trained.get(e.getKey());
                if (parameterNames.contains(e.getKey()) && a.dtype().isFloating()) {
                    a.addInPlace(p.sub(a).mul(1 - decay));
                } else {
                    a.copyFrom(p);
                }
            }
        }
    }

    /** The model holding the average. */
    public Layer average() {
        return average;
    }

    /** The weight of the past in each update. */
    public double decay() {
        return decay;
    }
}
