package dev.nabla.io.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.NablaIOException;
import dev.nabla.io.Safetensors;
import dev.nabla.io.TensorFile;
import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.ConvTranspose2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Dropout2d;
import dev.nabla.nn.ELU;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GELU;
import dev.nabla.nn.GlobalAvgPool2d;
import dev.nabla.nn.Identity;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LayerRegistry;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.LogSoftmax;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Softmax;
import dev.nabla.nn.Tanh;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model built in Java from any of nabla's layers, nested, saved and loaded through the layer
 * registry: the same layers, settings, weights and outputs, bit for bit; the metadata back as
 * saved; a layer of one's own refused with what to implement, then accepted once registered.
 */
class SavedModelTest {
    @TempDir
    Path dir;

    /** Every layer type with settings off their defaults, nested Sequentials included. */
    static Sequential everyLayer(Generator g) {
        Sequential features = new Sequential(
                Conv2d.builder(3, 8, 3).paddingSame().dilation(1).generator(g).build(), new BatchNorm2d(8, 1e-3, 0.2, true),
                new LeakyReLU(0.1), new MaxPool2d(new int[] {2}, new int[] {2}, new int[] {1}).ceilMode(true),
                Conv2d.builder(8, 8, 3, 1).stride(1, 2).padding(1, 0).groups(2).bias(false).generator(g).build(), new ELU(0.5),
                ConvTranspose2d.builder(8, 4, 3).stride(2).padding(1).outputPadding(1).generator(g).build(), new GELU(true),
                new AvgPool2d(new int[] {2}, null, new int[] {1}, false).ceilMode(false), new Dropout2d(0.1));
        return new Sequential(features, new GlobalAvgPool2d(), new Sequential(new Linear(4, 16, g), new BatchNorm1d(16),
                new Tanh(), new Dropout(0.3), new Identity(), new Linear(16, 6, false, g), new Sigmoid(), new Linear(6, 5, g),
                new ReLU(), new Softmax(-1), new LogSoftmax(1)), new Flatten(1, -1));
    }

    @Test
    void everyLayerTypeComesBackWithItsSettingsWeightsAndOutputsBitwise() throws IOException {
        Sequential m = everyLayer(new Generator(1));
        m.forward(Tensor.randn(new Generator(2), 4, 3, 9, 9)); // training mode: the running statistics move
        m.eval();
        Tensor x = Tensor.randn(new Generator(3), 2, 3, 9, 9);
        Tensor y = m.forward(x);
        Path file = new SavedModel(m, 3, 9, 9).loss("nll").seed(42).metrics(Map.of("test_accuracy", 0.8879))
                .preprocessing(Preprocessing.image(new int[] {3, 9, 9}, false, new double[][] {{0.1, 0.2, 0.3}, {1, 2, 3}})
                        .classes(List.of("a", "b", "c", "d", "e")))
                .save(dir);
        assertEquals(dir.resolve(SavedModel.FILE_NAME), file);

        SavedModel back = SavedModel.load(file);
        assertEquals(m.toString(), back.model().toString()); // every layer and setting, as PyTorch prints them
        assertEquals(m.stateDict().keySet(), back.model().stateDict().keySet());
        for (var e : m.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toType(DType.FLOAT64).toDoubleArray(),
                    back.model().stateDict().get(e.getKey()).toType(DType.FLOAT64).toDoubleArray(), e.getKey());
        }
        assertFalse(back.model().isTraining());
        assertArrayEquals(y.toFloatArray(), back.model().forward(x).toFloatArray());
        assertArrayEquals(new int[] {3, 9, 9}, back.inputShape());
        assertArrayEquals(new int[] {5}, back.outputShape());
        assertEquals("nll", back.loss());
        assertEquals(42L, back.seed());
        assertEquals(Map.of("test_accuracy", 0.8879), back.metrics());
        assertEquals(List.of("a", "b", "c", "d", "e"), back.preprocessing().classes());
        assertEquals(SavedModel.version(), back.nablaVersion());
        assertEquals(64, back.weightsSha256().length());
        assertFalse(back.isLegacy());

        // a plain safetensors file: every tensor by its state-dict name, the metadata as strings
        TensorFile plain = Safetensors.read(file);
        assertEquals(m.stateDict().keySet(), plain.tensors().keySet().stream().collect(java.util.stream.Collectors.toSet()));
        assertTrue(plain.metadata().get(SavedModel.KEY_ARCHITECTURE).startsWith("{\"type\":\"Sequential\""));
    }

    @Test
    void aFloat64ModelWithFrozenLayersKeepsItsTypeAndFlags() throws IOException {
        Sequential m = new Sequential(new Sequential(new Linear(3, 8, new Generator(4)), new Tanh()), new Linear(8, 2, new Generator(5)));
        m.toType(DType.FLOAT64);
        m.get(0).setTrainable(false);
        SavedModel.save(dir.resolve("m.safetensors"), m, 3);
        Layer back = SavedModel.load(dir.resolve("m.safetensors")).model();
        assertEquals(m.toString(), back.toString());
        assertEquals(List.of(2), List.of(back.parameters().size()));
        assertEquals(m.namedParameters().keySet(), back.namedParameters().keySet());
        Tensor x = Tensor.randn(new Generator(6), 4, 3).toType(DType.FLOAT64);
        assertArrayEquals(m.forward(x).toDoubleArray(), back.forward(x).toDoubleArray());
    }

    /** A layer of one's own: y = factor · x. */
    public static class Scale extends Layer {
        final double factor;

        public Scale(double factor) {
            this.factor = factor;
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(factor);
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("factor", factor);
        }
    }

    /** The same without a configuration. */
    static final class Undescribed extends Layer {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    void aLayerOfOnesOwnIsRefusedWithWhatToImplementThenSavedOnceRegistered() throws IOException {
        var e = assertThrows(IllegalArgumentException.class,
                () -> SavedModel.save(dir, new Sequential(new Linear(2, 2), new Undescribed()), 2));
        assertTrue(e.getMessage().contains(Undescribed.class.getName()) && e.getMessage().contains("override config()")
                && e.getMessage().contains("LayerRegistry.register(Undescribed.class"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(SavedModel.FILE_NAME)), "nothing written");

        Sequential m = new Sequential(new Linear(2, 3, new Generator(6)), new Scale(2.5));
        if (!LayerRegistry.isRegistered("Scale")) {
            e = assertThrows(IllegalArgumentException.class, () -> SavedModel.save(dir, m, 2));
            assertTrue(e.getMessage().contains("register a factory") && e.getMessage().contains(Scale.class.getName()), e.getMessage());
        }
        LayerRegistry.register(Scale.class, c -> new Scale(c.number("factor")));
        SavedModel.save(dir, m, 2);
        Tensor x = Tensor.of(new float[] {1, -2}, 1, 2);
        assertArrayEquals(m.forward(x).toFloatArray(), SavedModel.load(dir).model().forward(x).toFloatArray());
    }

    @Test
    void aFileNamingAnUnregisteredTypeSaysHowToRegisterIt() throws IOException {
        LayerRegistry.register("Scale2", Scale2.class, c -> new Scale2(c.number("factor")));
        SavedModel.save(dir, new Sequential(new Scale2(3)), 4);
        // another program, where Scale2 is not registered: simulated by renaming the type in the registry
        LayerRegistry.register("Scale2Renamed", Scale2.class, c -> new Scale2(c.number("factor")));
        var e = assertThrows(NablaIOException.class, () -> SavedModel.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(SavedModel.FILE_NAME) + ": ") && e.getMessage().contains("'Scale2' is not registered")
                && e.getMessage().contains("LayerRegistry.register(Scale2.class"), e.getMessage());
    }

    /** Another type of one's own (a type is its exact class), for the registry test. */
    public static final class Scale2 extends Scale {
        public Scale2(double factor) {
            super(factor);
        }
    }

    @Test
    void aCheckpointOrAnotherFileIsNotTakenForAModel() throws IOException {
        Path other = dir.resolve("other.safetensors");
        Safetensors.write(other, Map.of("w", Tensor.zeros(2)));
        var e = assertThrows(NablaIOException.class, () -> SavedModel.load(other));
        assertTrue(e.getMessage().contains("not a nabla model file"), e.getMessage());
        var empty = assertThrows(NablaIOException.class, () -> SavedModel.load(dir));
        assertTrue(empty.getMessage().contains("holds no model.safetensors"), empty.getMessage());
    }
}
