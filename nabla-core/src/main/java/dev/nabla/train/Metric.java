package dev.nabla.train;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * A quantity averaged over the examples of an epoch: updated batch by batch with predictions and
 * targets, read once at the end. The built-in ones are Keras's: accuracy, binary accuracy,
 * mean squared error and mean absolute error.
 */
public interface Metric {
    /** The name in logs and History, e.g. "accuracy" (validation adds the prefix "val_"). */
    String name();

    /** The sum of the metric over the batch's examples, and their count. */
    double[] batchTotal(Tensor predictions, Tensor targets);

    /**
     * Multi-class accuracy: argmax of the predictions (logits or probabilities, [n, classes])
     * against int64 labels [n] or one-hot/probability targets [n, classes].
     */
    Metric ACCURACY = new Metric() {
        @Override
        public String name() {
            return "accuracy";
        }

        @Override
        public double[] batchTotal(Tensor predictions, Tensor targets) {
            if (predictions.dim() != 2) {
                throw new IllegalArgumentException("accuracy: predictions must be [batch, classes], got "
                        + Arrays.toString(predictions.shape()));
            }
            Tensor labels = targets.dtype() == DType.INT64 ? targets : targets.argmax(1, false);
            if (labels.dim() != 1 || labels.size(0) != predictions.size(0)) {
                throw new IllegalArgumentException("accuracy: targets " + Arrays.toString(targets.shape())
                        + " do not match predictions " + Arrays.toString(predictions.shape()));
            }
            long[] p = predictions.argmax(1, false).toLongArray(), t = labels.toLongArray();
            int hits = 0;
            for (int i = 0; i < p.length; i++) if (p[i] == t[i]) hits++;
            return new double[] {hits, p.length};
        }
    };

    /** Binary accuracy: a prediction (a probability) above 0.5 counts as class 1. */
    Metric BINARY_ACCURACY = new Metric() {
        @Override
        public String name() {
            return "binary_accuracy";
        }

        @Override
        public double[] batchTotal(Tensor predictions, Tensor targets) {
            double[] p = predictions.toDoubleArray(), t = sameShape("binary_accuracy", predictions, targets).toDoubleArray();
            int hits = 0;
            for (int i = 0; i < p.length; i++) if ((p[i] > 0.5) == (t[i] > 0.5)) hits++;
            return new double[] {hits, p.length};
        }
    };

    /** Mean squared error over all elements. */
    Metric MSE = elementwise("mse", (p, t) -> (p - t) * (p - t));

    /** Mean absolute error over all elements. */
    Metric MAE = elementwise("mae", (p, t) -> Math.abs(p - t));

    private static Metric elementwise(String name, java.util.function.DoubleBinaryOperator f) {
        return new Metric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double[] batchTotal(Tensor predictions, Tensor targets) {
                double[] p = predictions.toDoubleArray(), t = sameShape(name, predictions, targets).toDoubleArray();
                double s = 0;
                for (int i = 0; i < p.length; i++) s += f.applyAsDouble(p[i], t[i]);
                return new double[] {s, p.length};
            }
        };
    }

    private static Tensor sameShape(String name, Tensor predictions, Tensor targets) {
        if (!Arrays.equals(predictions.shape(), targets.shape())) {
            if (predictions.numel() == targets.numel()) {
                try (var s = GradMode.noGrad()) {
                    return targets.reshape(predictions.shape());
                }
            }
            throw new IllegalArgumentException(name + ": predictions " + Arrays.toString(predictions.shape())
                    + " and targets " + Arrays.toString(targets.shape()) + " differ in size");
        }
        return targets;
    }

    /** A built-in metric by its name (accuracy, binary_accuracy, mse, mae). */
    static Metric named(String name) {
        return switch (name) {
            case "accuracy" -> ACCURACY;
            case "binary_accuracy" -> BINARY_ACCURACY;
            case "mse" -> MSE;
            case "mae" -> MAE;
            default -> throw new IllegalArgumentException("unknown metric '" + name
                    + "'; choose one of accuracy, binary_accuracy, mse, mae");
        };
    }
}
