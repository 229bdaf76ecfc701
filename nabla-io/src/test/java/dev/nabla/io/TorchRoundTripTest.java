package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.io.spec.ModelSpec;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.nn.BatchNorm;
import dev.nabla.nn.Layer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole models between nabla and PyTorch through safetensors (scripts/torch_roundtrip.py): a
 * PyTorch state_dict loads strictly into the nabla model built from the matching spec and gives
 * PyTorch's outputs; the model folders this test saves are loaded by the script into torch
 * modules with strict=True (scripts/torch_roundtrip.py check, run through {@link PythonCheck}).
 */
class TorchRoundTripTest {
    static final Path FIXTURES = Path.of("src/test/resources/torch-roundtrip");
    /** Where the model folders saved for PyTorch go. */
    static final Path SAVED = Path.of("target/torch-roundtrip");

    static ModelSpec.Built build(String name) throws Exception {
        var spec = new ObjectMapper().readTree(Files.readString(FIXTURES.resolve(name + ".json")));
        return ModelSpec.build(spec, name + ".json", new Generator(0));
    }

    static Tensor eval(Layer model, Tensor x) {
        model.eval();
        try (var s = GradMode.noGrad()) {
            return model.forward(x);
        }
    }

    static double relativeError(Tensor a, Tensor b) {
        float[] x = a.toFloatArray(), y = b.toFloatArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs((double) x[i] - y[i]));
            scale = Math.max(scale, Math.abs((double) y[i]));
        }
        return diff / scale;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn_bn"})
    void pytorchStateDictLoadsStrictly(String name) throws Exception {
        ModelSpec.Built built = build(name);
        built.model().loadStateDict(Safetensors.read(FIXTURES.resolve(name + ".safetensors")).tensors()); // strict
        Map<String, Tensor> io = Npz.read(FIXTURES.resolve(name + ".npz"));
        double err = relativeError(eval(built.model(), io.get("x")), io.get("y"));
        assertTrue(err <= 1e-5, name + ": relative error " + err);
    }

    /** Saves the model folders and nabla's outputs for scripts/torch_roundtrip.py check. */
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn_bn"})
    void savesModelsForTorch(String name) throws Exception {
        save(name);
    }

    /** PyTorch loads the saved folders into its modules with strict=True and gives nabla's outputs. */
    @Test
    void torchLoadsWhatNablaSaved() throws Exception {
        for (String name : List.of("mlp", "cnn_bn")) save(name);
        String out = PythonCheck.run("torch_roundtrip.py", "check", SAVED.toString());
        assertTrue(out.contains("mlp: nabla's model file loads") && out.contains("cnn_bn: nabla's model file loads"), out);
    }

    private static void save(String name) throws Exception {
        ModelSpec.Built built = build(name);
        Generator g = new Generator(9);
        built.model().apply(l -> {
            if (l instanceof BatchNorm b) {
                try (var s = GradMode.noGrad()) {
                    b.runningMean().copyFrom(Tensor.randn(g, b.numFeatures()));
                    b.runningVar().copyFrom(Tensor.rand(g, b.numFeatures()).add(0.5));
                }
            }
        });
        Path dir = SAVED.resolve(name);
        new SavedModel(built.model(), built.inputShape()).spec(new ObjectMapper().readTree(Files.readString(FIXTURES.resolve(name + ".json"))))
                .save(dir);
        int[] shape = new int[built.inputShape().length + 1];
        shape[0] = 5;
        System.arraycopy(built.inputShape(), 0, shape, 1, built.inputShape().length);
        Tensor x = Tensor.randn(g, shape);
        Map<String, Tensor> io = new LinkedHashMap<>();
        io.put("x", x);
        io.put("y", eval(built.model(), x));
        Npz.write(dir.resolve("io.npz"), io);
        assertEquals(built.model().stateDict().keySet(), Safetensors.read(SavedModel.file(dir)).tensors().keySet());
    }
}
