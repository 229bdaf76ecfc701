package dev.nabla.train;

import dev.nabla.data.Batch;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Layer;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Counts of (true class, predicted class) pairs of a classifier, from which come the accuracy,
 * the per-class accuracy (the fraction of each true class predicted right, i.e. its recall) and
 * the classes most often confused. Rows are true classes, columns predictions, as in
 * scikit-learn's {@code confusion_matrix}.
 *
 * <pre>{@code
 * ConfusionMatrix cm = ConfusionMatrix.of(model, testData, 1000, 10);
 * System.out.print(cm.format(FashionMnist.CLASSES));
 * }</pre>
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    /** An empty matrix of numClasses × numClasses. */
    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1) throw new IllegalArgumentException("ConfusionMatrix: " + numClasses + " classes; need at least 1");
        counts = new long[numClasses][numClasses];
    }

    /** The matrix of model's predictions on data, run in eval mode without recording, batch by batch. */
    public static ConfusionMatrix of(Layer model, Dataset data, int batchSize, int numClasses) {
        ConfusionMatrix cm = new ConfusionMatrix(numClasses);
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = GradMode.noGrad()) {
            for (Batch b : new DataLoader(data, batchSize)) cm.add(model.forward(b.inputs()), b.targets());
        } finally {
            if (wasTraining) model.train();
        }
        return cm;
    }

    /** The number of classes. */
    public int numClasses() {
        return counts.length;
    }

    /**
     * Adds a batch: predictions [n, classes] (logits or probabilities; the argmax is the predicted
     * class) and int64 labels [n] (or one-hot/probability targets [n, classes]).
     */
    public ConfusionMatrix add(Tensor predictions, Tensor targets) {
        int k = counts.length;
        if (predictions.dim() != 2 || predictions.size(1) != k) {
            throw new IllegalArgumentException("ConfusionMatrix.add: predictions must be [batch, " + k + "], got "
                    + Arrays.toString(predictions.shape()));
        }
        Tensor labels = targets.dtype() == DType.INT64 ? targets : targets.argmax(1, false);
        if (labels.dim() != 1 || labels.size(0) != predictions.size(0)) {
            throw new IllegalArgumentException("ConfusionMatrix.add: targets " + Arrays.toString(targets.shape())
                    + " do not match predictions " + Arrays.toString(predictions.shape()) + "; give int64 labels [batch]");
        }
        long[] p = predictions.argmax(1, false).toLongArray(), t = labels.toLongArray();
        for (int i = 0; i < p.length; i++) {
            if (t[i] < 0 || t[i] >= k) {
                throw new IllegalArgumentException("ConfusionMatrix.add: label " + t[i] + " outside [0, " + k + ")");
            }
            counts[(int) t[i]][(int) p[i]]++;
        }
        return this;
    }

    /** How many examples of class trueClass were predicted as predicted. */
    public long count(int trueClass, int predicted) {
        return counts[trueClass][predicted];
    }

    /** A copy of the counts, [true class][predicted class]. */
    public long[][] counts() {
        long[][] out = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) out[i] = counts[i].clone();
        return out;
    }

    /** The number of examples counted. */
    public long total() {
        long n = 0;
        for (long[] row : counts) for (long v : row) n += v;
        return n;
    }

    /** The number of examples of each true class. */
    public long[] support() {
        long[] s = new long[counts.length];
        for (int i = 0; i < counts.length; i++) for (long v : counts[i]) s[i] += v;
        return s;
    }

    /** The fraction of all examples predicted right (NaN when empty). */
    public double accuracy() {
        long right = 0;
        for (int i = 0; i < counts.length; i++) right += counts[i][i];
        long n = total();
        return n == 0 ? Double.NaN : (double) right / n;
    }

    /** For each true class, the fraction of its examples predicted right (NaN for a class with none). */
    public double[] perClassAccuracy() {
        long[] s = support();
        double[] acc = new double[counts.length];
        for (int i = 0; i < counts.length; i++) acc[i] = s[i] == 0 ? Double.NaN : (double) counts[i][i] / s[i];
        return acc;
    }

    /**
     * The matrix and the per-class accuracy as text: rows are true classes, columns predicted
     * ones (by index; the names head the rows), then per class the accuracy and the class it is
     * most often mistaken for.
     *
     * @param classNames the name of each class, or null to use the indices
     */
    public String format(List<String> classNames) {
        int k = counts.length;
        if (classNames != null && classNames.size() != k) {
            throw new IllegalArgumentException("ConfusionMatrix.format: " + classNames.size() + " names for " + k + " classes");
        }
        String[] names = new String[k];
        int nameWidth = 0;
        for (int i = 0; i < k; i++) {
            names[i] = i + " " + (classNames == null ? "" : classNames.get(i));
            nameWidth = Math.max(nameWidth, names[i].length());
        }
        long max = 1;
        for (long[] row : counts) for (long v : row) max = Math.max(max, v);
        int cell = Math.max(Long.toString(max).length(), Integer.toString(k - 1).length()) + 1;
        StringBuilder sb = new StringBuilder();
        sb.append("confusion matrix (rows: true class, columns: predicted class)\n");
        sb.append(" ".repeat(nameWidth));
        for (int j = 0; j < k; j++) sb.append(String.format(Locale.ROOT, "%" + cell + "d", j));
        sb.append('\n');
        for (int i = 0; i < k; i++) {
            sb.append(String.format(Locale.ROOT, "%-" + nameWidth + "s", names[i]));
            for (int j = 0; j < k; j++) sb.append(String.format(Locale.ROOT, "%" + cell + "d", counts[i][j]));
            sb.append('\n');
        }
        sb.append("per-class accuracy\n");
        long[] s = support();
        double[] acc = perClassAccuracy();
        for (int i = 0; i < k; i++) {
            sb.append(String.format(Locale.ROOT, "%-" + nameWidth + "s  %6.2f%%  (%d/%d)", names[i], 100 * acc[i], counts[i][i], s[i]));
            int worst = -1;
            for (int j = 0; j < k; j++) if (j != i && counts[i][j] > 0 && (worst < 0 || counts[i][j] > counts[i][worst])) worst = j;
            if (worst >= 0) sb.append("  most often taken for ").append(names[worst].trim()).append(" (").append(counts[i][worst]).append(')');
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "accuracy %.2f%% (%d examples)%n", 100 * accuracy(), total()));
        return sb.toString();
    }

    @Override
    public String toString() {
        return format(null);
    }
}
