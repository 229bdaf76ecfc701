package dev.nabla.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** Checks shared by the plot tests. */
final class PlotAssertions {

    /** Rendered samples stay here for a human to look at. */
    static final Path SAMPLES = Path.of("target", "plot-samples");

    private PlotAssertions() {}

    static BufferedImage assertPng(Path file, int width, int height) throws IOException {
        assertTrue(Files.size(file) > 0, file + " is empty");
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " is not a readable image");
        assertEquals(width, img.getWidth(), "width of " + file);
        assertEquals(height, img.getHeight(), "height of " + file);
        assertTrue(distinctColours(img) >= 3, file + " is (nearly) a single flat colour");
        return img;
    }

    static void assertSvg(Path file) throws IOException {
        assertTrue(Files.size(file) > 0, file + " is empty");
        String text = Files.readString(file, StandardCharsets.UTF_8).stripLeading();
        assertTrue(text.startsWith("<?xml") || text.startsWith("<svg"), "not SVG: " + text.substring(0, Math.min(80, text.length())));
        assertTrue(text.contains("<svg"), "no <svg element");
        assertTrue(text.stripTrailing().endsWith(">"), "SVG looks truncated");
    }

    static int distinctColours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                seen.add(img.getRGB(x, y));
                if (seen.size() > 50) return seen.size();
            }
        }
        return seen.size();
    }

    /** Fails if a temp file of an atomic write was left behind. */
    static void assertNoTempFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temp file left in " + dir);
        }
    }
}
