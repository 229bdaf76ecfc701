package dev.nabla.plot;

import static dev.nabla.plot.PlotAssertions.SAMPLES;
import static dev.nabla.plot.PlotAssertions.assertNoTempFiles;
import static dev.nabla.plot.PlotAssertions.assertPng;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {

    @TempDir
    Path tmp;

    /** Synthetic 28x28 "images": rings and bars of different sizes, values in [0, 1]. */
    static float[][] samples(int n) {
        float[][] out = new float[n][28 * 28];
        for (int k = 0; k < n; k++) {
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    double d = Math.hypot(r - 13.5, c - 13.5);
                    double v = k % 2 == 0 ? Math.exp(-Math.pow(d - 4 - k % 7, 2) / 4) : (Math.abs(c - 14) < 2 + k % 5 && r > 4 && r < 24 ? 1 : 0);
                    out[k][r * 28 + c] = (float) v;
                }
            }
        }
        return out;
    }

    @Test
    void gridOfSamplesWithCaptionsHasTheExpectedSize() throws IOException {
        int n = 10;
        String[] captions = new String[n];
        boolean[] wrong = new boolean[n];
        for (int k = 0; k < n; k++) {
            wrong[k] = k % 4 == 3;
            captions[k] = "pred " + (k % 3) + "\ntrue " + (wrong[k] ? (k + 1) % 3 : k % 3);
        }
        Path png = SAMPLES.resolve("image-grid.png");
        ImageGrid.save(png, samples(n), 28, 28, captions, wrong, 5);
        BufferedImage expected = ImageGrid.render(samples(n), 28, 28, captions, wrong, 5);
        // 28 px images are enlarged 4x to 112; 5 columns, 2 rows, 8 px gaps, two caption lines
        assertEquals(5 * 112 + 6 * 8, expected.getWidth());
        assertPng(png, expected.getWidth(), expected.getHeight());
        assertTrue(expected.getHeight() > 2 * 112 + 3 * 8 + 2 * 2 * 12, "room for captions: " + expected.getHeight());
        assertNoTempFiles(png.getParent());
    }

    @Test
    void rawPixelRangeIsRescaledAndCaptionsAreOptional() throws IOException {
        float[][] raw = samples(3);
        for (float[] im : raw) for (int p = 0; p < im.length; p++) im[p] *= 255f; // 0..255 pixels
        Path png = tmp.resolve("sub/dir/raw.png");
        ImageGrid.save(png, raw, 28, 28, null, 8);
        BufferedImage img = assertPng(png, 3 * 112 + 4 * 8, 112 + 2 * 8);
        // the centre row of the first ring image is not all one shade
        assertTrue(PlotAssertions.distinctColours(img) > 10);
    }

    @Test
    void badInputIsRefused() {
        float[][] ok = samples(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.save(tmp.resolve("a.png"), new float[][] {ok[0], new float[700]}, 28, 28, null, 2));
        assertTrue(e.getMessage().contains("image 1 has 700 values") && e.getMessage().contains("784"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.save(tmp.resolve("a.png"), ok, 28, 28, new String[] {"one"}, 2));
        assertTrue(e.getMessage().contains("2 images but 1 captions"), e.getMessage());
        float[][] nan = samples(1);
        nan[0][30] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.save(tmp.resolve("a.png"), nan, 28, 28, null, 2));
        assertTrue(e.getMessage().contains("image 0") && e.getMessage().contains("row 1, column 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.save(tmp.resolve("a.png"), new float[0][], 28, 28, null, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.save(tmp.resolve("a.png"), ok, 28, 28, null, 0));
        assertTrue(Files.notExists(tmp.resolve("a.png")));
    }
}
