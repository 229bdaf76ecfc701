package dev.nabla.io.spec;

import static dev.nabla.io.TensorAssert.assertBitwiseEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Batch;
import dev.nabla.data.DataFileException;
import dev.nabla.data.FashionMnist;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSpecTest {
    @TempDir
    Path dir;

    /** Writes tiny Fashion-MNIST-named IDX files (n training and m test images of 6×6) into folder. */
    static void writeIdx(Path folder, int n, int m) throws IOException {
        Files.createDirectories(folder);
        for (String set : new String[] {"train", "t10k"}) {
            int count = set.equals("train") ? n : m;
            ByteBuffer im = ByteBuffer.allocate(16 + count * 36).putInt(0x803).putInt(count).putInt(6).putInt(6);
            ByteBuffer lb = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
            for (int i = 0; i < count; i++) {
                int y = i % 10;
                for (int p = 0; p < 36; p++) im.put((byte) (p == y ? 255 : (i * 31 + p * 7) % 40)); // a bright pixel at the label
                lb.put((byte) y);
            }
            Files.write(folder.resolve(set + "-images-idx3-ubyte"), im.array());
            Files.write(folder.resolve(set + "-labels-idx1-ubyte"), lb.array());
        }
    }

    static String idxSpec(String data, String input, String first) {
        return """
                {"name": "tiny", "seed": 1,
                 "model": {"input": %s, "layers": [%s{"type": "linear", "units": 16, "activation": "relu"}, {"type": "linear", "units": 10}]},
                 "data": %s,
                 "loss": "cross_entropy", "optimizer": "adam",
                 "training": {"epochs": 2, "batchSize": 16, "validationSplit": 0.25, "metrics": ["accuracy"]}}
                """.formatted(input, first, data);
    }

    private ExperimentSpec spec(String json, Path override) {
        return ExperimentSpec.parse(json, "t", dir, override);
    }

    @Test
    void idxDataLoadsTrainValidationAndTestWithFashionMnistClassNames() throws IOException {
        writeIdx(dir.resolve("fm"), 80, 20);
        ExperimentSpec s = spec(idxSpec("{\"type\": \"idx\", \"folder\": \"fm\"}", "[1, 6, 6]", "{\"type\": \"flatten\"},"), null);
        var d = s.data();
        assertEquals(80, d.all().size());
        assertEquals(60, d.train().size());
        assertEquals(20, d.validation().size());
        assertEquals(20, d.test().size());
        assertEquals(FashionMnist.CLASSES, d.classNames());
        assertArrayEquals(new int[] {1, 6, 6}, d.imageShape());
        assertEquals(FashionMnist.CLASSES, s.classNames());
        Batch b = d.test().get(new int[] {3});
        assertArrayEquals(new int[] {1, 1, 6, 6}, b.inputs().shape());
        assertEquals(1f, b.inputs().get(0, 0, 0, 3));
        assertArrayEquals(new long[] {3}, b.targets().toLongArray());
    }

    @Test
    void flattenedIdxNormalizationAndLimits() throws IOException {
        writeIdx(dir.resolve("fm"), 80, 20);
        String data = "{\"type\": \"idx\", \"folder\": \"fm\", \"flatten\": true, \"normalize\": {\"mean\": [0.5], \"std\": [0.5]},"
                + " \"trainLimit\": 40, \"testLimit\": 10}";
        var d = spec(idxSpec(data, "[36]", ""), null).data();
        assertEquals(40, d.all().size());
        assertEquals(10, d.test().size());
        Batch b = d.test().get(new int[] {3});
        assertArrayEquals(new int[] {1, 36}, b.inputs().shape());
        assertEquals(1f, b.inputs().get(0, 3)); // (1 - 0.5) / 0.5
        assertEquals((13 / 255.0 - 0.5) / 0.5, b.inputs().get(0, 0), 1e-6); // pixel 0 of image 3 is 93 % 40 = 13
        // "auto" normalizes with the training part's statistics
        String auto = "{\"type\": \"idx\", \"folder\": \"fm\", \"normalize\": \"auto\"}";
        var a = spec(idxSpec(auto, "[1, 6, 6]", "{\"type\": \"flatten\"},"), null).data();
        float[] x = a.train().get(java.util.stream.IntStream.range(0, 60).toArray()).inputs().toFloatArray();
        double mean = 0;
        for (float v : x) mean += v;
        assertEquals(0, mean / x.length, 1e-5);
        // flattened images get one mean and std for the whole image, not one per pixel
        String flatAuto = "{\"type\": \"idx\", \"folder\": \"fm\", \"flatten\": true, \"normalize\": \"auto\"}";
        var f = spec(idxSpec(flatAuto, "[36]", ""), null).data();
        float[] y = f.train().get(java.util.stream.IntStream.range(0, 60).toArray()).inputs().toFloatArray();
        assertArrayEquals(x, y, 1e-6f);
    }

    @Test
    void augmentationsChangeTheTrainingPartOnly() throws IOException {
        writeIdx(dir.resolve("fm"), 80, 20);
        String data = "{\"type\": \"idx\", \"folder\": \"fm\", \"augment\": [{\"type\": \"random_crop\", \"padding\": 2},"
                + " {\"type\": \"random_horizontal_flip\"}]}";
        var d = spec(idxSpec(data, "[1, 6, 6]", "{\"type\": \"flatten\"},"), null).data();
        int[] all = java.util.stream.IntStream.range(0, 20).toArray();
        assertNotEquals(d.train().get(all).inputs(), d.train().get(all).inputs(), "fresh augmentations every fetch");
        assertBitwiseEquals(d.validation().get(all).inputs(), d.validation().get(all).inputs(), "validation");
        assertBitwiseEquals(d.test().get(all).inputs(), d.test().get(all).inputs(), "test");
        SpecException e = assertThrows(SpecException.class, () -> spec(idxSpec(data.replace("\"augment\"", "\"flatten\": true, \"augment\""),
                "[36]", ""), null));
        assertTrue(e.getMessage().contains("unflattened"), e.getMessage());
        e = assertThrows(SpecException.class, () -> spec(idxSpec(data.replace("random_crop", "random_rotate"), "[1, 6, 6]",
                "{\"type\": \"flatten\"},"), null));
        assertEquals("$.data.augment[0].type", e.path());
        assertTrue(e.getMessage().contains("random_crop, random_horizontal_flip"), e.getMessage());
    }

    @Test
    void missingDataSaysHowToGetItAndDataOverridesTheFolder() throws IOException {
        ExperimentSpec s = spec(idxSpec("{\"type\": \"idx\", \"folder\": \"nowhere\"}", "[1, 6, 6]", "{\"type\": \"flatten\"},"), null);
        DataFileException e = assertThrows(DataFileException.class, s::data);
        assertTrue(e.getMessage().contains("nowhere") && e.getMessage().contains(FashionMnist.INSTALL)
                && e.getMessage().contains("--data DIR"), e.getMessage());
        writeIdx(dir.resolve("elsewhere"), 40, 10);
        var d = spec(idxSpec("{\"type\": \"idx\", \"folder\": \"nowhere\"}", "[1, 6, 6]", "{\"type\": \"flatten\"},"),
                dir.resolve("elsewhere")).data();
        assertEquals(10, d.test().size());
    }

    @Test
    void dataThatDoesNotFitTheModelIsAClearError() throws IOException {
        writeIdx(dir.resolve("fm"), 40, 10);
        SpecException e = assertThrows(SpecException.class,
                () -> spec(idxSpec("{\"type\": \"idx\", \"folder\": \"fm\"}", "[784]", ""), null).data());
        assertEquals("$.model.input", e.path());
        assertTrue(e.getMessage().contains("[1, 6, 6]") && e.getMessage().contains("[784]") && e.getMessage().contains("flatten layer"),
                e.getMessage());
        e = assertThrows(SpecException.class, () -> spec(idxSpec("{\"type\": \"idx\", \"folder\": \"fm\"}", "[1, 6, 6]",
                "{\"type\": \"flatten\"},").replace("\"units\": 10", "\"units\": 3"), null).data());
        assertTrue(e.getMessage().contains("10 classes") && e.getMessage().contains("[3]"), e.getMessage());
        e = assertThrows(SpecException.class, () -> spec(idxSpec("{\"type\": \"idx\", \"folder\": \"fm\", \"flder\": 1}", "[36]", ""), null));
        assertEquals("$.data.flder", e.path());
    }

    static final String CSV_SPEC = """
            {"name": "iris", "seed": 0,
             "model": {"input": [2], "layers": [{"type": "linear", "units": 8, "activation": "tanh"}, {"type": "linear", "units": 3}]},
             "data": %s,
             "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.05},
             "training": {"epochs": 5, "batchSize": 8, "validationSplit": 0.2, "metrics": ["accuracy"]}}
            """;

    static void writeCsv(Path file, int rows) throws IOException {
        StringBuilder sb = new StringBuilder("x1,\"x 2\",species\n");
        String[] names = {"setosa", "versicolor", "virginica"};
        for (int i = 0; i < rows; i++) sb.append(i % 3 + 0.1 * (i % 5)).append(',').append(100 + i).append(',').append(names[i % 3]).append('\n');
        Files.writeString(file, sb.toString());
    }

    @Test
    void csvClassificationWithATestSplitAndStandardizedFeatures() throws IOException {
        writeCsv(dir.resolve("iris.csv"), 50);
        var d = spec(CSV_SPEC.formatted("{\"type\": \"csv\", \"file\": \"iris.csv\", \"label\": \"species\", \"testSplit\": 0.2,"
                + " \"standardize\": true}"), null).data();
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertEquals(40, d.all().size());
        assertEquals(10, d.test().size());
        assertEquals(32, d.train().size());
        assertEquals(8, d.validation().size());
        float[] x = d.train().get(java.util.stream.IntStream.range(0, 32).toArray()).inputs().toFloatArray();
        double m0 = 0, m1 = 0;
        for (int i = 0; i < x.length; i += 2) {
            m0 += x[i];
            m1 += x[i + 1];
        }
        assertEquals(0, m0 / 32, 1e-5);
        assertEquals(0, m1 / 32, 1e-5);
    }

    @Test
    void csvRegressionTestFileAndErrors() throws IOException {
        writeCsv(dir.resolve("a.csv"), 30);
        writeCsv(dir.resolve("b.csv"), 9);
        String reg = CSV_SPEC.replace("\"units\": 3", "\"units\": 1").replace("cross_entropy", "mse").replace("\"input\": [2]", "\"input\": [1]")
                .replace("[\"accuracy\"]", "[\"mae\"]");
        var d = spec(reg.formatted("{\"type\": \"csv\", \"file\": \"a.csv\", \"targets\": [\"x 2\"], \"features\": [\"x1\"],"
                + " \"testFile\": \"b.csv\"}"), null).data();
        assertNull(d.classNames());
        assertEquals(9, d.test().size());
        assertArrayEquals(new float[] {101}, d.test().get(new int[] {1}).targets().toFloatArray());
        // the test file's classes follow the training file's order; an unknown one is an error
        Files.writeString(dir.resolve("c.csv"), "x1,\"x 2\",species\n1,2,virginica\n3,4,daisy\n");
        var c = spec(CSV_SPEC.formatted("{\"type\": \"csv\", \"file\": \"a.csv\", \"label\": \"species\", \"testFile\": \"c.csv\"}"), null);
        DataFileException e = assertThrows(DataFileException.class, c::data);
        assertTrue(e.getMessage().contains("c.csv") && e.getMessage().contains("line 3") && e.getMessage().contains("\"daisy\""), e.getMessage());
        SpecException s = assertThrows(SpecException.class, () -> spec(CSV_SPEC.formatted("{\"type\": \"csv\", \"file\": \"a.csv\"}"), null));
        assertTrue(s.getMessage().contains("\"label\"") && s.getMessage().contains("\"targets\""), s.getMessage());
        // --data replaces the file
        var o = spec(CSV_SPEC.formatted("{\"type\": \"csv\", \"file\": \"none.csv\", \"label\": \"species\"}"), dir.resolve("b.csv")).data();
        assertEquals(9, o.all().size());
    }
}
