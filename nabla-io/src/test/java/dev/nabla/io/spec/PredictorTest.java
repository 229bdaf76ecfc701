package dev.nabla.io.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Predictor: an image becomes the tensor the IDX reader would have given (pixels / 255, RGB
 * planes or PIL's greyscale), normalized as saved; the probabilities are the softmax of the
 * model's output, sorted; rows of numbers for a table; another kind of data plugs in by type.
 */
class PredictorTest {
    @TempDir
    Path dir;

    private static final List<String> CLASSES = List.of("red", "green", "blue");

    private SavedModel saved(int channels, boolean flatten) throws IOException {
        Generator g = new Generator(3);
        Sequential m = new Sequential(Conv2d.builder(channels, 2, 3).paddingSame().generator(g).build(), new Flatten(),
                new Linear(2 * 16, 3, g));
        double[][] norm = {new double[channels], new double[channels]};
        for (int c = 0; c < channels; c++) {
            norm[0][c] = 0.1 * (c + 1);
            norm[1][c] = 0.5 + c;
        }
        Path f = new SavedModel(m, channels, 4, 4).loss("cross_entropy")
                .preprocessing(Preprocessing.image(new int[] {channels, 4, 4}, flatten, norm).classes(CLASSES)).save(dir.resolve(channels + ".safetensors"));
        return SavedModel.load(f);
    }

    private Path png(int type) throws IOException {
        BufferedImage img = new BufferedImage(4, 4, type);
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) img.setRGB(x, y, (x * 60) << 16 | (y * 70) << 8 | (x + y) * 20);
        Path f = dir.resolve("img" + type + ".png");
        ImageIO.write(img, "png", f.toFile());
        return f;
    }

    private static float[] expectedProbabilities(SavedModel m, float[] pixels, int channels) {
        Tensor x = m.preprocessing().apply(Tensor.of(pixels, 1, channels, 4, 4));
        try (var s = GradMode.noGrad()) {
            return m.model().forward(x).softmax(1).toFloatArray();
        }
    }

    @Test
    void anRgbImageIsReadAsThreePlanesNormalizedAsSaved() throws IOException {
        SavedModel m = saved(3, false);
        float[] pixels = new float[48];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                pixels[y * 4 + x] = x * 60 / 255f;
                pixels[16 + y * 4 + x] = y * 70 / 255f;
                pixels[32 + y * 4 + x] = (x + y) * 20 / 255f;
            }
        }
        float[] p = expectedProbabilities(m, pixels, 3);
        Predictor.Prediction r = Predictor.of(m).predict(List.of(png(BufferedImage.TYPE_INT_RGB).toString()), 3).get(0);
        assertNull(r.values());
        assertEquals(3, r.top().size());
        for (Predictor.Scored s : r.top()) assertEquals(p[s.index()], s.probability(), 0.0, s.label());
        assertTrue(r.top().get(0).probability() >= r.top().get(1).probability() && r.top().get(1).probability() >= r.top().get(2).probability());
        assertEquals(CLASSES.get(r.top().get(0).index()), r.top().get(0).label());
    }

    @Test
    void aColourImageForAGreyscaleModelIsConvertedAsPilDoes() throws IOException {
        SavedModel m = saved(1, false);
        float[] pixels = new float[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) pixels[y * 4 + x] = ((x * 60) * 299 + (y * 70) * 587 + ((x + y) * 20) * 114) / 1000 / 255f;
        }
        float[] p = expectedProbabilities(m, pixels, 1);
        Predictor.Prediction r = Predictor.of(m).predict(List.of(png(BufferedImage.TYPE_INT_RGB).toString()), 1).get(0);
        assertEquals(1, r.top().size());
        assertEquals(p[r.top().get(0).index()], r.top().get(0).probability(), 0.0);
        var e = assertThrows(IOException.class, () -> Predictor.of(m).predict(List.of(dir.resolve("none.png").toString()), 1));
        assertTrue(e.getMessage().contains("4x4 greyscale"), e.getMessage());
    }

    @Test
    void numbersAndAKindOfOnesOwn() throws IOException {
        SavedModel m = new SavedModel(new Linear(2, 1, new Generator(1)), 2).preprocessing(Preprocessing.table(List.of("a", "b"), null));
        m.model().eval();
        double[] v = Predictor.of(m).predict(List.of("1,2", "3, 4"), 1).get(1).values();
        try (var s = GradMode.noGrad()) {
            assertArrayEquals(new double[] {m.model().forward(Tensor.of(new float[] {3, 4}, 1, 2)).toFloatArray()[0]}, v);
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> Predictor.of(new SavedModel(new Linear(2, 1), 2).preprocessing(Preprocessing.of(
                        new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"type\": \"words\"}")))));
        assertTrue(e.getMessage().contains("'words'") && e.getMessage().contains("Predictor.register"), e.getMessage());
        Predictor.register("words", s -> new Predictor(s) {
            @Override
            protected Tensor encode(List<String> inputs) {
                return Tensor.of(new float[] {inputs.get(0).length(), 0}, 1, 2);
            }
        });
        SavedModel words = new SavedModel(new Linear(2, 1, new Generator(1)), 2).preprocessing(Preprocessing.of(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"type\": \"words\", \"vocabulary\": [\"a\"]}")));
        assertEquals(1, Predictor.of(words).predict(List.of("abc"), 1).get(0).values().length);
    }
}
