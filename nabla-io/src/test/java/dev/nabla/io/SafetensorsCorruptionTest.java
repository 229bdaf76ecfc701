package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a safetensors file can be broken gives a {@link NablaIOException} whose message
 * starts with the file and names the problem. Broken files are made from a valid one (truncated,
 * bytes flipped, header patched) or from a hand-written header.
 */
class SafetensorsCorruptionTest {
    @TempDir
    Path dir;

    Path valid;
    byte[] bytes;
    int headerLength;

    @BeforeEach
    void writeValidFile() throws IOException {
        valid = dir.resolve("valid.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        m.put("b", Tensor.of(new double[] {0.5, -0.5}));
        Safetensors.write(valid, m, Map.of("epoch", "3"));
        bytes = Files.readAllBytes(valid);
        headerLength = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Safetensors.read(valid); // the unbroken file is fine
    }

    /** Writes {@code content} to a new file and asserts reading it fails naming the file and {@code phrase}. */
    private NablaIOException broken(byte[] content, String phrase) throws IOException {
        Path f = dir.resolve("broken.safetensors");
        Files.write(f, content);
        NablaIOException e = assertThrows(NablaIOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "' in: " + e.getMessage());
        assertEquals(f, e.file());
        NablaIOException h = assertThrows(NablaIOException.class, () -> Safetensors.readHeader(f));
        assertEquals(e.getMessage(), h.getMessage());
        return e;
    }

    private String header() {
        return new String(bytes, 8, headerLength, StandardCharsets.UTF_8);
    }

    /** The valid file with its header text replaced (length field updated, data kept). */
    private byte[] withHeader(String json) {
        return file(json, Arrays.copyOfRange(bytes, 8 + headerLength, bytes.length));
    }

    private static byte[] file(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    // ---------------------------------------------------------------- length field and header

    @Test
    void emptyFile() throws IOException {
        broken(new byte[0], "the file is empty, shorter than the 8-byte header length");
    }

    @Test
    void fileShorterThanEightBytes() throws IOException {
        broken(Arrays.copyOf(bytes, 5), "only 5 bytes, shorter than the 8-byte header length");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        byte[] b = bytes.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length);
        broken(b, "header length " + bytes.length + " reaches beyond the end of the file");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L); // 2^64 - 1 unsigned
        broken(b, "header length 18446744073709551615 reaches beyond");
    }

    @Test
    void truncatedInsideTheHeader() throws IOException {
        broken(Arrays.copyOf(bytes, 8 + headerLength / 2), "reaches beyond the end of the file");
    }

    @Test
    void headerOverTheSizeLimit() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(150_000_000L); // sparse: no disk used
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(120_000_000L).array());
        }
        NablaIOException e = assertThrows(NablaIOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("over the limit of 100000000 bytes"), e.getMessage());
        Files.delete(f);
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] b = bytes.clone();
        b[8 + 2] = (byte) 0xFF;
        broken(b, "is not valid UTF-8");
    }

    @Test
    void invalidJson() throws IOException {
        byte[] b = bytes.clone();
        int close = header().stripTrailing().length() - 1; // the final '}'
        b[8 + close] = ' ';
        broken(b, "the header is not valid JSON");
        broken(withHeader("{\"w\":{\"dtype\":\"F32\",,}}"), "the header is not valid JSON");
    }

    @Test
    void headerNotAnObject() throws IOException {
        broken(withHeader("[1, 2, 3]"), "the header is not a JSON object");
        broken(withHeader("        "), "the header is not a JSON object (it starts with nothing)");
    }

    @Test
    void contentAfterTheJsonObject() throws IOException {
        broken(withHeader(header().stripTrailing() + "{}"), "content after its JSON object");
    }

    @Test
    void flippedByteInTheHeader() throws IOException {
        byte[] b = bytes.clone();
        int i = header().indexOf("\"dtype\"");
        b[8 + i + 1] ^= 0x20; // "dtype" -> "Dtype"
        broken(b, "unexpected key 'Dtype'");
    }

    // ---------------------------------------------------------------- entries

    @Test
    void unknownDtype() throws IOException {
        broken(withHeader(header().replace("\"F32\"", "\"F33\"")), "tensor 'w': unknown dtype 'F33' (nabla reads F32, F64 and I64)");
    }

    @Test
    void validButUnsupportedDtype() throws IOException {
        broken(withHeader(header().replace("\"F32\"", "\"BF16\"")), "dtype BF16 is valid safetensors but nabla does not read it");
    }

    @Test
    void shapeDoesNotMatchOffsets() throws IOException {
        broken(withHeader(header().replace("[2,3]", "[2,4]")),
                "tensor 'w': shape [2, 4] of F32 needs 8 x 4 = 32 bytes, but data_offsets [16,40] span 24");
    }

    @Test
    void dtypeDoesNotMatchOffsets() throws IOException {
        broken(withHeader(header().replace("\"F64\"", "\"I64\"").replace("\"F32\"", "\"F64\"")), "tensor 'w': shape [2, 3] of F64 needs");
    }

    @Test
    void malformedShapesAndOffsets() throws IOException {
        broken(withHeader(header().replace("[2,3]", "[2,-3]")), "tensor 'w': shape [2,-3]: -3 is not a non-negative integer");
        broken(withHeader(header().replace("[2,3]", "[2,3.0]")), "3.0 is not a non-negative integer");
        broken(withHeader(header().replace("[2,3]", "\"2x3\"")), "tensor 'w': shape is a string, not an array");
        broken(withHeader(header().replace("[2,3]", "[2,99999999999]")), "has a dimension over 2^31-1");
        broken(withHeader(header().replace("[16,40]", "[16,40,41]")), "data_offsets is [16,40,41], not an array [begin, end]");
        broken(withHeader(header().replace("[16,40]", "[40,16]")), "data_offsets [40,16] end before they begin");
        broken(withHeader(header().replace("[16,40]", "[16,99999999999999999999]")), "not a non-negative integer below 2^63");
        broken(withHeader(header().replace("\"F32\"", "32")), "tensor 'w': dtype is a number, not a string");
        broken(withHeader(header().replace(",\"shape\":[2,3]", "")), "tensor 'w': missing 'shape'");
        broken(withHeader(header().replace("{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[16,40]}", "7")),
                "tensor 'w': its header entry is a number, not an object");
    }

    @Test
    void shapeOverflowingSixtyFourBits() throws IOException {
        broken(file("{" + entry("x", "F32", "[2147483647,2147483647,2147483647]", 0, 0) + "}", new byte[0]),
                "overflows a 64-bit byte count");
    }

    @Test
    void tooManyElementsForNabla() throws IOException {
        // 2^31 F32 elements with consistent offsets (the data is not even there: the count is checked first).
        broken(file("{" + entry("x", "F32", "[65536,32768]", 0, 8589934592L) + "}", new byte[0]),
                "has 2147483648 elements; nabla tensors hold at most 2^31-1");
    }

    @Test
    void badMetadata() throws IOException {
        broken(withHeader(header().replace("\"3\"", "3")), "metadata value of 'epoch' is a number; safetensors metadata holds strings only");
        broken(withHeader(header().replace("{\"epoch\":\"3\"}", "[\"3\"]")), "'__metadata__' must be an object of strings, not an array");
    }

    @Test
    void nullMetadataIsAcceptedAsTheReferenceDoes() throws IOException {
        Path f = dir.resolve("nullmeta.safetensors");
        Files.write(f, withHeader(header().replace("{\"epoch\":\"3\"}", "null")));
        assertTrue(Safetensors.read(f).metadata().isEmpty());
    }

    @Test
    void duplicateNames() throws IOException {
        String h = header().stripTrailing();
        String w = h.substring(h.indexOf("\"w\":"), h.length() - 1);
        broken(withHeader(h.substring(0, h.length() - 1) + "," + w + "}"), "the header names 'w' twice");
        broken(withHeader(h.replace("{\"dtype\":\"F32\",", "{\"dtype\":\"F32\",\"dtype\":\"F32\",")), "Duplicate field 'dtype'");
        broken(withHeader(h.replace("{\"epoch\":\"3\"}", "{\"epoch\":\"3\",\"epoch\":\"4\"}")), "Duplicate field 'epoch'");
    }

    // ---------------------------------------------------------------- layout of the data

    @Test
    void truncatedData() throws IOException {
        broken(Arrays.copyOf(bytes, bytes.length - 4), "tensor 'w' F32 [2, 3] [16, 40] lies beyond the end of the data (36 bytes");
        broken(Arrays.copyOf(bytes, 8 + headerLength), "lies beyond the end of the data (0 bytes after the header)");
    }

    @Test
    void trailingGarbage() throws IOException {
        byte[] b = Arrays.copyOf(bytes, bytes.length + 3);
        broken(b, "3 bytes of trailing garbage follow the last tensor's data (tensors end at data offset 40, the data is 43 bytes)");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        broken(withHeader(header().replace("[16,40]", "[1016,1040]")), "tensor 'w' F32 [2, 3] [1016, 1040] lies beyond the end of the data (40 bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        byte[] data = new byte[24];
        broken(file("{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 8, 24) + "}", data),
                "tensors 'a' F32 [4] [0, 16] and 'b' F32 [4] [8, 24] overlap");
        broken(file("{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 0, 16) + "}", new byte[16]),
                "overlap");
    }

    @Test
    void holesBetweenOrBeforeTensors() throws IOException {
        broken(file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 16, 24) + "}", new byte[24]),
                "a hole of 8 bytes lies before tensor 'b' F32 [2] [16, 24], after tensor 'a'");
        broken(file("{" + entry("a", "F32", "[2]", 8, 16) + "}", new byte[16]),
                "a hole of 8 bytes lies before tensor 'a' F32 [2] [8, 16] (the data must start at offset 0)");
    }

    @Test
    void emptyTensorsMayShareAnOffsetAndHeaderOrderDoesNotMatter() throws IOException {
        Path f = dir.resolve("ok.safetensors");
        Files.write(f, file("{" + entry("b", "F32", "[2]", 8, 16) + "," + entry("e", "F64", "[0,3]", 8, 8) + ","
                + entry("a", "I64", "[1]", 0, 8) + "," + entry("e2", "F32", "[0]", 8, 8) + "}", new byte[16]));
        TensorFile t = Safetensors.read(f);
        assertEquals(java.util.List.of("a", "e", "e2", "b"), java.util.List.copyOf(t.tensors().keySet()));
        assertEquals(DType.INT64, t.tensors().get("a").dtype());
    }

    @Test
    void aFlippedDataByteIsNotDetected() throws IOException {
        // safetensors has no checksum: corrupted tensor bytes read back as other numbers.
        byte[] b = bytes.clone();
        b[b.length - 1] ^= 0x01;
        Path f = dir.resolve("flipped.safetensors");
        Files.write(f, b);
        Safetensors.read(f);
    }
}
