package dev.nabla.dashboard.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.dashboard.SamplePredictions;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.FitOptions;
import dev.nabla.train.Metric;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A short training with {@link TensorBoardLogger}; what it should have logged is recorded
 * independently by a second callback (running averages, the learning rate, weights, gradients,
 * norms computed here, dead ReLUs counted here). Java reads the files back; TensorBoard's own
 * reader checks them too (scripts/check_tensorboard.py) with the Python that run-tests makes for the
 * outside checks (scripts/test-python.sh, passed as NABLA_TEST_PYTHON), else /opt/venv/bin/python
 * when there is one.
 */
class TensorBoardLoggerTest {
    static final Path DIR = Path.of("target", "tensorboard-crosscheck");
    private static final Path PYTHON = Path.of(System.getenv().getOrDefault("NABLA_TEST_PYTHON", "/opt/venv/bin/python"));

    /** Expected points: run → kind → tag → list of [step, value(s)]. */
    private final Map<String, Map<String, Map<String, List<String>>>> expected = new TreeMap<>();

    private void expect(String run, String kind, String tag, long step, String value) {
        expected.computeIfAbsent(run, r -> new TreeMap<>()).computeIfAbsent(kind, k -> new TreeMap<>())
                .computeIfAbsent(tag, t -> new ArrayList<>()).add("[" + step + ", " + value + "]");
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.17g", v);
    }

    private static String list(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ", ").append(num(v[i]));
        return sb.append(']').toString();
    }

    @Test
    void logsEveryTagAndValue() throws Exception {
        if (Files.exists(DIR)) {
            try (Stream<Path> s = Files.walk(DIR)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Generator g = new Generator(7);
        int n = 60;
        Tensor x = Tensor.rand(g, n, 1, 4, 4);
        // class: which of the top-left, top-right and bottom halves is brightest
        long[] labels = new long[n];
        float[] px = x.toFloatArray();
        for (int i = 0; i < n; i++) {
            double[] s = new double[3];
            for (int p = 0; p < 16; p++) s[p < 8 ? (p % 4 < 2 ? 0 : 1) : 2] += px[i * 16 + p] * (p < 8 ? 2 : 1);
            labels[i] = s[0] >= s[1] && s[0] >= s[2] ? 0 : s[1] >= s[2] ? 1 : 2;
        }
        Tensor y = Tensor.of(labels);
        Sequential model = new Sequential(new Flatten(), new Linear(16, 8, g), new ReLU(), new Linear(8, 3, g));
        Trainer trainer = new Trainer(model, new SGD(model.parameters(), 0.5), Losses::crossEntropy, Metric.ACCURACY);
        Tensor probe = x.narrow(0, 0, 20);
        SamplePredictions samples = new SamplePredictions(x.narrow(0, 0, 8), y.narrow(0, 0, 8), List.of("left", "right", "bottom"),
                new int[] {1, 4, 4});
        TensorBoardLogger logger = new TensorBoardLogger(DIR).everyBatches(2).probe(probe).samples(samples).clock(() -> 1.7e9);
        int batchSize = 10, epochs = 3, batches = 5; // 48 training examples after the validation split
        Callback recorder = new Callback() {
            final double[] gradSums = new double[2];

            @Override
            public void onEpochBegin(Trainer t, int epoch) {
                java.util.Arrays.fill(gradSums, 0);
            }

            @Override
            public void onBatchEnd(Trainer t, int epoch, int batch, int nb, Map<String, Double> logs) {
                assertEquals(batches, nb);
                long step = (long) epoch * nb + batch + 1;
                if ((batch + 1) % 2 == 0 || batch == nb - 1) {
                    for (var e : logs.entrySet()) expect("train", "scalars", "batch_" + e.getKey(), step, num(e.getValue()));
                    expect("train", "scalars", "batch_learning_rate", step, num(t.optimizer().lr()));
                }
                int k = 0;
                for (String layer : List.of("1", "3")) {
                    double s = 0;
                    for (double v : model.get(Integer.parseInt(layer)).parameter("weight").grad().toDoubleArray()) s += v * v;
                    for (double v : model.get(Integer.parseInt(layer)).parameter("bias").grad().toDoubleArray()) s += v * v;
                    gradSums[k++] += Math.sqrt(s);
                    if (batch == nb - 1) {
                        for (String p : List.of("weight", "bias")) {
                            expect("train", "histograms", "gradients/" + layer + "." + p, epoch + 1,
                                    list(model.get(Integer.parseInt(layer)).parameter(p).grad().toDoubleArray()));
                        }
                    }
                }
            }

            @Override
            public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                long step = epoch + 1;
                expect("train", "scalars", "epoch_loss", step, num(logs.get("loss")));
                expect("train", "scalars", "epoch_accuracy", step, num(logs.get("accuracy")));
                expect("train", "scalars", "epoch_learning_rate", step, num(logs.get("lr")));
                expect("validation", "scalars", "epoch_loss", step, num(logs.get("val_loss")));
                expect("validation", "scalars", "epoch_accuracy", step, num(logs.get("val_accuracy")));
                int k = 0;
                for (String layer : List.of("1", "3")) {
                    expect("train", "scalars", "grad_norm/" + layer, step, num(gradSums[k++] / batches));
                    double s = 0;
                    for (String p : List.of("weight", "bias")) {
                        double[] w = model.get(Integer.parseInt(layer)).parameter(p).toDoubleArray();
                        for (double v : w) s += v * v;
                        expect("train", "histograms", "weights/" + layer + "." + p, step, list(w));
                    }
                    expect("train", "scalars", "weight_norm/" + layer, step, num(Math.sqrt(s)));
                }
                try (var scope = GradMode.noGrad()) {
                    float[] h = model.get(1).forward(model.get(0).forward(probe)).toFloatArray();
                    int dead = 0;
                    for (int u = 0; u < 8; u++) {
                        boolean alive = false;
                        for (int i = 0; i < 20; i++) alive |= h[i * 8 + u] > 0;
                        if (!alive) dead++;
                    }
                    expect("train", "scalars", "dead_relu_fraction/2", step, num(dead / 8.0));
                }
                var img = samples.render(samples.predict(model));
                expect("train", "images", "predictions", step, img.getWidth() + ", " + img.getHeight());
            }
        };
        trainer.fit(x, y, new FitOptions().epochs(epochs).batchSize(batchSize).validationSplit(0.2).progress(false)
                .callbacks(logger, recorder));
        writeExpected();

        // read back in Java: the same tags, steps and float32 values, in the order they were logged
        Map<String, List<String>> got = new TreeMap<>();
        for (String run : List.of("train", "validation")) {
            List<Path> files;
            try (Stream<Path> s = Files.list(DIR.resolve(run))) {
                files = s.toList();
            }
            assertEquals(1, files.size(), run + ": " + files);
            assertTrue(files.get(0).getFileName().toString().startsWith("events.out.tfevents.1700000000."), files.toString());
            List<EventReader.Event> events = EventReader.read(files.get(0));
            assertEquals("brain.Event:2", events.get(0).tag());
            for (EventReader.Event e : events.subList(1, events.size())) {
                String value = switch (e.kind()) {
                    case "scalar" -> num(e.value());
                    case "histo" -> "histo";
                    default -> "image";
                };
                got.computeIfAbsent(run + " " + e.tag(), k -> new ArrayList<>()).add(e.step() + " " + value);
            }
        }
        Map<String, List<String>> want = new TreeMap<>();
        expected.forEach((run, kinds) -> kinds.forEach((kind, tags) -> tags.forEach((tag, points) -> {
            for (String p : points) {
                String[] sv = p.substring(1, p.length() - 1).split(", ", 2);
                String value = switch (kind) {
                    case "scalars" -> num((float) Double.parseDouble(sv[1]));
                    case "histograms" -> "histo";
                    default -> "image";
                };
                want.computeIfAbsent(run + " " + tag, k -> new ArrayList<>()).add(sv[0] + " " + value);
            }
        })));
        assertEquals(want, got);
        assertEquals(22, want.size(), want.keySet().toString());

        if (Files.isExecutable(PYTHON)) {
            // its output goes to a file, so that a hung script is stopped at the timeout
            Path log = DIR.resolve("check_tensorboard.log");
            Process p = new ProcessBuilder(PYTHON.toString(), "../scripts/check_tensorboard.py", DIR.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = p.waitFor(60, TimeUnit.SECONDS);
            if (!finished) p.destroyForcibly();
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(finished, "check_tensorboard.py did not finish in 60 s: " + out);
            // 77: that Python lacks TensorBoard, Pillow or NumPy, so the cross-check cannot run (skipped, with the reason)
            Assumptions.assumeTrue(p.exitValue() != 77, out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("train: ") && out.contains("validation: "), out);
        }
    }

    private void writeExpected() throws IOException {
        StringBuilder sb = new StringBuilder("{");
        String[] kinds = {"scalars", "histograms", "images"};
        for (int k = 0; k < kinds.length; k++) {
            sb.append(k == 0 ? "" : ", ").append('"').append(kinds[k]).append("\": {");
            boolean firstRun = true;
            for (var run : expected.entrySet()) {
                Map<String, List<String>> tags = run.getValue().getOrDefault(kinds[k], new LinkedHashMap<>());
                sb.append(firstRun ? "" : ", ").append('"').append(run.getKey()).append("\": {");
                firstRun = false;
                boolean firstTag = true;
                for (var t : tags.entrySet()) {
                    sb.append(firstTag ? "" : ", ").append('"').append(t.getKey()).append("\": [")
                            .append(String.join(", ", t.getValue())).append(']');
                    firstTag = false;
                }
                sb.append('}');
            }
            sb.append('}');
        }
        Files.writeString(DIR.resolve("expected.json"), sb.append("}\n").toString());
    }
}
