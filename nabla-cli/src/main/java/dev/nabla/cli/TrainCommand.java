package dev.nabla.cli;

import dev.nabla.data.Batch;
import dev.nabla.data.DataFileException;
import dev.nabla.data.Dataset;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.spec.DataSpec;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.io.spec.GanSpec;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.io.spec.SpecException;
import dev.nabla.nn.Layer;
import dev.nabla.plot.ImageGrid;
import dev.nabla.plot.LineChart;
import dev.nabla.tensor.GradMode;
import dev.nabla.train.ConfusionMatrix;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla train SPEC.json}: trains the network a spec describes, with a progress bar,
 * prints the final and test metrics, saves the model (spec + safetensors weights) and writes
 * the loss curves and, for a 1-D regression, the fitted curve as PNG files. For a classifier
 * it also prints the test set's confusion matrix and per-class accuracy and draws sample test
 * images with their predicted and true labels ({@code samples.png}, mistakes in red). A spec
 * of type "gan" is trained by {@link GanTraining}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the network of a JSON spec; save the model and plots into an output folder.")
public final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC.json", description = "the experiment spec (see examples/)")
    Path specFile;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: out/<spec name>)")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "override the spec's number of epochs")
    Integer epochs;

    @Option(names = "--data", paramLabel = "DIR", description = "where the data is: replaces the spec's data folder (idx,"
            + " e.g. Fashion-MNIST) or data file (csv)")
    Path data;

    @Option(names = "--classifier", paramLabel = "DIR", description = "GAN specs: the saved Fashion-MNIST classifier"
            + " (images in [0, 1]) of the score, instead of training one")
    Path classifier;

    @Option(names = "--score-images", paramLabel = "N", description = "GAN specs: score this many generated images"
            + " (default: the spec's evaluation.scoreImages)")
    Integer scoreImages;

    /** How many test images samples.png shows. */
    static final int SAMPLES = 40;

    @Override
    public Integer call() throws IOException {
        if (Files.isRegularFile(specFile) && GanSpec.isGan(specFile)) {
            return new GanTraining().run(specFile, out, epochs, data, classifier, scoreImages);
        }
        PrintStream o = System.out;
        ExperimentSpec spec;
        try {
            spec = ExperimentSpec.read(specFile, data);
        } catch (SpecException e) {
            System.err.println("nabla train: " + specFile + ": " + e.getMessage());
            return 2;
        }
        DataSpec.Loaded d;
        try {
            d = spec.data();
        } catch (SpecException | DataFileException e) {
            return failed(specFile, e);
        }
        Path dir = out != null ? out : Path.of("out", spec.name());
        Layer model = spec.model().model();
        o.print(model.summary(spec.model().inputShape()));
        var options = spec.fitOptions();
        if (epochs != null) options.epochs(epochs);
        Trainer trainer = new Trainer(model, spec.optimizer(model.parameters()), spec.loss(), spec.metrics());
        long start = System.nanoTime();
        History history = trainer.fit(d.train(), options);
        double seconds = (System.nanoTime() - start) / 1e9;
        o.printf(Locale.ROOT, "trained %d epochs in %.2f s (%.2f s per epoch, validation included)%n", history.size(), seconds,
                seconds / Math.max(1, history.size()));
        o.println("final: " + format(history.epochs().get(history.size() - 1)));
        Dataset test = d.test();
        ConfusionMatrix confusion = null;
        if (test != null) {
            Map<String, Double> t = trainer.evaluate(test, 1000);
            o.println("test (" + test.size() + " " + (d.classNames() != null ? "examples" : "points") + "): " + format(t));
            if (spec.lossName().equals("mse")) o.printf(Locale.ROOT, "test MSE: %.4e%n", t.get("loss"));
            if (d.classNames() != null && spec.model().outputShape().length == 1
                    && spec.model().outputShape()[0] == d.classNames().size()) {
                confusion = ConfusionMatrix.of(model, test, 1000, d.classNames().size());
                o.printf(Locale.ROOT, "test accuracy: %.2f%%%n", 100 * confusion.accuracy());
                o.print(confusion.format(d.classNames()));
            }
        }
        SavedModel.save(dir.resolve("model"), spec.modelJson(), model);
        o.println("model saved to " + dir.resolve("model"));
        Path losses = dir.resolve("loss.png");
        double[] epochAxis = new double[history.size()];
        for (int i = 0; i < epochAxis.length; i++) epochAxis[i] = i + 1;
        LineChart lc = new LineChart(spec.name() + ": loss per epoch").xLabel("epoch").yLabel(spec.lossName()).logY(true)
                .line("train", epochAxis, history.get("loss"));
        if (history.epochs().get(0).containsKey("val_loss")) lc.line("validation", epochAxis, history.get("val_loss"));
        lc.savePng(losses, 800, 500);
        o.println("plot: " + losses);
        if (confusion != null && d.imageShape() != null) {
            Path samples = dir.resolve("samples.png");
            int wrong = samples(samples, model, test, d);
            o.println("plot: " + samples + " (" + wrong + " of the first " + Math.min(SAMPLES, test.size())
                    + " test images misclassified, in red)");
        }
        if (spec.isCurveFit() && test instanceof TensorDataset curve) {
            Path fit = dir.resolve("fit.png");
            double[] x = curve.inputs().toDoubleArray();
            TensorDataset train = (TensorDataset) d.all();
            new LineChart(spec.name() + ": fitted curve").xLabel("x").yLabel("y")
                    .line("true", x, curve.targets().toDoubleArray())
                    .dashed("network", x, trainer.predict(curve.inputs(), 1024).toDoubleArray())
                    .markers("data (training + validation)", train.inputs().toDoubleArray(), train.targets().toDoubleArray())
                    .savePng(fit, 800, 500);
            o.println("plot: " + fit);
        }
        return 0;
    }

    /** Prints a bad spec (exit code 2) or a missing or damaged data file (exit code 1) as nabla train's error. */
    static int failed(Path specFile, Exception e) {
        boolean spec = e instanceof SpecException;
        System.err.println("nabla train: " + (spec ? specFile + ": " : "") + e.getMessage());
        return spec ? 2 : 1;
    }

    // the first test images, captioned "pred: X / true: Y", the wrong ones in red; returns how many are wrong
    private static int samples(Path file, Layer model, Dataset test, DataSpec.Loaded d) throws IOException {
        int n = Math.min(SAMPLES, test.size());
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Batch b = test.get(idx);
        long[] predicted;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = GradMode.noGrad()) {
            predicted = model.forward(b.inputs()).argmax(1, false).toLongArray();
        } finally {
            if (wasTraining) model.train();
        }
        long[] truth = b.targets().toLongArray();
        int[] shape = d.imageShape(); // [channels, height, width]: draw the channels' mean
        int c = shape[0], h = shape[1], w = shape[2];
        float[] x = b.inputs().toFloatArray();
        float[][] images = new float[n][h * w];
        String[] captions = new String[n];
        boolean[] marked = new boolean[n];
        List<String> names = d.classNames();
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < h * w; p++) images[i][p] += x[(i * c + ch) * h * w + p] / c;
            }
            marked[i] = predicted[i] != truth[i];
            if (marked[i]) wrong++;
            captions[i] = "pred: " + names.get((int) predicted[i]) + "\ntrue: " + names.get((int) truth[i]);
        }
        ImageGrid.save(file, images, h, w, captions, marked, 8);
        return wrong;
    }

    private static String format(Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder();
        for (var e : logs.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.4e", e.getValue()));
        }
        return sb.toString();
    }
}
