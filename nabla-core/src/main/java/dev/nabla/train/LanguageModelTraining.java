package dev.nabla.train;

import dev.nabla.data.Batch;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.nn.NeuralLanguageModel;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop of a {@link NeuralLanguageModel} and its measures. It is a loop of its own,
 * not {@link Trainer}, because the model's loss needs the targets inside the output layer and
 * because nothing here may densify the row-sparse gradients (Trainer scans every gradient for
 * non-finite values; this loop checks the loss). Perplexity is exp(mean −log p(next word)) over
 * every example of a set, the unigram baseline's the same with p(w) = count(w) / total count of
 * the training text.
 */
public final class LanguageModelTraining {
    private LanguageModelTraining() {}

    /** One epoch: the mean training loss, the validation perplexity (NaN without validation data), the wall time. */
    public record Epoch(double loss, double validationPerplexity, double seconds) {}

    /** Trains for the given epochs, shuffling with the seed; prints a progress line per epoch to out (null: silent). */
    public static List<Epoch> fit(NeuralLanguageModel model, Optimizer optimizer, Dataset train, Dataset validation,
                                  int epochs, int batchSize, long seed, PrintStream out) {
        DataLoader loader = new DataLoader(train, batchSize, true, false, seed);
        Progress progress = out == null ? null : new Progress(out, epochs, loader.numBatches());
        List<Epoch> history = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            long start = System.nanoTime();
            model.train();
            double sum = 0;
            long count = 0;
            int batch = 0;
            for (Batch b : loader) {
                optimizer.zeroGrad();
                Tensor loss = model.loss(b.inputs(), b.targets());
                double value = loss.item();
                if (!Double.isFinite(value)) {
                    throw new NonFiniteException("the loss became " + value + " at epoch " + (epoch + 1) + ", batch "
                            + (batch + 1) + "; try a smaller learning rate");
                }
                loss.backward();
                optimizer.step();
                sum += value * b.size();
                count += b.size();
                batch++;
                if (progress != null) progress.batch(epoch, batch, Map.of("loss", sum / count));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double valPerplexity = validation == null ? Double.NaN : perplexity(model, validation, 1024);
            history.add(new Epoch(sum / count, valPerplexity, seconds));
            if (progress != null) {
                Map<String, Double> logs = new LinkedHashMap<>();
                logs.put("loss", sum / count);
                if (validation != null) logs.put("val_perplexity", valPerplexity);
                logs.put("s", seconds);
                progress.epochEnd(epoch, logs);
            }
        }
        model.eval();
        return history;
    }

    /** exp of the mean −log p(target | context) over data, in eval mode without recording. */
    public static double perplexity(NeuralLanguageModel model, Dataset data, int batchSize) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double sum = 0;
        try (var scope = GradMode.noGrad()) {
            for (Batch b : new DataLoader(data, batchSize)) sum += model.loss(b.inputs(), b.targets()).item() * b.size();
        } finally {
            if (wasTraining) model.train();
        }
        return Math.exp(sum / data.size());
    }

    /**
     * The perplexity of the unigram model p(w) = counts[w] / Σ counts on the given targets. A
     * target with count zero makes it infinite (build the counts from the text the targets' ids
     * come from: every unseen word is {@code <unk>}).
     */
    public static double unigramPerplexity(long[] counts, long[] targets) {
        double total = 0;
        for (long c : counts) total += c;
        double sum = 0;
        for (long t : targets) sum -= Math.log(counts[(int) t] / total);
        return Math.exp(sum / targets.length);
    }
}
