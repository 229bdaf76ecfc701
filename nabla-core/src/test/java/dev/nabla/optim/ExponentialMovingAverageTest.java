package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The weight average against PyTorch's AveragedModel (fixture by scripts/torch_ema_fixtures.py). */
class ExponentialMovingAverageTest {
    private static Layer net(long seed) {
        return new Sequential(new Linear(3, 2, new Generator(seed)), new BatchNorm1d(2)).build(3);
    }

    private static void load(Layer model, JsonNode state) {
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            JsonNode v = state.get(e.getKey());
            if (v == null) continue; // num_batches_tracked is not in the fixture
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) f[i] = (float) v.get(i).asDouble();
            e.getValue().copyFrom(Tensor.of(f, e.getValue().shape()));
        }
    }

    @Test
    void matchesPyTorchAveragedModel() throws IOException {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/torch_ema.json")) {
            root = JsonMapper.builder().build().readTree(in);
        }
        Layer model = net(1), average = net(2);
        load(model, root.get("init"));
        var ema = new ExponentialMovingAverage(model, average, root.get("decay").asDouble());
        for (int k = 0; k < root.get("states").size(); k++) {
            load(model, root.get("states").get(k));
            ema.update();
            JsonNode expected = root.get("averaged").get(k);
            for (var e : average.stateDict().entrySet()) {
                JsonNode v = expected.get(e.getKey());
                if (v == null) continue;
                float[] got = e.getValue().toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    // PyTorch's lerp rounds differently (a fused multiply-add); the operands are below 8, float32's ulp there is 9.5e-7
                    assertEquals(v.get(i).asDouble(), got[i], 1e-6,
                            "step " + k + " " + e.getKey() + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void startsAsACopyMovesHalfwayAtDecayOneHalfAndCopiesBuffers() {
        Layer model = net(1), average = net(2);
        var ema = new ExponentialMovingAverage(model, average, 0.5);
        float[] w0 = model.stateDict().get("0.weight").toFloatArray();
        assertArrayEquals(w0, average.stateDict().get("0.weight").toFloatArray());
        model.stateDict().get("0.weight").addInPlace(Tensor.ones(2, 3));
        model.stateDict().get("1.running_mean").fill(3);
        ema.update();
        float[] w1 = model.stateDict().get("0.weight").toFloatArray(), a = average.stateDict().get("0.weight").toFloatArray();
        for (int i = 0; i < w0.length; i++) {
            assertEquals(w0[i] + 1, w1[i], 0f, "the model is left alone");
            assertEquals(w0[i] + (w1[i] - w0[i]) * 0.5f, a[i], 0f);
        }
        assertArrayEquals(new float[] {3, 3}, average.stateDict().get("1.running_mean").toFloatArray());
    }

    @Test
    void refusesAnotherArchitectureAndABadDecay() {
        Layer model = net(1);
        var wide = new Sequential(new Linear(3, 4, new Generator(0)), new BatchNorm1d(4)).build(3);
        var e = assertThrows(IllegalArgumentException.class, () -> new ExponentialMovingAverage(model, wide, 0.9));
        assertTrue(e.getMessage().contains("'0.weight' is float32[2, 3] in the model but float32[4, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ExponentialMovingAverage(model, net(2), 1.5));
        assertThrows(IllegalArgumentException.class, () -> new ExponentialMovingAverage(model, net(2), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ExponentialMovingAverage(model, model, 0.9));
    }
}
