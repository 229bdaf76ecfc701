package dev.nabla.spark;

import dev.nabla.data.Dataset;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Loss;
import dev.nabla.train.Metric;
import java.io.Serializable;
import java.util.List;

/**
 * What an executor needs to compute micro-batches: how to build the model's architecture, read
 * the training data, and the loss and metrics. It is serialized to every executor, so it holds
 * recipes (a spec, file paths), not tensors; each executor reads the data itself from a path it
 * can see, and only gradients travel back.
 *
 * <p>The training data must be the very dataset the driver's {@code fit} was given (same
 * examples in the same order): the driver sends indices into it.
 */
public interface TrainingJob extends Serializable {
    /** A key naming this job's data and architecture, for the executors' caches (e.g. the spec's path and hash). */
    String key();

    /** A new model of the job's architecture (its weights are replaced by the driver's every step). */
    Layer model();

    /** The training data, as given to fit on the driver. */
    Dataset trainingData();

    /** The loss, as in the driver's Trainer. */
    Loss loss();

    /** The metrics, in the driver's Trainer's order. */
    List<Metric> metrics();

    /** An optimizer over params of the driver's kind and settings (for {@link ParameterAveraging}'s workers). */
    Optimizer optimizer(List<Tensor> params);
}
