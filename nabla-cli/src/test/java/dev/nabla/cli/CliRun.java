package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import picocli.CommandLine;

/**
 * Runs the nabla command in-process with picocli's streams captured (and checks that nothing went
 * to System.out/err around them); PNG checks.
 */
final class CliRun {
    private CliRun() {}

    /** The exit code and what was printed. */
    record Output(int code, String out, String err) {}

    static Output run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream leaked = new ByteArrayOutputStream();
        try {
            PrintStream leak = new PrintStream(leaked, true, StandardCharsets.UTF_8);
            System.setOut(leak);
            System.setErr(leak);
            StringWriter o = new StringWriter(), e = new StringWriter();
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(o, true));
            cmd.setErr(new PrintWriter(e, true));
            int code = cmd.execute(args);
            assertEquals("", leaked.toString(StandardCharsets.UTF_8), "printed to System.out/err instead of picocli's streams");
            return new Output(code, o.toString(), e.toString());
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
