package dev.nabla.cli;

import dev.nabla.dashboard.DashboardServer;
import dev.nabla.data.Batch;
import dev.nabla.data.DataFileException;
import dev.nabla.data.Dataset;
import dev.nabla.data.Splits;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.Checkpoint;
import dev.nabla.io.spec.DataSpec;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.io.spec.GanSpec;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.io.train.ModelCheckpoint;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.plot.ImageGrid;
import dev.nabla.plot.LineChart;
import dev.nabla.spark.ParameterAveraging;
import dev.nabla.spark.SparkTraining;
import dev.nabla.spark.SpecJob;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.train.ConfusionMatrix;
import dev.nabla.train.FitOptions;
import dev.nabla.train.History;
import dev.nabla.train.NonFiniteException;
import dev.nabla.train.TrainStep;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nabla train SPEC.json}: trains the network a spec describes, with a progress bar,
 * checkpointing after every epoch, at most every {@value #CHECKPOINT_SECONDS} s ({@code --resume}
 * continues a killed run), prints the final and test
 * metrics, saves the model as one self-checking file ({@link SavedModel}) and writes
 * the loss curves and, for a 1-D regression, the fitted curve as PNG files. For a classifier
 * it also prints the test set's confusion matrix and per-class accuracy and draws sample test
 * images with their predicted and true labels ({@code samples.png}, mistakes in red). A spec
 * of type "gan" is trained by {@link GanTraining}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the network of a JSON spec; save the model and plots into an output folder.")
public final class TrainCommand extends SpecCommand {
    /**
     * Seconds between checkpoints at least: a kill loses no more. Writing one after each of the
     * Runge example's 300 short epochs took half its training time (7.4–9 s against 3.6 s without).
     */
    static final double CHECKPOINT_SECONDS = 2;
    @Mixin
    EpochsOption epochs;

    @Option(names = "--data", paramLabel = "DIR", description = "where the data is: replaces the spec's data folder (idx,"
            + " e.g. Fashion-MNIST), data file (csv) or text file or folder (text)")
    Path data;

    @Option(names = "--resume", description = "continue from out/<name>/checkpoint.safetensors (written after an epoch, at most every 2 s, and at the end);"
            + " the result is bitwise that of an uninterrupted run")
    boolean resume;

    @Option(names = "--spark", arity = "0..1", fallbackValue = "", paramLabel = "MASTER",
            description = "train data-parallel on Apache Spark: a master such as local[2] or spark://host:7077, or nothing"
                    + " under spark-submit; the result is bitwise the one-JVM result (micro-batches: the spec's"
                    + " training.microBatches)")
    String spark;

    @Option(names = "--partitions", paramLabel = "N", description = "with --spark: partitions per step (default: Spark's"
            + " default parallelism; at most the micro-batch count is used)")
    Integer partitions;

    @Option(names = "--average-every", paramLabel = "K", description = "with --spark: parameter averaging instead of"
            + " synchronous steps: each partition trains its own copy and the copies are averaged every K local steps"
            + " (fewer synchronizations; not the one-JVM result)")
    Integer averageEvery;

    @Option(names = "--tensorboard", paramLabel = "DIR", description = "also write TensorBoard event files into DIR"
            + " (losses, metrics, lr, per-layer norms and histograms, sample predictions); view: tensorboard --logdir DIR")
    Path tensorboard;

    @Mixin
    DashboardOptions dashboard;

    @Option(names = "--classifier", paramLabel = "MODEL", description = "GAN specs: the saved Fashion-MNIST classifier (a model file)"
            + " (images in [0, 1]) of the score, instead of training one")
    Path classifier;

    @Option(names = "--score-images", paramLabel = "N", description = "GAN specs: score this many generated images"
            + " (default: the spec's evaluation.scoreImages)")
    Integer scoreImages;

    /** How many test images samples.png shows. */
    static final int SAMPLES = 40;

    /** --resume: puts step and more generators back to the checkpoint file, or says in one line why it cannot. */
    static ModelCheckpoint.Resumed resume(Path checkpoint, TrainStep step, List<Generator> more) throws IOException {
        if (!Files.isRegularFile(checkpoint)) {
            throw UserError.failure("--resume: no checkpoint " + checkpoint + "; train without --resume to start");
        }
        try {
            return ModelCheckpoint.restore(checkpoint, step, more);
        } catch (DataFileException | IllegalArgumentException e) {
            throw UserError.failure("--resume: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintStream o = Streams.out(command);
        if (partitions != null && partitions < 1) throw UserError.usage("--partitions " + partitions + " must be >= 1");
        if (averageEvery != null && (averageEvery < 1 || spark == null)) {
            throw UserError.usage("--average-every " + averageEvery + (spark == null ? " needs --spark" : " must be >= 1"));
        }
        if (specFile.isTextSpec()) return NextWordTrain.run(specFile.file, out.out, epochs.epochs, data, o); // a language model
        if (GanSpec.isGan(specFile.file)) {
            return new GanTraining(o).run(specFile.file, out.out, epochs.epochs, data, classifier, scoreImages, resume);
        }
        ExperimentSpec spec = specFile.read(data);
        Path dir = out.checked(spec.name());
        DataSpec.Loaded d = spec.data();
        Layer model = spec.model().model();
        o.print(model.summary(spec.model().inputShape()));
        var options = spec.fitOptions();
        options.epochs(epochs.orElse(spec.epochs()));
        Trainer trainer = new Trainer(model, spec.optimizer(model.parameters()), spec.loss(), spec.metrics()).output(o);
        // the checkpoint keeps the augmentation's generators too (training reseeds them every step; a
        // checkpoint taken elsewhere may not)
        List<Generator> dataGenerators = d.train().generators();
        Path checkpoint = dir.resolve(Checkpoint.FILE_NAME);
        List<Map<String, Double>> before = List.of();
        if (resume) {
            ModelCheckpoint.Resumed r = resume(checkpoint, trainer.step(), dataGenerators);
            before = r.history();
            options.initialEpoch(r.epoch());
            o.println("resumed from " + checkpoint + " after epoch " + r.epoch());
        }
        Files.createDirectories(dir);
        EpochLog log = new EpochLog(before);
        ModelCheckpoint checkpointer = new ModelCheckpoint(checkpoint).generators(dataGenerators).history(before)
                .minInterval(CHECKPOINT_SECONDS);
        options.callbacks(checkpointer, log);
        if (tensorboard != null) {
            options.callbacks(Watchers.tensorBoard(tensorboard, d));
            o.println("TensorBoard event files: " + tensorboard + " (view: tensorboard --logdir " + tensorboard + ")");
        }
        DashboardServer server = dashboard.start(o, Streams.err(command));
        if (server != null) {
            options.callbacks(Watchers.dashboard(server, spec.name(), options.epochs(), d, spec.isCurveFit()));
        }
        long start = System.nanoTime();
        History history;
        try {
            history = fit(spec, d, model, trainer, options, o);
        } catch (NonFiniteException e) {
            checkpointer.flush(); // the last good epoch, if the interval held it back
            throw UserError.failure("training stopped: " + e.getMessage() + "\n  " + keep(dir, spec, log, checkpoint));
        }
        if (averageEvery != null) history.epochs().forEach(log::add); // parameter averaging calls no callbacks
        double seconds = (System.nanoTime() - start) / 1e9;
        if (history.size() == 0 && !before.isEmpty()) {
            o.println("nothing left to train: the checkpoint holds all " + before.size() + " epochs (give more with --epochs)");
        } else {
            o.printf(Locale.ROOT, "trained %d epochs in %.2f s (%.2f s per epoch, validation included)%n", history.size(), seconds,
                    seconds / Math.max(1, history.size()));
        }
        if (log.size() > 0) o.println("final: " + format(log.last()));
        Dataset test = d.test();
        Map<String, Double> metrics = new LinkedHashMap<>();
        ConfusionMatrix confusion = test == null ? null
                : test(o, trainer, test, d.classNames(), spec.lossName(), spec.model().outputShape(), metrics);
        SavedModel saved = new SavedModel(model, spec.model().inputShape()).spec(spec.modelJson()).experiment(spec.json())
                .preprocessing(spec.dataSpec().preprocessing(d)).loss(spec.lossName()).metrics(metrics).seed(spec.seed());
        Path file = saved.save(dir);
        o.println("model saved to " + file);
        o.println("weights sha256: " + saved.weightsSha256());
        Path losses = dir.resolve("loss.png");
        log.saveLossPlot(losses, spec.name() + ": loss per epoch", spec.lossName());
        o.println("plot: " + losses);
        log.saveCsv(dir.resolve("history.csv"));
        o.println("history: " + dir.resolve("history.csv"));
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
        dashboard.finish(server, o);
        return 0;
    }

    /**
     * Prints the test loss and metrics (and test MSE for an MSE loss); for a classifier also the
     * accuracy and the confusion matrix, which it returns (else null). Puts "test_"-prefixed
     * values into metrics. Shared by train and evaluate, so both print the same lines.
     */
    static ConfusionMatrix test(PrintStream o, Trainer trainer, Dataset test, List<String> classNames, String lossName,
            int[] outputShape, Map<String, Double> metrics) {
        Map<String, Double> t = trainer.evaluate(test, 1000);
        o.println("test (" + test.size() + " " + (classNames != null ? "examples" : "points") + "): " + format(t));
        t.forEach((k, v) -> metrics.put("test_" + k, v));
        if (lossName.equals("mse")) o.printf(Locale.ROOT, "test MSE: %.4e%n", t.get("loss"));
        if (classNames == null || outputShape == null || outputShape.length != 1 || outputShape[0] != classNames.size()) return null;
        ConfusionMatrix confusion = ConfusionMatrix.of(trainer.model(), test, 1000, classNames.size());
        o.printf(Locale.ROOT, "test accuracy: %.2f%%%n", 100 * confusion.accuracy());
        o.print(confusion.format(classNames));
        metrics.put("test_accuracy", confusion.accuracy());
        return confusion;
    }

    // one JVM, or Spark (synchronous steps, or parameter averaging when --average-every is given)
    private History fit(ExperimentSpec spec, DataSpec.Loaded d, Layer model, Trainer trainer, FitOptions options, PrintStream o)
            throws IOException {
        if (spark == null) return trainer.fit(d.train(), options);
        try (var cluster = SparkTraining.start(spark, partitions,
                new SpecJob(Files.readString(specFile.file), spec.name(), specFile.file.toAbsolutePath().getParent(), data), d.train())) {
            if (averageEvery != null) {
                o.println("training on Spark " + cluster.describe() + " by parameter averaging every " + averageEvery + " local steps");
                return averaged(cluster.averaging(averageEvery), spec, d, model, trainer.optimizer(), options.epochs(), o);
            }
            o.println("training on Spark " + cluster.describe() + ", " + options.microBatches() + " micro-batches per step");
            return trainer.fit(d.train(), options.engine(cluster.engine()));
        }
    }

    // after a NaN/Inf stop: the history and its plot; the weights of the last good epoch are in the checkpoint
    private static String keep(Path dir, ExperimentSpec spec, EpochLog log, Path checkpoint) throws IOException {
        log.saveCsv(dir.resolve("history.csv"));
        if (log.size() == 0) return "kept: " + dir.resolve("history.csv") + " (no epoch had finished)";
        log.saveLossPlot(dir.resolve("loss.png"), spec.name() + ": loss per epoch (stopped: non-finite)", spec.lossName());
        return "kept: " + checkpoint + " (the weights after epoch " + log.size() + ", the last good one; --resume continues from it), "
                + dir.resolve("history.csv") + ", " + dir.resolve("loss.png") + " (" + log.size() + " finished epochs)";
    }

    // parameter averaging holds out the validation part itself, as fit would
    private static History averaged(ParameterAveraging pa, ExperimentSpec spec, DataSpec.Loaded d, Layer model,
                                    Optimizer optimizer, int epochs, PrintStream o) {
        Dataset train = d.train(), validation = d.validation();
        if (validation == null && spec.validationSplit() > 0) {
            var split = Splits.trainValidation(d.train(), spec.validationSplit(), new Generator(spec.fitOptions().seed()));
            train = split.train();
            validation = split.validation();
        }
        return pa.fit(model, optimizer, d.train(), train, validation, epochs, spec.batchSize(), spec.fitOptions().seed(), o);
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

    static String format(Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder();
        for (var e : logs.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.4e", e.getValue()));
        }
        return sb.toString();
    }
}
