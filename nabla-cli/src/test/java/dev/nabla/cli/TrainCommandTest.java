package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    private static final Path RUNGE = Path.of("..", "examples", "runge.json");

    /** Runs nabla in-process; returns {exit code, stdout, stderr}. */
    private static Object[] run(String... args) {
        CliRun.Output r = CliRun.run(args);
        return new Object[] {r.code(), r.out(), r.err()};
    }

    private static void assertPng(Path file, int width, int height) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(width, img.getWidth(), file.toString());
        assertEquals(height, img.getHeight(), file.toString());
    }

    @Test
    void summaryPrintsTheCourseCounts() {
        Object[] r = run("summary", RUNGE.toString());
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        for (String s : new String[] {"40", "210", "220", "11", "Total params: 691", "Trainable params: 691"}) {
            assertTrue(out.contains(s), s + " in\n" + out);
        }
    }

    @Test
    void trainWritesTheModelThePlotsAndTheTestMse(@TempDir Path dir) throws IOException {
        Object[] r = run("train", RUNGE.toString(), "--epochs", "3", "--out", dir.toString());
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        assertTrue(out.contains("Epoch 3/3") && out.contains("test MSE: "), out);
        assertTrue(Files.size(dir.resolve("model.safetensors")) > 691 * 4);
        assertTrue(dev.nabla.io.spec.SavedModel.load(dir).spec().toString().contains("\"sigmoid\""));
        assertTrue(out.contains("weights sha256: "), out);
        assertPng(dir.resolve("loss.png"), 800, 500);
        assertPng(dir.resolve("fit.png"), 800, 500);
    }

    @Test
    void aBadSpecIsAClearErrorBeforeTraining(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, Files.readString(RUNGE).replace("\"adam\"", "\"adamm\""));
        Object[] r = run("train", bad.toString(), "--out", dir.resolve("out").toString());
        assertEquals(2, r[0]);
        assertTrue(((String) r[2]).contains("$.optimizer.type") && ((String) r[2]).contains("sgd, adam"), (String) r[2]);
        assertTrue(!Files.exists(dir.resolve("out")), "nothing written");
    }

    /** Tiny IDX files named as Fashion-MNIST's: n training and m test images of 6×6, label i % 10. */
    static void writeIdx(Path folder, int n, int m) throws IOException {
        Files.createDirectories(folder);
        for (String set : new String[] {"train", "t10k"}) {
            int count = set.equals("train") ? n : m;
            ByteBuffer im = ByteBuffer.allocate(16 + count * 36).putInt(0x803).putInt(count).putInt(6).putInt(6);
            ByteBuffer lb = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
            for (int i = 0; i < count; i++) {
                for (int p = 0; p < 36; p++) im.put((byte) (p == i % 10 ? 255 : (i * 31 + p * 7) % 40));
                lb.put((byte) (i % 10));
            }
            Files.write(folder.resolve(set + "-images-idx3-ubyte"), im.array());
            Files.write(folder.resolve(set + "-labels-idx1-ubyte"), lb.array());
        }
    }

    static final String TINY_IDX = """
            {"name": "tiny", "seed": 0,
             "model": {"input": [1, 6, 6], "layers": [{"type": "flatten"}, {"type": "linear", "units": 10}]},
             "data": {"type": "idx", "folder": "no-such-folder"},
             "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.05},
             "training": {"epochs": 3, "batchSize": 20, "validationSplit": 0.2, "metrics": ["accuracy"]}}
            """;

    @Test
    void aClassifierGetsAConfusionMatrixAndSampleImages(@TempDir Path dir) throws IOException {
        writeIdx(dir.resolve("data"), 200, 50);
        Path spec = Files.writeString(dir.resolve("tiny.json"), TINY_IDX);
        Object[] r = run("train", spec.toString(), "--data", dir.resolve("data").toString(), "--out", dir.resolve("out").toString());
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        for (String s : new String[] {"Epoch 3/3", "val_accuracy", "s per epoch", "test (50 examples)", "test accuracy: ",
                "confusion matrix (rows: true class, columns: predicted class)", "9 Ankle boot", "per-class accuracy",
                "samples.png"}) {
            assertTrue(out.contains(s), s + " in\n" + out);
        }
        BufferedImage img = ImageIO.read(dir.resolve("out/samples.png").toFile());
        assertTrue(img.getWidth() > 8 * 100 && img.getHeight() > 5 * 100, img.getWidth() + "x" + img.getHeight());
    }

    @Test
    void theFashionMlpExampleReadsWithoutTheData() {
        // summary reads only the model: no data set needed
        Object[] r = run("summary", Path.of("..", "examples", "fashion-mlp.json").toString());
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        for (String s : new String[] {"200,960", "32,896", "1,290", "Total params: 235,146"}) {
            assertTrue(out.contains(s), s + " in\n" + out);
        }
    }

    @Test
    void missingDataSaysHowToInstallIt(@TempDir Path dir) throws IOException {
        Path spec = Files.writeString(dir.resolve("tiny.json"), TINY_IDX);
        Object[] r = run("train", spec.toString(), "--out", dir.resolve("out").toString());
        assertEquals(1, r[0]);
        String err = (String) r[2];
        assertTrue(err.contains("no-such-folder") && err.contains("apt-get update && apt-get install -y dataset-fashion-mnist")
                && err.contains("--data DIR"), err);
        assertTrue(!Files.exists(dir.resolve("out")), "nothing written");
    }
}
