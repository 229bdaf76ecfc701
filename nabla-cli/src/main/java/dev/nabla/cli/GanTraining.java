package dev.nabla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.data.Batch;
import dev.nabla.data.Dataset;
import dev.nabla.io.Checkpoint;
import dev.nabla.io.spec.DataSpec;
import dev.nabla.io.spec.GanSpec;
import dev.nabla.io.spec.ModelSpec;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.io.spec.SpecException;
import dev.nabla.io.train.ModelCheckpoint;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.plot.ImageGrid;
import dev.nabla.plot.LineChart;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.FitOptions;
import dev.nabla.train.GanStep;
import dev.nabla.train.History;
import dev.nabla.train.InceptionScore;
import dev.nabla.train.LinearDecay;
import dev.nabla.train.Metric;
import dev.nabla.train.StepContext;
import dev.nabla.train.TrainStep;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code nabla train GAN.json} for a spec of type "gan" ({@link GanSpec}): trains the generator
 * and the discriminator with a {@link GanStep}, draws a grid of samples from one fixed noise batch
 * after every epoch ({@code samples-epoch-N.png}) and, at the end, the epochs side by side
 * ({@code samples-by-epoch.png}), the curves of both losses ({@code losses.png}) and of the mean
 * D(x) and D(G(z)) ({@code discriminator.png}) over the batches (samples come from the generator's
 * weight average when the spec keeps one); checkpoints both networks, both
 * optimizers, the noise and these records every epoch ({@code checkpoint.safetensors}, which
 * {@code --resume} continues); saves both networks; then measures the quality
 * with the Inception-style score of a Fashion-MNIST classifier (trained here, or given) on
 * generated and real test images, with the histogram of predicted classes.
 */
final class GanTraining {
    /** The classifier of the score: the fashion-cnn example's network, on images in [0, 1]. */
    static final String CLASSIFIER = """
            {"input": [1, 28, 28], "layers": [
              {"type": "conv2d", "filters": 32, "kernel": 3, "padding": 1}, {"type": "batchnorm2d"}, {"type": "relu"},
              {"type": "maxpool2d", "kernel": 2},
              {"type": "conv2d", "filters": 64, "kernel": 3, "padding": 1}, {"type": "batchnorm2d"}, {"type": "relu"},
              {"type": "maxpool2d", "kernel": 2},
              {"type": "flatten"}, {"type": "linear", "units": 128, "activation": "relu"}, {"type": "dropout", "rate": 0.3},
              {"type": "linear", "units": 10}]}
            """;
    /** The key of the GAN's own records (per-batch values, sample strips) in the checkpoint. */
    static final String RECORDS = "gan";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Samples per epoch in samples-by-epoch.png. */
    static final int STRIP = 8;

    private final PrintStream o;

    /** A GAN training printing to o (the command's output). */
    GanTraining(PrintStream o) {
        this.o = o;
    }

    int run(Path specFile, Path out, Integer epochs, Path data, Path classifierDir, Integer scoreImages, boolean resume)
            throws IOException {
        GanSpec spec = GanSpec.read(specFile, data); // a spec error names its key, a data error its file (Errors prints them)
        DataSpec.Loaded d = spec.data();
        Path dir = out != null ? out : Path.of("out", spec.name());
        int[] image = d.exampleShape();
        if (image.length != 3 || (classifierDir == null && (image[0] != 1 || d.classNames() == null || d.classNames().size() != 10))) {
            throw UserError.usage(specFile + ": the score's classifier is trained on 10 classes of [1, H, W]"
                    + " images, the data gives " + java.util.Arrays.toString(image) + "; give one with --classifier");
        }
        o.println("generator:");
        o.print(spec.generator().model().summary(spec.latentSize()));
        o.println("discriminator:");
        o.print(spec.discriminator().model().summary(image));
        GanStep step = spec.step();
        FitOptions options = spec.fitOptions();
        int totalEpochs = epochs != null ? epochs : spec.epochs();
        options.epochs(totalEpochs);
        if (spec.lrDecayFrom() >= 0) { // made before a resume restores the optimizers' decayed rates
            if (spec.lrDecayFrom() >= totalEpochs) {
                throw UserError.usage(specFile + ": training.lrDecayFrom is " + spec.lrDecayFrom() + " but the training has "
                        + totalEpochs + " epochs; give more with --epochs or lower lrDecayFrom");
            }
            options.callbacks(new LinearDecay(spec.lrDecayFrom(), totalEpochs, step.optimizers().values().toArray(Optimizer[]::new)));
        }
        Tensor fixedNoise = Tensor.randn(new Generator(spec.seed() + 7), spec.samples(), spec.latentSize());
        List<float[][]> strips = new ArrayList<>();
        List<Map<String, Double>> batches = new ArrayList<>();
        TrainStep recorded = recording(step, batches);
        Path checkpoint = dir.resolve(Checkpoint.FILE_NAME);
        List<Map<String, Double>> before = List.of();
        if (resume) {
            ModelCheckpoint.Resumed r = TrainCommand.resume(checkpoint, recorded, d.train().generators());
            restoreRecords(checkpoint, r.state().get(RECORDS), batches, strips, r.epoch());
            before = r.history();
            options.initialEpoch(r.epoch());
            o.println("resumed from " + checkpoint + " after epoch " + r.epoch());
        }
        Files.createDirectories(dir);
        options.callbacks(new Callback() {
            @Override
            public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
                float[][] samples = pixels(step.sample(fixedNoise));
                strips.add(java.util.Arrays.copyOf(samples, Math.min(STRIP, samples.length)));
                Path file = dir.resolve("samples-epoch-" + (epoch + 1) + ".png");
                try {
                    ImageGrid.save(file, samples, image[1], image[2], null, 8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }, new ModelCheckpoint(checkpoint).generators(d.train().generators()).history(before)
                .state(RECORDS, () -> records(batches, strips)));
        o.printf(Locale.ROOT, "training on %d images scaled to [-1, 1]; the discriminator learns real (1) vs generated (0),"
                + " the generator to be called real%n", d.train().size());
        long start = System.nanoTime();
        History h = new Trainer(recorded).fit(d.train(), options);
        double seconds = (System.nanoTime() - start) / 1e9;
        int trained = before.size() + h.size();
        if (h.size() == 0) {
            o.println("nothing left to train: the checkpoint holds all " + trained + " epochs (give more with --epochs)");
        } else {
            o.printf(Locale.ROOT, "trained %d epochs in %.1f s (%.1f s per epoch)%n", h.size(), seconds, seconds / h.size());
        }
        Path g = new SavedModel(step.generator(), spec.latentSize()).spec(spec.generatorJson()).seed(spec.seed())
                .save(dir.resolve("generator.safetensors"));
        Path dsc = new SavedModel(step.discriminator(), image).spec(spec.discriminatorJson()).seed(spec.seed())
                .save(dir.resolve("discriminator.safetensors"));
        o.println("models saved to " + g + " and " + dsc);
        if (step.sampler() != step.generator()) {
            Path avg = new SavedModel(step.sampler(), spec.latentSize()).spec(spec.generatorJson()).seed(spec.seed())
                    .save(dir.resolve("generator-ema.safetensors"));
            o.printf(Locale.ROOT, "the samples and the score use the generator's weight average (decay %s), saved to %s%n",
                    spec.generatorEma(), avg);
        }
        plots(dir, spec.name(), batches, trained, strips, image);

        Layer classifier = classifier(classifierDir, spec, d, dir);
        int n = scoreImages != null ? scoreImages : spec.scoreImages();
        Tensor generated = generate(step, n, new Generator(spec.seed() + 8));
        Dataset test = d.test();
        Tensor real = test.get(range(test.size())).inputs();
        report("generated", InceptionScore.of(classifier, generated, 500), n, d.classNames());
        report("real", InceptionScore.of(classifier, real, 500), test.size(), d.classNames());
        return 0;
    }

    // the generator's tanh outputs [n, c, h, w] in [-1, 1] as images in [0, 1], one float[] per image (channels averaged)
    private static float[][] pixels(Tensor images) {
        int[] s = images.shape();
        int n = s[0], c = s[1], hw = s[2] * s[3];
        float[] x = images.toFloatArray();
        float[][] out = new float[n][hw];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) out[i][p] += Math.min(1f, Math.max(0f, (x[(i * c + ch) * hw + p] + 1) / 2)) / c;
            }
        }
        return out;
    }

    // the step as fit sees it, keeping each batch's values for the curves (History has epoch means only)
    private static TrainStep recording(GanStep step, List<Map<String, Double>> batches) {
        return new TrainStep() {
            @Override
            public Map<String, Double> trainStep(Batch batch, StepContext context) {
                Map<String, Double> values = step.trainStep(batch, context);
                batches.add(values);
                return values;
            }

            @Override
            public Map<String, Layer> models() {
                return step.models();
            }

            @Override
            public Map<String, Optimizer> optimizers() {
                return step.optimizers();
            }

            @Override
            public Map<String, Generator> generators() {
                return step.generators();
            }
        };
    }

    // the curves over training (x in epochs): means over windows of batches, at most 200 points
    private void plots(Path dir, String name, List<Map<String, Double>> batches, int epochs, List<float[][]> strips, int[] image)
            throws IOException {
        int window = Math.max(1, batches.size() / 200), points = batches.size() / window;
        double[] x = new double[points];
        Map<String, double[]> curves = new java.util.LinkedHashMap<>();
        for (String key : List.of("d_loss", "g_loss", "D(x)", "D(G(z))")) {
            double[] y = new double[points];
            for (int p = 0; p < points; p++) {
                double sum = 0;
                int n = 0;
                for (int b = p * window; b < (p + 1) * window; b++) {
                    Double v = batches.get(b).get(key);
                    if (v != null) {
                        sum += v;
                        n++;
                    }
                }
                y[p] = n == 0 ? Double.NaN : sum / n;
                x[p] = (double) (p + 1) * window * epochs / batches.size();
            }
            curves.put(key, y);
        }
        Path losses = dir.resolve("losses.png"), judge = dir.resolve("discriminator.png"), all = dir.resolve("samples-by-epoch.png");
        String per = window == 1 ? "per batch" : "means of " + window + " batches";
        new LineChart(name + ": losses (" + per + ")").xLabel("epoch").yLabel("binary cross-entropy")
                .line("discriminator", x, curves.get("d_loss")).line("generator", x, curves.get("g_loss"))
                .savePng(losses, 800, 500);
        new LineChart(name + ": the discriminator's mean output (" + per + ")").xLabel("epoch").yLabel("probability of 'real'")
                .line("D(x), real images", x, curves.get("D(x)")).line("D(G(z)), generated images", x, curves.get("D(G(z))"))
                .savePng(judge, 800, 500);
        // the epochs side by side: column e holds the first STRIP fixed-noise samples after epoch e + 1
        int rows = strips.get(0).length;
        float[][] grid = new float[rows * epochs][];
        String[] captions = new String[grid.length];
        for (int r = 0; r < rows; r++) {
            for (int e = 0; e < epochs; e++) {
                grid[r * epochs + e] = strips.get(e)[r];
                captions[r * epochs + e] = r == rows - 1 ? "epoch " + (e + 1) : "";
            }
        }
        ImageGrid.save(all, grid, image[1], image[2], captions, epochs);
        o.println("plots: " + losses + ", " + judge + ", " + all + ", " + dir.resolve("samples-epoch-N.png"));
    }

    private Layer classifier(Path given, GanSpec spec, DataSpec.Loaded d, Path dir) throws IOException {
        if (given != null) {
            o.println("score classifier: " + given);
            return SavedModel.load(given).model();
        }
        JsonNode json = new ObjectMapper().readTree(CLASSIFIER);
        ModelSpec.Built built = ModelSpec.build(json, "classifier", new Generator(spec.seed() + 9));
        Layer model = built.model();
        o.printf(Locale.ROOT, "training the score's classifier (the fashion-cnn network, %d epochs, on images in [0, 1]):%n",
                spec.classifierEpochs());
        Trainer t = new Trainer(model, new Adam(model.parameters(), 1e-3), Losses::crossEntropy, Metric.ACCURACY);
        t.fit(d.all(), new FitOptions().epochs(spec.classifierEpochs()).batchSize(128).seed(spec.seed() + 10));
        Map<String, Double> test = t.evaluate(d.test(), 1000);
        o.printf(Locale.ROOT, "classifier test accuracy: %.2f%%%n", 100 * test.get("accuracy"));
        Path file = new SavedModel(model, d.exampleShape()).spec(json).metrics(test)
                .save(dir.resolve("classifier.safetensors"));
        o.println("classifier saved to " + file + " (reuse it with --classifier)");
        return model;
    }

    // the curves' per-batch values and the fixed-noise strips, kept in the checkpoint so that a resumed run plots every epoch
    private static JsonNode records(List<Map<String, Double>> batches, List<float[][]> strips) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode b = o.putArray("batches");
        for (Map<String, Double> values : batches) {
            ObjectNode v = b.addObject();
            values.forEach(v::put);
        }
        ArrayNode s = o.putArray("strips");
        for (float[][] strip : strips) {
            ArrayNode images = s.addArray();
            for (float[] img : strip) {
                ByteBuffer bytes = ByteBuffer.allocate(4 * img.length);
                bytes.asFloatBuffer().put(img);
                images.add(bytes.array());
            }
        }
        return o;
    }

    private static void restoreRecords(Path checkpoint, JsonNode records, List<Map<String, Double>> batches, List<float[][]> strips,
                                       int epochs) throws IOException {
        if (records == null || records.path("strips").size() != epochs) {
            throw UserError.failure("--resume: " + checkpoint + " holds no sample grids of its " + epochs
                    + " epochs (was it written by another training?)");
        }
        for (JsonNode b : records.path("batches")) {
            Map<String, Double> values = new LinkedHashMap<>();
            b.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().doubleValue()));
            batches.add(values);
        }
        for (JsonNode strip : records.path("strips")) {
            float[][] images = new float[strip.size()][];
            for (int i = 0; i < images.length; i++) {
                FloatBuffer f = ByteBuffer.wrap(strip.get(i).binaryValue()).asFloatBuffer();
                images[i] = new float[f.remaining()];
                f.get(images[i]);
            }
            strips.add(images);
        }
    }

    private static Tensor generate(GanStep step, int n, Generator noise) {
        List<Tensor> parts = new ArrayList<>();
        for (int done = 0; done < n; done += 500) {
            Tensor images = step.sample(Tensor.randn(noise, Math.min(500, n - done), step.latentSize()));
            parts.add(images.add(1).mul(0.5).clamp(0, 1)); // tanh's [-1, 1] to the classifier's [0, 1]
        }
        return Tensor.cat(parts, 0);
    }

    private static int[] range(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return idx;
    }

    private void report(String what, InceptionScore.Result r, int n, List<String> classNames) {
        o.printf(Locale.ROOT, "score (%s): %.3f   (%d images; predicted classes:", what, r.score(), n);
        long[] counts = r.classCounts();
        for (int c = 0; c < counts.length; c++) {
            o.print(" " + (classNames != null && c < classNames.size() ? classNames.get(c) : String.valueOf(c)) + " " + counts[c]);
        }
        o.println(")");
    }
}
