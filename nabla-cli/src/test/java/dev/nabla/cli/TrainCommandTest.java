package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    private static final Path RUNGE = Path.of("..", "examples", "runge.json");

    /** Runs nabla with System.out/err captured; returns {exit code, stdout, stderr}. */
    private static Object[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute(args);
            return new Object[] {code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
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
        assertTrue(Files.size(dir.resolve("model/model.safetensors")) > 691 * 4);
        assertTrue(Files.readString(dir.resolve("model/model.json")).contains("\"sigmoid\""));
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
}
