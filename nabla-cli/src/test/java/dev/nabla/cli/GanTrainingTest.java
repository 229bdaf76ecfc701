package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.spec.SavedModel;
import dev.nabla.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GanTrainingTest {
    /** 28×28 IDX files named as Fashion-MNIST's: a horizontal bar at a height given by the label (i % 10). */
    private static void writeImages(Path folder, int train, int test) throws IOException {
        Files.createDirectories(folder);
        for (String set : new String[] {"train", "t10k"}) {
            int count = set.equals("train") ? train : test;
            ByteBuffer images = ByteBuffer.allocate(16 + count * 784).putInt(0x803).putInt(count).putInt(28).putInt(28);
            ByteBuffer labels = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
            for (int i = 0; i < count; i++) {
                int label = i % 10;
                for (int p = 0; p < 784; p++) images.put((byte) (p / 28 / 3 == label ? 220 : (i + p) % 17));
                labels.put((byte) label);
            }
            Files.write(folder.resolve(set + "-images-idx3-ubyte"), images.array());
            Files.write(folder.resolve(set + "-labels-idx1-ubyte"), labels.array());
        }
    }

    @Test
    void theMlpGanExampleRunsAnEpochOnASmallSubsetAndReportsEverything(@TempDir Path dir) throws IOException {
        writeImages(dir.resolve("data"), 96, 40);
        Path out = dir.resolve("out");
        PrintStream stdout = System.out, stderr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            code = Main.commandLine().execute("train", Path.of("..", "examples", "gan-fashion.json").toString(), "--data",
                    dir.resolve("data").toString(), "--epochs", "1", "--score-images", "50", "--out", out.toString());
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String text = o.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, e.toString(StandardCharsets.UTF_8) + text);
        for (String s : new String[] {"Epoch 1/1", "d_loss: ", "g_loss: ", "D(x): ", "D(G(z)): ", "s per epoch",
                "classifier test accuracy: ", "(50 images; predicted classes: T-shirt/top ", "(40 images;"}) {
            assertTrue(text.contains(s), s + " in\n" + text);
        }
        for (String what : new String[] {"generated", "real"}) {
            Matcher m = Pattern.compile("score \\(" + what + "\\): ([0-9.]+)").matcher(text);
            assertTrue(m.find(), what + " score in\n" + text);
            double score = Double.parseDouble(m.group(1));
            assertTrue(score >= 1 && score <= 10, what + " score " + score);
        }
        for (String png : new String[] {"samples-epoch-1.png", "samples-by-epoch.png", "losses.png", "discriminator.png"}) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertTrue(img.getWidth() > 100, png);
        }
        var generator = SavedModel.load(out.resolve("generator.safetensors")).model();
        assertArrayEquals(new int[] {2, 1, 28, 28}, generator.eval().forward(Tensor.zeros(2, 100)).shape());
        assertArrayEquals(new int[] {1}, SavedModel.load(out.resolve("discriminator.safetensors")).outputShape());
        assertEquals(10, SavedModel.load(out.resolve("classifier.safetensors")).outputShape()[0]);
    }
}
