package dev.nabla.dashboard;

import dev.nabla.data.Dataset;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.ConfusionMatrix;
import dev.nabla.train.GradientMonitor;
import dev.nabla.train.History;
import dev.nabla.train.LrFinder;
import dev.nabla.train.Trainer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link dev.nabla.train.Callback} that sends what training does to a {@link DashboardServer}: the running
 * loss and metrics and the learning rate as the steps go (at most every 0.1 s, and each epoch's
 * last step), and after each epoch its train and validation values, what {@link GradientMonitor}
 * measures per layer (gradient and weight norms, dead-ReLU fractions, vanishing/exploding
 * warnings), and as configured a confusion matrix, sample predictions and a 1-D regression's fit.
 * The page computes progress and the remaining time from the steps' times.
 */
public final class LiveDashboard extends MonitoringCallback<LiveDashboard> {
    private static final long BATCH_INTERVAL_NANOS = 100_000_000L;

    private final DashboardServer server;
    private final String title;
    private final int epochs;
    private Dataset confusionData;
    private List<String> classNames;
    private Tensor curveX, curveY;
    private long start, lastBatch;
    private int warningsSent;

    /** A dashboard of a fit of the given number of epochs, under a title (the spec's name). */
    public LiveDashboard(DashboardServer server, String title, int epochs) {
        this.server = server;
        this.title = title;
        this.epochs = epochs;
    }

    /** A classifier's confusion matrix on data (e.g. the first test examples) after each epoch. */
    public LiveDashboard confusion(Dataset data, List<String> classNames) {
        this.confusionData = data;
        this.classNames = List.copyOf(classNames);
        return this;
    }

    /** A 1-D regression's fit after each epoch: the network on inputs x [n, 1] against the true y. */
    public LiveDashboard curve(Tensor x, Tensor y) {
        this.curveX = x.detach();
        this.curveY = y.detach();
        return this;
    }

    private double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        super.onTrainBegin(trainer);
        start = System.nanoTime();
        lastBatch = start - BATCH_INTERVAL_NANOS;
        warningsSent = 0;
        server.publish(new Json().begin().field("type", "begin").field("title", title).field("epochs", epochs)
                .array("layers", monitor.layers().stream().map(monitor::label).toList()).end().toString());
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, Map<String, Double> logs) {
        super.onBatchEnd(trainer, epoch, batch, batches, logs);
        long now = System.nanoTime();
        if (now - lastBatch < BATCH_INTERVAL_NANOS && batch != batches - 1) return;
        lastBatch = now;
        server.publish(new Json().begin().field("type", "batch").field("epoch", epoch + 1).field("batch", batch + 1)
                .field("batches", batches).field("step", (double) epoch * batches + batch + 1).field("t", seconds())
                .field("lr", trainer.optimizer().lr()).object("logs", logs).end().toString());
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        super.onEpochEnd(trainer, epoch, logs);
        GradientMonitor.EpochStats s = lastEpoch();
        Json j = new Json().begin().field("type", "epoch").field("epoch", epoch + 1).field("t", seconds()).object("logs", logs)
                .object("gradNorms", labelled(s.gradNorms())).object("weightNorms", labelled(s.weightNorms()))
                .object("dead", s.deadFractions());
        List<String> warnings = monitor.warnings();
        j.array("warnings", warnings.subList(warningsSent, warnings.size()));
        warningsSent = warnings.size();
        if (confusionData != null) {
            ConfusionMatrix cm = ConfusionMatrix.of(trainer.model(), confusionData, 500, classNames.size());
            j.key("confusion").begin().array("classes", classNames).field("accuracy", cm.accuracy()).key("counts").begin();
            long[][] counts = cm.counts();
            for (int r = 0; r < counts.length; r++) {
                double[] row = new double[counts[r].length];
                for (int c = 0; c < row.length; c++) row[c] = counts[r][c];
                j.array(String.valueOf(r), row);
            }
            j.end().end();
        }
        if (samples != null) {
            long[] predicted = samples.predict(trainer.model());
            long wrong = 0;
            long[] truth = samples.truth();
            for (int i = 0; i < truth.length; i++) if (predicted[i] != truth[i]) wrong++;
            j.key("samples").begin().field("image", "data:image/png;base64," + Base64.getEncoder().encodeToString(Images.png(samples.render(predicted))))
                    .field("wrong", wrong).field("count", truth.length).end();
        }
        if (curveX != null) {
            Tensor pred;
            boolean wasTraining = trainer.model().isTraining();
            trainer.model().eval();
            try (var scope = GradMode.noGrad()) {
                pred = trainer.model().forward(curveX);
            } finally {
                if (wasTraining) trainer.model().train();
            }
            j.key("fit").begin().array("x", curveX.toDoubleArray()).array("y", curveY.toDoubleArray())
                    .array("prediction", pred.toDoubleArray()).end();
        }
        server.publish(j.end().toString());
    }

    private Map<String, Double> labelled(Map<String, Double> byLayer) {
        Map<String, Double> out = new LinkedHashMap<>();
        byLayer.forEach((k, v) -> out.put(monitor.label(k), v));
        return out;
    }

    /** Shows a learning-rate range test's result: the loss (raw and smoothed) against the rate, and the suggested rate. */
    public static void publishLrFinder(DashboardServer server, String title, LrFinder.Result r) {
        server.publish(new Json().begin().field("type", "lrfind").field("title", title).array("lr", r.lrs()).array("loss", r.losses())
                .array("smoothed", r.smoothed()).field("suggestion", r.suggestion()).end().toString());
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        server.publish(new Json().begin().field("type", "end").field("t", seconds()).field("epochs", history.size()).end().toString());
    }
}
