package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Runs the nabla command in-process with System.out/err captured; PNG checks. */
final class CliRun {
    private CliRun() {}

    /** The exit code and what was printed. */
    record Output(int code, String out, String err) {}

    static Output run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute(args);
            return new Output(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** A non-empty, readable PNG of the given size. */
    static void assertPng(Path file, int width, int height) throws IOException {
        assertTrue(Files.isRegularFile(file) && Files.size(file) > 0, file + " missing or empty");
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " is not a readable image");
        assertEquals(width, img.getWidth(), file.toString());
        assertEquals(height, img.getHeight(), file.toString());
    }
}
