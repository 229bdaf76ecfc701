package dev.nabla.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.io.spec.ModelSpec;
import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.ConvTranspose2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Dropout2d;
import dev.nabla.nn.ELU;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GELU;
import dev.nabla.nn.GlobalAvgPool2d;
import dev.nabla.nn.Identity;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.LogSoftmax;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Softmax;
import dev.nabla.nn.Tanh;
import dev.nabla.nn.Vgg;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every exportable layer and whole models, exported and run by ONNX Runtime, against nabla's outputs (float32, 1e-5 relative). */
class OnnxExportTest {
    static final double TOLERANCE = 1e-5;
    static final Generator GEN = new Generator(7);

    /** Gives a batch norm non-trivial running statistics and affine weights, so that the export of each is checked. */
    static <L extends Layer> L randomize(L model) {
        Generator g = new Generator(3);
        model.apply(l -> {
            if (l instanceof BatchNorm b) {
                try (var s = GradMode.noGrad()) {
                    b.runningMean().copyFrom(Tensor.randn(g, b.numFeatures()).mul(0.5));
                    b.runningVar().copyFrom(Tensor.rand(g, b.numFeatures()).add(0.5));
                    if (b.weight() != null) {
                        b.weight().copyFrom(Tensor.rand(g, b.numFeatures()).add(0.5));
                        b.bias().copyFrom(Tensor.randn(g, b.numFeatures()).mul(0.1));
                    }
                }
            }
        });
        return model;
    }

    static Stream<Arguments> layers() {
        int[] img = {3, 9, 11};
        return Stream.of(
                Arguments.of("Linear", new Linear(5, 4, GEN), new int[] {5}),
                Arguments.of("Linear no bias", new Linear(5, 4, false, GEN), new int[] {5}),
                Arguments.of("Linear on [N, L, F]", new Linear(5, 4, GEN), new int[] {3, 5}),
                Arguments.of("Conv2d", new Conv2d(3, 4, 3, 1, 1, GEN), img),
                Arguments.of("Conv2d stride 2, padding (1, 2), dilation 2, no bias",
                        Conv2d.builder(3, 4, 3).stride(2).padding(1, 2).dilation(2).bias(false).generator(GEN).build(), img),
                Arguments.of("Conv2d groups 3, 3x2 kernel", Conv2d.builder(3, 6, 3, 2).groups(3).generator(GEN).build(), img),
                Arguments.of("Conv2d padding same, even kernel", Conv2d.builder(3, 2, 4).paddingSame().generator(GEN).build(), img),
                Arguments.of("ConvTranspose2d stride 2, padding 1, output padding 1",
                        ConvTranspose2d.builder(3, 4, 3).stride(2).padding(1).outputPadding(1).generator(GEN).build(), img),
                Arguments.of("ConvTranspose2d groups, dilation", ConvTranspose2d.builder(3, 6, 2).groups(3).dilation(2).generator(GEN).build(), img),
                Arguments.of("BatchNorm2d", new BatchNorm2d(3), img),
                Arguments.of("BatchNorm2d without affine", new BatchNorm2d(3, 1e-3, 0.1, false), img),
                Arguments.of("BatchNorm1d on [N, C]", new BatchNorm1d(5), new int[] {5}),
                Arguments.of("BatchNorm1d on [N, C, L]", new BatchNorm1d(4), new int[] {4, 6}),
                Arguments.of("MaxPool2d", new MaxPool2d(2), img),
                Arguments.of("MaxPool2d 3, stride 2, padding 1, ceil mode", new MaxPool2d(3, 2, 1).ceilMode(true), img),
                Arguments.of("AvgPool2d", new AvgPool2d(2), img),
                Arguments.of("AvgPool2d 3, stride 2, padding 1", new AvgPool2d(3, 2, 1), img),
                Arguments.of("AvgPool2d without padding in the count", new AvgPool2d(new int[] {3}, new int[] {2}, new int[] {1}, false), img),
                Arguments.of("AvgPool2d 2, ceil mode", new AvgPool2d(2).ceilMode(true), img),
                Arguments.of("AvgPool2d 3, stride 2, padding 1, ceil mode", new AvgPool2d(3, 2, 1).ceilMode(true), img),
                Arguments.of("AvgPool2d 3, stride 2, padding 1, ceil mode, without padding in the count",
                        new AvgPool2d(new int[] {3}, new int[] {2}, new int[] {1}, false).ceilMode(true), img),
                Arguments.of("AvgPool2d 2, stride 3, padding 1, ceil mode", new AvgPool2d(2, 3, 1).ceilMode(true), new int[] {2, 8, 10}),
                Arguments.of("GlobalAvgPool2d", new GlobalAvgPool2d(), img),
                Arguments.of("Flatten", new Flatten(), img),
                Arguments.of("Flatten dims 2..3", new Flatten(2, 3), img),
                Arguments.of("Dropout", new Dropout(0.5), new int[] {5}),
                Arguments.of("Dropout2d", new Dropout2d(0.5), img),
                Arguments.of("Identity", new Identity(), new int[] {5}),
                Arguments.of("Sigmoid", new Sigmoid(), new int[] {5}),
                Arguments.of("Tanh", new Tanh(), new int[] {5}),
                Arguments.of("ReLU", new ReLU(), new int[] {5}),
                Arguments.of("LeakyReLU", new LeakyReLU(0.2), new int[] {5}),
                Arguments.of("ELU", new ELU(0.7), new int[] {5}),
                Arguments.of("GELU", new GELU(), new int[] {5}),
                Arguments.of("GELU tanh", new GELU(true), new int[] {5}),
                Arguments.of("Softmax", new Softmax(), new int[] {5}),
                Arguments.of("Softmax dim 1 of images", new Softmax(1), img),
                Arguments.of("LogSoftmax", new LogSoftmax(), new int[] {5}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void eachLayerMatchesOnnxRuntime(String name, Layer layer, int[] inputShape) throws Exception {
        Layer model = randomize(new Sequential(layer));
        double err = check(model, inputShape, null, 4);
        assertTrue(err <= TOLERANCE, name + ": relative error " + err);
    }

    /** Exports model, runs a batch through nabla and ONNX Runtime, and returns the relative error. */
    static double check(Layer model, int[] inputShape, Onnx.Normalization norm, int batch) throws Exception {
        return check(model, inputShape, norm, batch, Onnx.toBytes(model, inputShape, Onnx.ExportOptions.named("test").normalization(norm)));
    }

    static double check(Layer model, int[] inputShape, Onnx.Normalization norm, int batch, byte[] onnx) throws Exception {
        int[] shape = new int[inputShape.length + 1];
        shape[0] = batch;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        Tensor x = Tensor.randn(new Generator(11), shape).mul(2);
        Tensor nablaIn = x;
        if (norm != null) {
            int[] s = new int[shape.length];
            java.util.Arrays.fill(s, 1);
            s[1] = norm.mean().length;
            nablaIn = x.sub(Tensor.of(norm.mean(), norm.mean().length).toType(DType.FLOAT32).reshape(s))
                    .div(Tensor.of(norm.std(), norm.std().length).toType(DType.FLOAT32).reshape(s));
        }
        return OrtRunner.relativeError(OrtRunner.run(onnx, x), OrtRunner.nabla(model, nablaIn));
    }

    static Sequential spec(String file) throws Exception {
        var json = new ObjectMapper().readTree(Files.readString(Path.of("..", "examples", file)));
        return ModelSpec.build(json.get("model"), file, new Generator(0)).model();
    }

    static final Map<String, Double> FIGURES = new LinkedHashMap<>();

    /**
     * The four models of the issue; each file is also written to target/onnx-written/ for ONNX's
     * own checker (scripts/torch_onnx_fixtures.py check).
     */
    @Test
    void wholeModelsMatchOnnxRuntime() throws Exception {
        whole("runge", spec("runge.json"), new int[] {1}, null, 16);
        whole("fashion-mlp", spec("fashion-mlp.json"), new int[] {1, 28, 28}, null, 8);
        whole("fashion-cnn", randomize(spec("fashion-cnn.json")), new int[] {1, 28, 28},
                new Onnx.Normalization(new double[] {0.286}, new double[] {0.353}), 4);
        Sequential vggA = Vgg.builder("A").input(3, 32, 32).classes(10).batchNorm(true).hidden(256).generator(new Generator(1)).build();
        whole("vgg-a", randomize(vggA), new int[] {3, 32, 32},
                new Onnx.Normalization(new double[] {0.49, 0.48, 0.45}, new double[] {0.25, 0.24, 0.26}), 2);
        FIGURES.forEach((k, v) -> System.out.printf("ONNX Runtime vs nabla, %s: max relative error %.3g%n", k, v));
        FIGURES.forEach((k, v) -> assertTrue(v <= TOLERANCE, k + ": relative error " + v));
    }

    private static void whole(String name, Layer model, int[] inputShape, Onnx.Normalization norm, int batch) throws Exception {
        Path out = Path.of("target/onnx-written");
        Files.createDirectories(out);
        Onnx.export(model, inputShape, out.resolve(name + ".onnx"), Onnx.ExportOptions.named(name).normalization(norm));
        FIGURES.put(name + (norm == null ? "" : " (normalized input)"), check(model, inputShape, norm, batch, Files.readAllBytes(out.resolve(name + ".onnx"))));
    }

    /** A float64 model is exported with float32 weights and matches its float32 outputs. */
    @Test
    void float64ModelExportsAsFloat32() throws Exception {
        Layer model = spec("runge.json").toType(DType.FLOAT64);
        byte[] onnx = Onnx.toBytes(model, new int[] {1}, Onnx.ExportOptions.named("runge64"));
        Tensor x = Tensor.linspace(-1, 1, 9).reshape(9, 1);
        double err = OrtRunner.relativeError(OrtRunner.run(onnx, x), OrtRunner.nabla(model, x.toType(DType.FLOAT64)).toType(DType.FLOAT32));
        assertTrue(err <= TOLERANCE, "relative error " + err);
    }

    @Test
    void metadataOpsetAndDynamicBatch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("runge.onnx");
        Onnx.export(spec("runge.json"), new int[] {1}, file, Onnx.ExportOptions.named("runge"));
        OnnxGraph g = OnnxGraph.decode(Files.readAllBytes(file));
        assertEquals(17, g.opset());
        assertEquals("nabla", g.producerName());
        assertEquals(Onnx.version(), g.metadata().get("nabla_version"));
        assertTrue(Onnx.version().matches("\\d+\\.\\d+\\.\\d+.*"), Onnx.version());
        assertEquals("runge", g.metadata().get("name"));
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(file.toString(), new OrtSession.SessionOptions())) {
            assertEquals("runge", s.getMetadata().getGraphName());
            assertEquals("nabla", s.getMetadata().getProducerName());
            assertEquals(Onnx.version(), s.getMetadata().getCustomMetadata().get("nabla_version"));
            long[] in = ((ai.onnxruntime.TensorInfo) s.getInputInfo().get("input").getInfo()).getShape();
            assertEquals(-1, in[0], "the batch dim is symbolic");
        }
        for (int batch : new int[] {1, 5}) assertTrue(check(spec("runge.json"), new int[] {1}, null, batch) <= TOLERANCE);
    }

    /** Int64 indices [batch, 3] of rows in [0, 50), index 0 (a padding row) among them. */
    static Tensor indices(int batch) {
        long[] x = Tensor.randint(new Generator(11), 0, 50, batch, 3).toLongArray();
        x[x.length - 1] = 0;
        return Tensor.of(x, batch, 3);
    }

    /** An Embedding as the first layer, alone and under a Linear, with and without a padding row: int64 input, Gather. */
    @Test
    void embeddingMatchesOnnxRuntime() throws Exception {
        Map<String, Layer> models = new LinkedHashMap<>();
        models.put("Embedding(50, 8)", new Sequential(new Embedding(50, 8)));
        models.put("Embedding(50, 8) -> Flatten -> Linear(24, 5)", new Sequential(new Embedding(50, 8), new Flatten(), new Linear(24, 5)));
        models.put("Embedding(50, 8, padding_idx=0) -> Flatten -> Linear(24, 5)",
                new Sequential(new Embedding(50, 8, 0, 0, 2, false, GEN), new Flatten(), new Linear(24, 5)));
        int i = 0;
        for (var m : models.entrySet()) {
            byte[] onnx = Onnx.toBytes(m.getValue(), new int[] {3}, Onnx.ExportOptions.named("embedding"));
            written("embedding-" + i++, onnx);
            try (OrtSession s = OrtEnvironment.getEnvironment().createSession(onnx, new OrtSession.SessionOptions())) {
                var in = (ai.onnxruntime.TensorInfo) s.getInputInfo().get("input").getInfo();
                assertEquals(ai.onnxruntime.OnnxJavaType.INT64, in.type, m.getKey());
                assertEquals(-1, in.getShape()[0], "the batch dim is symbolic");
            }
            for (int batch : new int[] {1, 4}) {
                Tensor x = indices(batch);
                double err = OrtRunner.relativeError(OrtRunner.run(onnx, x), OrtRunner.nabla(m.getValue(), x));
                System.out.printf("ONNX Runtime vs nabla, %s, batch %d: max relative error %.3g%n", m.getKey(), batch, err);
                assertTrue(err <= TOLERANCE, m.getKey() + ": relative error " + err);
            }
        }
    }

    /**
     * A max-norm Embedding renormalizes the looked-up rows, in the graph as in nabla (which does
     * it in place): ONNX Runtime gives nabla's output, not the plain lookup of the exported weights.
     */
    @ParameterizedTest(name = "norm type {0}")
    @ValueSource(doubles = {2, 1, 3})
    void maxNormEmbeddingMatchesOnnxRuntime(double normType) throws Exception {
        Embedding e = new Embedding(50, 8, -1, 2.5 * Math.pow(8, 1 / normType) / Math.sqrt(8), normType, false, new Generator(5));
        Layer model = new Sequential(e);
        byte[] onnx = Onnx.toBytes(model, new int[] {3}, Onnx.ExportOptions.named("max-norm"));
        written("embedding-max-norm-" + (int) normType, onnx);
        Tensor x = indices(6);
        Tensor plain = e.weight().detach().indexSelect(0, x.reshape(-1)).reshape(6, 3, 8);
        Tensor ort = OrtRunner.run(onnx, x);
        Tensor expected = OrtRunner.nabla(model, x); // renormalizes e's rows in place
        double err = OrtRunner.relativeError(ort, expected);
        System.out.printf("ONNX Runtime vs nabla, max-norm Embedding, norm type %s: max relative error %.3g%n", normType, err);
        assertTrue(err <= TOLERANCE, "relative error " + err);
        assertTrue(OrtRunner.relativeError(ort, plain) > 1e-2, "some rows are renormalized");
        float[] p = plain.toFloatArray(), o = ort.toFloatArray();
        int kept = 0;
        for (int i = 0; i < p.length; i++) kept += p[i] == o[i] ? 1 : 0;
        assertTrue(kept > 0, "rows under the max norm are kept as they are");
        assertTrue(OrtRunner.relativeError(OrtRunner.run(onnx, x), OrtRunner.nabla(model, x)) <= TOLERANCE, "and again after nabla's in-place renorm");
    }

    /** Writes onnx to target/onnx-written/NAME.onnx, for ONNX's checker (see wholeModelsMatchOnnxRuntime). */
    private static void written(String name, byte[] onnx) throws Exception {
        Path out = Path.of("target/onnx-written");
        Files.createDirectories(out);
        Files.write(out.resolve(name + ".onnx"), onnx);
    }

    @Test
    void embeddingOnlyFirstAndWithoutNormalization() {
        var e = assertThrows(OnnxException.class, () -> Onnx.toBytes(new Sequential(new Linear(3, 3), new Embedding(50, 8)), new int[] {3},
                Onnx.ExportOptions.named("m")));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains("Embedding") && e.getMessage().contains("first layer"), e.getMessage());
        e = assertThrows(OnnxException.class, () -> Onnx.toBytes(new Sequential(new Embedding(50, 8)), new int[] {3},
                Onnx.ExportOptions.named("m").normalization(new Onnx.Normalization(new double[] {0}, new double[] {1}))));
        assertTrue(e.getMessage().contains("Embedding") && e.getMessage().contains("normalization"), e.getMessage());
    }

    @Test
    void unsupportedLayerIsNamed() {
        Layer odd = new Layer() {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }

            @Override
            public String typeName() {
                return "Odd";
            }
        };
        var e = assertThrows(OnnxException.class, () -> Onnx.toBytes(new Sequential(new Linear(2, 2), odd), new int[] {2}, Onnx.ExportOptions.named("m")));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains("Odd") && e.getMessage().contains("Conv2d"), e.getMessage());
    }

    @Test
    void normalizationMustFitTheChannels() {
        var e = assertThrows(OnnxException.class, () -> Onnx.toBytes(new Sequential(new Flatten()), new int[] {3, 4, 4},
                Onnx.ExportOptions.named("m").normalization(new Onnx.Normalization(new double[] {0, 0}, new double[] {1, 1}))));
        assertTrue(e.getMessage().contains("2 means") && e.getMessage().contains("3 channels"), e.getMessage());
    }
}
