package dev.nabla.io.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model file committed as nabla 0.1.0 wrote it, against what Hugging Face's {@code safetensors}
 * and Python's hashlib read from it (scripts/check_model_file.py, whose output is committed): the
 * checksums verify the documented way, and nabla's loader, today and in every later version,
 * gives the same tensors bit for bit, the same architecture and preprocessing.
 */
class ModelFilePythonTest {
    @Test
    void theCommittedModelFileLoadsAsPythonReadsIt() throws Exception {
        JsonNode expected;
        try (InputStream in = getClass().getResourceAsStream("/model/small-cnn.expected.json")) {
            assertNotNull(in, "model/small-cnn.expected.json; regenerate with scripts/check_model_file.py");
            expected = new ObjectMapper().readTree(in);
        }
        assertTrue(expected.get("checksums_verified").asBoolean());
        SavedModel m = SavedModel.load(Path.of(getClass().getResource("/model/small-cnn.safetensors").toURI()));
        assertEquals(expected.get("data_sha256").asText(), m.weightsSha256());
        assertEquals(expected.get("preprocessing"), m.preprocessing().json());
        assertEquals(expected.get("input_shape").toString(), new ObjectMapper().valueToTree(m.inputShape()).toString());
        assertEquals(java.util.List.of("zero", "one", "two"), m.preprocessing().classes());
        Map<String, Tensor> state = m.model().stateDict();
        assertEquals(expected.get("tensors").size(), state.size());
        for (var it = expected.get("tensors").fields(); it.hasNext(); ) {
            var e = it.next();
            Tensor t = state.get(e.getKey());
            assertNotNull(t, e.getKey());
            int[] shape = new int[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.getValue().get("shape").get(i).asInt();
            assertArrayEquals(shape, t.shape(), e.getKey());
            JsonNode bits = e.getValue().get("bits");
            long[] want = new long[bits.size()];
            for (int i = 0; i < want.length; i++) want[i] = Long.parseUnsignedLong(bits.get(i).asText());
            long[] got = t.dtype() == DType.INT64 ? t.toLongArray()
                    : java.util.Arrays.stream(t.toType(DType.FLOAT64).toDoubleArray())
                            .mapToLong(d -> Integer.toUnsignedLong(Float.floatToRawIntBits((float) d))).toArray();
            assertArrayEquals(want, got, e.getKey());
        }
        // the architecture as Python parsed it names the same layers, in order
        StringBuilder types = new StringBuilder();
        for (JsonNode c : expected.get("architecture").get("children")) types.append(c.get("type").asText()).append(' ');
        assertEquals("Conv2d BatchNorm2d ReLU MaxPool2d Flatten Linear ", types.toString());
        assertEquals(6, m.model().children().size());
    }
}
