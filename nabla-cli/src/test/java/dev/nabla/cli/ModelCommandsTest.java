package dev.nabla.cli;

import static dev.nabla.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.Checkpoint;
import dev.nabla.io.spec.SavedModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train → evaluate → predict on a saved model file, in this JVM and in a fresh one, and
 * {@code train --resume} after a kill: on small synthetic IDX data of Fashion-MNIST's layout
 * (8×8 greyscale, 10 classes), with "normalize": "auto" and dropout, so that the saved
 * preprocessing and the generators' states matter.
 */
class ModelCommandsTest {
    @TempDir
    Path dir;

    /** n training and m test images of 8×8: class i % 10 is a bright stripe at row (i % 10) * 0.8 plus noise. */
    static void writeIdx(Path folder, int n, int m) throws IOException {
        Files.createDirectories(folder);
        SplittableRandom r = new SplittableRandom(7);
        for (String set : new String[] {"train", "t10k"}) {
            int count = set.equals("train") ? n : m;
            ByteBuffer im = ByteBuffer.allocate(16 + count * 64).putInt(0x803).putInt(count).putInt(8).putInt(8);
            ByteBuffer lb = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
            for (int i = 0; i < count; i++) {
                int label = r.nextInt(10);
                for (int p = 0; p < 64; p++) im.put((byte) (p / 8 == label * 8 / 10 ? 150 + r.nextInt(100) : r.nextInt(120)));
                lb.put((byte) label);
            }
            Files.write(folder.resolve(set + "-images-idx3-ubyte"), im.array());
            Files.write(folder.resolve(set + "-labels-idx1-ubyte"), lb.array());
        }
    }

    static String spec(int epochs) {
        return """
            {"name": "small-mlp", "seed": 3,
             "model": {"input": [1, 8, 8], "layers": [{"type": "flatten"}, {"type": "linear", "units": 32, "activation": "relu"},
               {"type": "dropout", "rate": 0.2}, {"type": "linear", "units": 10}]},
             "data": {"type": "idx", "folder": "data", "normalize": "auto", "augment": [{"type": "random_horizontal_flip"}]},
             "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.01},
             "training": {"epochs": %d, "batchSize": 25, "validationSplit": 0.1, "metrics": ["accuracy"]}}
            """.formatted(epochs);
    }

    private Path setUp(int epochs) throws IOException {
        writeIdx(dir.resolve("data"), 500, 200);
        return Files.writeString(dir.resolve("spec.json"), spec(epochs));
    }

    private static String line(String out, String prefix) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prefix) + ".*$").matcher(out);
        assertTrue(m.find(), "'" + prefix + "' in\n" + out);
        return m.group();
    }

    /** Runs nabla in a fresh JVM; returns its stdout (asserting exit code 0). */
    private static String child(String... args) throws IOException, InterruptedException {
        Process p = childProcess(args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static Process childProcess(String... args) throws IOException {
        // the same kernels (SIMD or scalar) as this JVM, so that the numbers can be compared bitwise
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-XX:+UseSerialGC"));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start(); // stderr: the JVM's incubator warning
    }

    @Test
    void evaluateOfTheSavedFilePrintsTheTrainingsTestAccuracyAndPredictsBitwiseTheSameInAFreshJvm() throws Exception {
        Path spec = setUp(2);
        Path out = dir.resolve("out");
        CliRun.Output train = run("train", spec.toString(), "--out", out.toString());
        assertEquals(0, train.code(), train.err());
        Path model = out.resolve(SavedModel.FILE_NAME);
        assertTrue(Files.isRegularFile(model) && Files.isRegularFile(out.resolve(Checkpoint.FILE_NAME)));
        assertTrue(!Files.exists(out.resolve("model")), "no folder of two files any more");

        CliRun.Output eval = run("evaluate", model.toString());
        assertEquals(0, eval.code(), eval.err());
        for (String prefix : new String[] {"test accuracy: ", "test (200 examples): ", "weights sha256: "}) {
            assertEquals(line(train.out(), prefix), line(eval.out(), prefix));
        }
        assertTrue(eval.out().contains("confusion matrix") && eval.out().contains("9 Ankle boot"), eval.out());
        String fresh = child("evaluate", out.toString());
        for (String prefix : new String[] {"test accuracy: ", "test (200 examples): ", "weights sha256: "}) {
            assertEquals(line(train.out(), prefix), line(fresh, prefix));
        }

        // predictions: the same probabilities, to the last bit, here and in a fresh JVM
        Path png = dir.resolve("x.png"), rgb = dir.resolve("y.png");
        BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), colour = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 8; x++) {
            grey.getRaster().setSample(x, 3, 0, 220);
            colour.setRGB(x, 6, 0xE0E0E0);
        }
        ImageIO.write(grey, "png", png.toFile());
        ImageIO.write(colour, "png", rgb.toFile());
        CliRun.Output predict = run("predict", model.toString(), png.toString(), rgb.toString(), "--json", "--top", "10");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(predict.out().contains("\"probability\""), predict.out());
        assertEquals(predict.out(), child("predict", model.toString(), png.toString(), rgb.toString(), "--json", "--top", "10"));
        CliRun.Output text = run("predict", model.toString(), png.toString());
        assertTrue(text.out().matches("(?s).*x\\.png: [^,]+ \\d+\\.\\d%, .*\\n"), text.out());

        CliRun.Output wrongSize = run("predict", model.toString(), dir.resolve("data/t10k-images-idx3-ubyte").toString());
        assertEquals(1, wrongSize.code());
        assertTrue(wrongSize.err().contains("not an image"), wrongSize.err());
    }

    @Test
    void aCorruptedModelFileIsAClearErrorNamingIt() throws Exception {
        Path spec = setUp(1);
        Path out = dir.resolve("out");
        assertEquals(0, run("train", spec.toString(), "--out", out.toString()).code());
        Path model = out.resolve(SavedModel.FILE_NAME);
        byte[] b = Files.readAllBytes(model);
        b[b.length - 100] ^= 4;
        Files.write(model, b);
        CliRun.Output eval = run("evaluate", model.toString());
        assertEquals(1, eval.code());
        assertTrue(eval.err().startsWith("nabla evaluate: " + model + ": ") && eval.err().contains("SHA-256"), eval.err());
        assertTrue(!eval.err().contains("\tat "), eval.err());
    }

    @Test
    void aRunKilledAtARandomPointResumesToBitwiseTheUninterruptedResult() throws Exception {
        Path spec = setUp(4);
        CliRun.Output whole = run("train", spec.toString(), "--out", dir.resolve("whole").toString());
        assertEquals(0, whole.code(), whole.err());

        Path killed = dir.resolve("killed");
        Path ckpt = killed.resolve(Checkpoint.FILE_NAME);
        Process p = childProcess("train", spec.toString(), "--out", killed.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(ckpt) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        Thread.sleep(new SplittableRandom().nextInt(600)); // somewhere in epochs 2..4, maybe mid-save
        p.destroyForcibly().waitFor();

        CliRun.Output resumed = run("train", spec.toString(), "--out", killed.toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resumed from " + ckpt), resumed.out());
        assertEquals(line(whole.out(), "weights sha256: "), line(resumed.out(), "weights sha256: "));
        assertEquals(line(whole.out(), "test accuracy: "), line(resumed.out(), "test accuracy: "));
        assertEquals(line(whole.out(), "final: "), line(resumed.out(), "final: "));

        CliRun.Output none = run("train", spec.toString(), "--out", dir.resolve("fresh").toString(), "--resume");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no checkpoint") && none.err().contains("without --resume"), none.err());
    }

    @Test
    void aCsvClassifierAndAFunctionFitAreEvaluatedAndPredictedWithTheirSavedPreprocessing() throws Exception {
        StringBuilder csv = new StringBuilder("x1,x2,species\n");
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 120; i++) {
            int c = i % 3;
            csv.append(100 + 40 * c + r.nextInt(30)).append(',').append(r.nextDouble() * 0.01 * c).append(',').append("abc".charAt(c)).append('\n');
        }
        Files.writeString(dir.resolve("t.csv"), csv);
        Path spec = Files.writeString(dir.resolve("csv.json"), """
            {"name": "csv", "seed": 1,
             "model": {"input": [2], "layers": [{"type": "linear", "units": 8, "activation": "tanh"}, {"type": "linear", "units": 3}]},
             "data": {"type": "csv", "file": "t.csv", "label": "species", "standardize": true, "testSplit": 0.25},
             "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.05},
             "training": {"epochs": 5, "batchSize": 16, "metrics": ["accuracy"]}}
            """);
        Path out = dir.resolve("csv-out");
        CliRun.Output train = run("train", spec.toString(), "--out", out.toString());
        assertEquals(0, train.code(), train.err());
        CliRun.Output eval = run("evaluate", out.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(line(train.out(), "test accuracy: "), line(eval.out(), "test accuracy: "));
        assertEquals(line(train.out(), "test (30 examples): "), line(eval.out(), "test (30 examples): "));
        CliRun.Output all = run("evaluate", out.toString(), "--data", dir.resolve("t.csv").toString());
        assertEquals(0, all.code(), all.err());
        assertTrue(all.out().contains("test (120 examples): "), all.out());
        // the raw feature values, standardized as in training: a large x1 is class c
        CliRun.Output p = run("predict", out.toString(), "185,0.02", "--top", "1");
        assertTrue(p.out().startsWith("185,0.02: c "), p.out());
        CliRun.Output bad = run("predict", out.toString(), "1,2,3");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("has 3 numbers, the model takes 2 (x1, x2)"), bad.err());

        Path runge = dir.resolve("runge-out");
        CliRun.Output fit = run("train", Path.of("..", "examples", "runge.json").toString(), "--epochs", "5", "--out", runge.toString());
        assertEquals(0, fit.code(), fit.err());
        CliRun.Output fitEval = run("evaluate", runge.toString());
        assertEquals(line(fit.out(), "test MSE: "), line(fitEval.out(), "test MSE: "));
        CliRun.Output value = run("predict", runge.toString(), "0.25", "--json");
        assertTrue(value.out().contains("\"values\""), value.out());
    }

    @Test
    void anOutputFolderOfNabla01LoadsButEvaluateSaysWhyItCannotScoreIt() throws Exception {
        Path old = dir.resolve("out/model");
        Files.createDirectories(old);
        Files.writeString(old.resolve("model.json"), "{\"input\": [2], \"layers\": [{\"type\": \"linear\", \"units\": 3}]}");
        dev.nabla.io.Safetensors.write(old.resolve("model.safetensors"), new dev.nabla.nn.Linear(2, 3).stateDict().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(e -> "0." + e.getKey(), java.util.Map.Entry::getValue)),
                java.util.Map.of("format", "nabla.model"));
        assertTrue(SavedModel.load(dir.resolve("out")).isLegacy());
        CliRun.Output eval = run("evaluate", dir.resolve("out").toString());
        assertEquals(1, eval.code());
        assertTrue(eval.err().contains("nabla 0.1") && eval.err().contains("preprocessing") && eval.err().contains("./nabla train"),
                eval.err());
    }
}
