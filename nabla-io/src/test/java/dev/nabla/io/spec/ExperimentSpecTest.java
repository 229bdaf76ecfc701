package dev.nabla.io.spec;

import static dev.nabla.io.TensorAssert.assertBitwiseEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.nn.Layer;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentSpecTest {
    private static final String RUNGE = """
            {"name": "runge", "seed": 0,
             "model": {"input": [1], "layers": [
               {"type": "linear", "units": 20, "activation": "tanh"},
               {"type": "linear", "units": 10, "activation": "sigmoid"},
               {"type": "linear", "units": 20, "activation": "tanh"},
               {"type": "linear", "units": 10, "activation": "sigmoid"},
               {"type": "linear", "units": 1}]},
             "data": {"type": "function", "function": "runge", "points": 200, "range": [-1, 1], "testPoints": 100},
             "loss": "mse",
             "optimizer": {"type": "adam", "lr": 0.01},
             "training": {"epochs": 300, "batchSize": 39, "validationSplit": 0.3, "metrics": ["mae"]}}
            """;

    private static SpecException error(String json) {
        return assertThrows(SpecException.class, () -> ExperimentSpec.parse(json, "test"));
    }

    @Test
    void theCourseRungeSpecBuildsTheCourseNetwork() {
        ExperimentSpec spec = ExperimentSpec.parse(RUNGE, "x");
        assertEquals("runge", spec.name());
        Layer m = spec.model().model();
        assertEquals(691, m.parameterCount());
        assertEquals(200, spec.train().size());
        assertEquals(100, spec.test().size());
        assertTrue(spec.isCurveFit());
        assertEquals(300, spec.epochs());
        assertEquals(39, spec.batchSize());
        String summary = m.summary(1);
        for (String count : new String[] {"40", "210", "220", "11", "691"}) assertTrue(summary.contains(count), summary);
    }

    @Test
    void theSameSeedBuildsTheSameWeightsAndData() {
        ExperimentSpec a = ExperimentSpec.parse(RUNGE, "x"), b = ExperimentSpec.parse(RUNGE, "x");
        assertBitwiseEquals(a.model().model().stateDict().get("0.weight"), b.model().model().stateDict().get("0.weight"), "0.weight");
        assertBitwiseEquals(a.train().get(new int[] {0, 1, 2}).inputs(), b.train().get(new int[] {0, 1, 2}).inputs(), "inputs");
    }

    @Test
    void unknownNamesGiveTheJsonPathAndTheValidChoices() {
        SpecException e = error(RUNGE.replace("\"type\": \"linear\", \"units\": 10, \"activation\": \"sigmoid\"",
                "\"type\": \"lineer\", \"units\": 10"));
        assertEquals("$.model.layers[1].type", e.path());
        assertTrue(e.getMessage().contains("\"lineer\"") && e.getMessage().contains("linear, dense, dropout"), e.getMessage());

        e = error(RUNGE.replace("\"activation\": \"sigmoid\"", "\"activation\": \"sigmoïd\""));
        assertEquals("$.model.layers[1].activation", e.path());
        assertTrue(e.getMessage().contains("tanh, relu"), e.getMessage());

        e = error(RUNGE.replace("\"type\": \"adam\"", "\"type\": \"adamm\""));
        assertEquals("$.optimizer.type", e.path());
        assertTrue(e.getMessage().contains("sgd, adam, adamw, rmsprop, adagrad"), e.getMessage());

        e = error(RUNGE.replace("\"loss\": \"mse\"", "\"loss\": \"mean_squared\""));
        assertEquals("$.loss", e.path());

        e = error(RUNGE.replace("\"batchSize\": 39", "\"batch_size\": 39"));
        assertEquals("$.training.batch_size", e.path());
        assertTrue(e.getMessage().contains("unknown key") && e.getMessage().contains("batchSize"), e.getMessage());

        e = error(RUNGE.replace("\"lr\": 0.01", "\"lr\": 0.01, \"momentum\": 0.9"));
        assertEquals("$.optimizer.momentum", e.path());

        e = error(RUNGE.replace("\"metrics\": [\"mae\"]", "\"metrics\": [\"f1\"]"));
        assertTrue(e.getMessage().contains("accuracy, binary_accuracy, mse, mae"), e.getMessage());
    }

    @Test
    void layersThatDoNotFitNameBothLayersAndShapesBeforeTraining() {
        SpecException e = error(RUNGE.replace("{\"type\": \"linear\", \"units\": 1}", "{\"type\": \"linear\", \"in\": 20, \"units\": 1}"));
        assertEquals("$.model.layers[4]", e.path());
        assertTrue(e.getMessage().contains("expects inputs of size 20") && e.getMessage().contains("layer 4 (linear)") && e.getMessage().contains("layer 3 (linear, sigmoid)")
                && e.getMessage().contains("[10]"), e.getMessage());
    }

    @Test
    void badValuesAndBadJsonAreClear() {
        assertEquals("$.training.validationSplit", error(RUNGE.replace("0.3", "1.5")).path());
        assertEquals("$.model.layers[0].units", error(RUNGE.replace("\"units\": 20", "\"units\": 0")).path());
        SpecException e = error(RUNGE.replace("\"loss\": \"mse\",", "\"loss\": \"mse\""));
        assertTrue(e.getMessage().contains("not valid JSON") && e.getMessage().contains("line"), e.getMessage());
        assertEquals("$.model", error(RUNGE.replace("\"model\"", "\"modell\"")).path());
    }

    @Test
    void savedModelLoadsAndPredictsBitwiseTheSame(@TempDir Path dir) throws IOException {
        ExperimentSpec spec = ExperimentSpec.parse(RUNGE, "x");
        Layer m = spec.model().model();
        new SavedModel(m, spec.model().inputShape()).spec(spec.modelJson()).save(dir);
        assertTrue(Files.size(dir.resolve(SavedModel.FILE_NAME)) > 691 * 4);
        Layer loaded = SavedModel.load(dir).model();
        Tensor x = Tensor.linspace(-1, 1, 33).reshape(33, 1);
        m.eval();
        loaded.eval();
        assertArrayEquals(m.forward(x).toFloatArray(), loaded.forward(x).toFloatArray());
    }

    @Test
    void aLegacyModelFolderLoadsAndOneWhoseWeightsDoNotFitTheSpecIsRefused(@TempDir Path dir) throws IOException {
        ExperimentSpec spec = ExperimentSpec.parse(RUNGE, "x");
        // a folder as nabla 0.1 wrote it: model.json beside model.safetensors
        dev.nabla.io.Safetensors.write(dir.resolve(SavedModel.FILE_NAME), spec.model().model().stateDict(), Map.of("format", "nabla.model"));
        Files.writeString(dir.resolve(SavedModel.LEGACY_SPEC_FILE), spec.modelJson().toString());
        SavedModel legacy = SavedModel.load(dir);
        assertTrue(legacy.isLegacy());
        assertEquals("none", legacy.preprocessing().type());
        assertEquals(spec.model().model().stateDict().keySet(), legacy.model().stateDict().keySet());
        ObjectNode other = (ObjectNode) spec.modelJson().deepCopy();
        ((ObjectNode) other.get("layers").get(2)).put("units", 21); // the third layer now has 21 units
        Files.writeString(dir.resolve(SavedModel.LEGACY_SPEC_FILE), other.toString());
        IOException e = assertThrows(IOException.class, () -> SavedModel.load(dir));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("[21, 10]"), e.getMessage());
    }

    @Test
    void aKeyGivenTwiceIsAnErrorNotTheLastOneWins() {
        SpecException e = error(RUNGE.replace("\"loss\": \"mse\"", "\"loss\": \"mse\", \"loss\": \"l1\""));
        assertTrue(e.getMessage().contains("line 9, column 23") && e.getMessage().contains("the key \"loss\" appears twice"), e.getMessage());
    }

    @Test
    void jsonErrorsGiveLineAndColumnWithoutTheParsersInternals() {
        SpecException e = error("{\"name\": \"x\",\n  \"seed\": 1,, }");
        assertEquals("$: not valid JSON at line 2, column 13: Unexpected character (','): was expecting double-quote to start"
                + " field name", e.getMessage());
        e = error("{\"name\": \"x\",\n \"seed\": [1, 2");
        assertTrue(e.getMessage().contains("opened at line 2, column 10") && !e.getMessage().contains("Source"), e.getMessage());
    }

    @Test
    void theNameMustBeAPlainFileName() {
        for (String bad : new String[] {"", " ", "../x", "a/b", "a\\\\b", "..", "x\\u0000y"}) {
            SpecException e = error(RUNGE.replace("\"name\": \"runge\"", "\"name\": \"" + bad + "\""));
            assertEquals("$.name", e.path(), bad);
            assertTrue(e.getMessage().contains("is not a plain file name"), e.getMessage());
        }
        assertEquals("runge-2.v1", ExperimentSpec.parse(RUNGE.replace("\"runge\", \"seed\"", "\"runge-2.v1\", \"seed\""), "x").name());
    }

    @Test
    void optimizerSettingsAreCheckedWhenTheSpecIsRead() {
        SpecException e = error(RUNGE.replace("\"lr\": 0.01", "\"lr\": -0.01"));
        assertEquals("$.optimizer: Adam: invalid learning rate -0.01; it must be finite and >= 0", e.getMessage());
        e = error(RUNGE.replace("\"lr\": 0.01", "\"lr\": 0.01, \"betas\": [1.5, 0.999]"));
        assertEquals("$.optimizer: Adam: invalid beta1 1.5; it must be in [0, 1)", e.getMessage());
        e = error(RUNGE.replace("\"type\": \"adam\", \"lr\": 0.01", "\"type\": \"rmsprop\", \"alpha\": 2"));
        assertTrue(e.getMessage().contains("alpha 2.0"), e.getMessage());
    }

    @Test
    void theLossAndTheLastLayerMustFitTheTargetsBeforeAnyDataIsRead() {
        SpecException e = error(RUNGE.replace("\"loss\": \"mse\"", "\"loss\": \"nll\""));
        assertEquals("$.loss", e.path());
        assertTrue(e.getMessage().contains("needs class labels, but the function data gives values"), e.getMessage());
        e = error(RUNGE.replace("{\"type\": \"linear\", \"units\": 1}", "{\"type\": \"linear\", \"units\": 2}"));
        assertEquals("$.model.layers: the network gives outputs of shape [2] but the data has 1 target value per example;"
                + " the last layer needs 1 unit", e.getMessage());
        // idx data: the folder does not exist, and need not: the checks come first
        String idx = RUNGE.replace("{\"type\": \"function\", \"function\": \"runge\", \"points\": 200, \"range\": [-1, 1],"
                + " \"testPoints\": 100}", "{\"type\": \"idx\", \"folder\": \"/no/such/folder\", \"flatten\": true}")
                .replace("\"input\": [1]", "\"input\": [784]").replace("\"metrics\": [\"mae\"]", "\"metrics\": []");
        e = error(idx);
        assertEquals("$.loss", e.path());
        assertTrue(e.getMessage().contains("\"mse\" compares values, but the idx data gives class labels"), e.getMessage());
        e = error(idx.replace("\"loss\": \"mse\"", "\"loss\": \"cross_entropy\""));
        assertTrue(e.getMessage().contains("10 classes; the last layer needs 10 units"), e.getMessage());
        ExperimentSpec ok = ExperimentSpec.parse(idx.replace("\"loss\": \"mse\"", "\"loss\": \"cross_entropy\"")
                .replace("{\"type\": \"linear\", \"units\": 1}", "{\"type\": \"linear\", \"units\": 10}"), "x");
        assertEquals("cross_entropy", ok.lossName());
    }

    @Test
    void microBatchesAreATrainingSettingCheckedWithTheOthers() {
        String micro = RUNGE.replace("\"batchSize\": 39", "\"batchSize\": 39, \"microBatches\": 3");
        assertEquals(3, ExperimentSpec.parse(micro, "x").fitOptions().microBatches());
        assertEquals("$.training.microBatches", error(micro.replace("\"microBatches\": 3", "\"microBatches\": 0")).path());
        // the loss is still checked against the targets, before the training settings
        assertEquals("$.loss", error(micro.replace("\"loss\": \"mse\"", "\"loss\": \"cross_entropy\"")).path());
    }

    @Test
    void aLayerTooLargeForATensorIsASpecError() {
        SpecException e = error(RUNGE.replace("\"units\": 20, \"activation\": \"tanh\"}",
                "\"units\": 1000000}, {\"type\": \"linear\", \"units\": 1000000}"));
        assertEquals("$.model.layers", e.path());
        assertTrue(e.getMessage().contains("[1000000, 1000000] has 1000000000000 elements"), e.getMessage());
    }
}
