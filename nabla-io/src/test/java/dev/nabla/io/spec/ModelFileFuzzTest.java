package dev.nabla.io.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.io.NablaIOException;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Linear;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model loader against damaged files: truncations, bit flips anywhere, header lengths out of
 * range, and rewritten headers (offsets out of range or swapped, other dtypes and shapes, edited
 * metadata, checksums removed), plus NaN payloads in the data. Every variant must be a clean
 * {@link NablaIOException} naming the file, or the identical model: never a different one, never
 * another exception, never a hang.
 */
class ModelFileFuzzTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();
    private Path valid, broken;
    private byte[] bytes;
    private int headerLength;
    private Map<String, Tensor> reference;
    private String preprocessing;
    private int identical, errors;

    @BeforeEach
    void save() throws Exception {
        Generator g = new Generator(9);
        Sequential m = new Sequential(new Linear(4, 8, g), new BatchNorm1d(8), new ReLU(), new Linear(8, 8, g), new Linear(8, 3, g));
        m.forward(Tensor.randn(g, 5, 4));
        valid = new SavedModel(m, 4).preprocessing(Preprocessing.table(List.of("a", "b", "c", "d"),
                new double[][] {{1, 2, 3, 4}, {1, 1, 1, 1}}).classes(List.of("x", "y", "z"))).loss("cross_entropy").save(dir.resolve("valid"));
        bytes = Files.readAllBytes(valid);
        headerLength = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        SavedModel back = SavedModel.load(valid);
        reference = back.model().stateDict();
        preprocessing = back.preprocessing().toString();
        broken = dir.resolve("broken.safetensors");
    }

    /** Loads content from a file: a clean error naming it, or exactly the reference model. */
    private void check(byte[] content, String variant) throws Exception {
        Files.write(broken, content);
        SavedModel m;
        try {
            m = SavedModel.load(broken);
        } catch (NablaIOException e) {
            assertTrue(e.getMessage().startsWith(broken + ": "), variant + ": " + e.getMessage());
            errors++;
            return;
        } catch (Exception | Error e) {
            throw new AssertionError(variant + ": not a clean error: " + e, e);
        }
        Map<String, Tensor> s = m.model().stateDict();
        assertEquals(reference.keySet(), s.keySet(), variant);
        for (var e : reference.entrySet()) {
            assertEquals(e.getValue().dtype(), s.get(e.getKey()).dtype(), variant);
            assertArrayEquals(e.getValue().shape(), s.get(e.getKey()).shape(), variant);
            assertArrayEquals(bits(e.getValue()), bits(s.get(e.getKey())), variant + ": " + e.getKey() + " differs");
        }
        assertEquals(preprocessing, m.preprocessing().toString(), variant);
        identical++;
    }

    private static long[] bits(Tensor t) {
        if (t.dtype() == DType.INT64) return t.toLongArray();
        return Arrays.stream(t.toType(DType.FLOAT64).toDoubleArray()).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    /** The file with its header replaced by edit's version of the header JSON (re-padded, length rewritten). */
    private byte[] withHeader(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode h = (ObjectNode) JSON.readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
        edit.accept(h);
        byte[] json = JSON.writeValueAsBytes(h);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + bytes.length - 8 - headerLength).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) b.put((byte) ' ');
        b.put(bytes, 8 + headerLength, bytes.length - 8 - headerLength);
        return b.array();
    }

    private List<String> tensorNames(ObjectNode h) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = h.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("__metadata__")) out.add(k);
        }
        return out;
    }

    @Test
    void everyDamagedVariantIsACleanErrorOrTheIdenticalModel() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            check(bytes, "the valid file");
            assertEquals(1, identical);
            // truncations
            for (int n = 0; n < bytes.length; n += n < 64 ? 1 : 37) check(Arrays.copyOf(bytes, n), "truncated to " + n);
            check(Arrays.copyOf(bytes, bytes.length - 1), "one byte short");
            check(Arrays.copyOf(bytes, bytes.length + 8), "8 bytes appended");
            // bit flips: anywhere, then in the data alone
            SplittableRandom r = new SplittableRandom(11);
            for (int i = 0; i < 500; i++) {
                byte[] b = bytes.clone();
                int at = i < 300 ? r.nextInt(b.length) : 8 + headerLength + r.nextInt(b.length - 8 - headerLength);
                b[at] ^= (byte) (1 << r.nextInt(8));
                check(b, "bit flip at byte " + at);
            }
            // header lengths out of range
            for (long n : new long[] {0, 1, 7, headerLength - 8, headerLength - 1, headerLength + 1, headerLength + 8, bytes.length,
                    1L << 31, 1L << 40, Long.MAX_VALUE, -1, 200_000_000L}) {
                byte[] b = bytes.clone();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
                check(b, "header length " + n);
            }
            // NaN payloads in the data
            for (int i = 0; i < 20; i++) {
                byte[] b = bytes.clone();
                int at = 8 + headerLength + 4 * r.nextInt((b.length - 8 - headerLength) / 4);
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, Float.floatToRawIntBits(Float.NaN));
                check(b, "NaN at " + at);
            }
            // rewritten headers
            ObjectNode h0 = (ObjectNode) JSON.readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
            List<String> names = tensorNames(h0);
            for (String name : names) {
                for (String dtype : new String[] {"F64", "I64", "F16", "BOOL", "XX", ""}) {
                    check(withHeader(h -> ((ObjectNode) h.get(name)).put("dtype", dtype)), name + " dtype " + dtype);
                }
                check(withHeader(h -> ((ArrayNode) h.get(name).get("data_offsets")).set(1, 1L << 40)), name + " end out of range");
                check(withHeader(h -> ((ArrayNode) h.get(name).get("data_offsets")).set(0, -8)), name + " negative begin");
                check(withHeader(h -> ((ObjectNode) h.get(name)).putArray("shape").add(-1)), name + " negative shape");
                check(withHeader(h -> ((ObjectNode) h.get(name)).putArray("shape").add(h.get(name).get("data_offsets").get(1).asLong()
                        - h.get(name).get("data_offsets").get(0).asLong()).add(0)), name + " empty shape");
                // the same bytes seen as another shape: a different model unless refused
                check(withHeader(h -> {
                    JsonNode off = h.get(name).get("data_offsets");
                    ObjectNode e = (ObjectNode) h.get(name);
                    long n = (off.get(1).asLong() - off.get(0).asLong()) / (e.get("dtype").asText().equals("F32") ? 4 : 8);
                    e.putArray("shape").add(n);
                }), name + " flattened");
            }
            for (int i = 0; i < names.size(); i++) {
                for (int j = i + 1; j < names.size(); j++) {
                    String a = names.get(i), b = names.get(j);
                    check(withHeader(h -> {
                        JsonNode oa = h.get(a).get("data_offsets"), ob = h.get(b).get("data_offsets");
                        ((ObjectNode) h.get(a)).set("data_offsets", ob);
                        ((ObjectNode) h.get(b)).set("data_offsets", oa);
                    }), "offsets of " + a + " and " + b + " swapped");
                }
            }
            for (String key : new String[] {"architecture", "preprocessing", "input_shape", "format_version", "nabla.data_sha256",
                    "nabla.header_sha256"}) {
                check(withHeader(h -> ((ObjectNode) h.get("__metadata__")).remove(key)), "metadata " + key + " removed");
                check(withHeader(h -> ((ObjectNode) h.get("__metadata__")).put(key, "{}")), "metadata " + key + " edited");
            }
            check(withHeader(h -> ((ObjectNode) h.get("__metadata__")).remove(List.of("nabla.data_sha256", "nabla.header_sha256"))),
                    "both checksums removed");
            check(withHeader(h -> ((ObjectNode) h.get("__metadata__")).put("preprocessing",
                    h.get("__metadata__").get("preprocessing").asText().replace("[1.0,2.0", "[1.5,2.0"))), "a mean edited");
            check(withHeader(h -> { }), "the header re-serialized as is");
            assertTrue(identical >= 1 && errors > 700, identical + " identical, " + errors + " errors");
        });
    }

    @Test
    void theModelsChecksumIsThePlainSha256OfTheDataAsPythonComputesIt() throws Exception {
        byte[] data = Arrays.copyOfRange(bytes, 8 + headerLength, bytes.length);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        assertEquals(sha, SavedModel.load(valid).weightsSha256());
    }
}
