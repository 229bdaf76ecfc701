package dev.nabla.train;

import dev.nabla.data.Batch;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The step of plain {@code fit}: one model, one optimizer, one loss, metrics on the predictions.
 * Forward, loss, backward over the context's micro-batches ({@link StepContext#gradients}: in this
 * JVM or on a cluster, the same bits), then the update (check, clip, step); the loss is the batch
 * mean, so full-batch, mini-batch and single-example gradient descent differ only in the batch
 * size. Its values are "loss" and each metric by name.
 */
public final class SupervisedStep implements TrainStep {
    private final Layer model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<Metric> metrics;

    /** A step training model by optimizer on loss, reporting the given metrics. */
    public SupervisedStep(Layer model, Optimizer optimizer, Loss loss, Metric... metrics) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.metrics = List.of(metrics);
    }

    @Override
    public Map<String, Double> trainStep(Batch batch, StepContext context) {
        Tensor predictions = model.forward(batch.inputs());
        double value = context.update(optimizer, loss.apply(predictions, batch.targets()));
        return logs(value, batch, predictions.detach());
    }

    /** The batch's gradient over the context's micro-batches (on its engine), then the update. */
    @Override
    public Map<String, Double> trainStep(Dataset data, int[] indices, StepContext context) {
        optimizer.zeroGrad();
        MicroBatches.Part part = context.gradients(model, loss, metrics, data, indices);
        double value = context.step(optimizer, part.loss());
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", value);
        for (int i = 0; i < metrics.size(); i++) m.put(metrics.get(i).name(), part.metricSum(i) / part.metricCount(i));
        return m;
    }

    @Override
    public Map<String, Double> testStep(Batch batch) {
        Tensor predictions = model.forward(batch.inputs());
        return logs(loss.apply(predictions, batch.targets()).item(), batch, predictions);
    }

    private Map<String, Double> logs(double lossValue, Batch batch, Tensor predictions) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", lossValue);
        for (Metric metric : metrics) {
            double[] t = metric.batchTotal(predictions, batch.targets());
            m.put(metric.name(), t[0] / t[1]);
        }
        return m;
    }

    /** The model. */
    public Layer model() {
        return model;
    }

    /** The optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public Map<String, Layer> models() {
        return Map.of("model", model);
    }

    /** The optimizer by name; none for a step made only to evaluate and predict (optimizer null). */
    @Override
    public Map<String, Optimizer> optimizers() {
        return optimizer == null ? Map.of() : Map.of("optimizer", optimizer);
    }
}
