package dev.nabla.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.io.Safetensors.Entry;
import dev.nabla.io.Safetensors.Header;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a {@link Safetensors} file: written in the reference implementation's byte
 * order, and parsed with every check the reference reader makes (and more), each failure a
 * {@link NablaIOException} naming the file, the entry and the fix.
 */
final class SafetensorsHeader {
    private SafetensorsHeader() {}

    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength((int) Safetensors.MAX_HEADER_BYTES).build())
            // characters beyond U+FFFF as 4 UTF-8 bytes, as serde_json writes them, not as two escaped surrogates
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32",
            "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");

    /** The header for tensors in file order (with their data offsets) and metadata (keys sorted), space-padded to 8 bytes. */
    static byte[] bytes(List<Map.Entry<String, Tensor>> items, Map<String, String> metadata) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(Safetensors.METADATA_KEY);
            List<String> keys = new ArrayList<>(metadata.keySet());
            keys.sort(SafetensorsHeader::compareCodePoints);
            for (String k : keys) meta.put(k, metadata.get(k));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : items) {
            Tensor t = e.getValue();
            long n = (long) t.numel() * t.dtype().bytes();
            ObjectNode info = root.putObject(e.getKey());
            info.put("dtype", Safetensors.code(t.dtype()));
            ArrayNode shape = info.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            info.putArray("data_offsets").add(offset).add(offset + n);
            offset += n;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** The header of {@code text}, checked against the data that follows it; entries in data order. */
    static Header parse(Path file, String text, long headerLength, long dataLength) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new NablaIOException(file, "the header is not a JSON object (it starts with "
                        + abbreviate(text.strip()) + ")");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                JsonNode value = p.readValueAsTree();
                if (!seen.add(name)) throw new NablaIOException(file, "the header names '" + name + "' twice");
                if (name.equals(Safetensors.METADATA_KEY)) {
                    parseMetadata(file, value, metadata);
                } else {
                    entries.add(parseEntry(file, name, value));
                }
            }
            if (t != JsonToken.END_OBJECT) throw new NablaIOException(file, "the header's JSON object is not closed");
            if (p.nextToken() != null) {
                throw new NablaIOException(file, "the header has content after its JSON object (only space padding is allowed)");
            }
        } catch (JsonProcessingException e) {
            throw new NablaIOException(file, "the header is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (at header character " + e.getLocation().getCharOffset() + ")" : ""), e);
        }
        checkLayout(file, entries, dataLength);
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        return new Header(file, headerLength, Collections.unmodifiableList(entries), Collections.unmodifiableMap(metadata));
    }

    private static void parseMetadata(Path file, JsonNode value, Map<String, String> out) throws NablaIOException {
        if (value.isNull()) return; // the reference implementation accepts null for "no metadata"
        if (!value.isObject()) {
            throw new NablaIOException(file, "'" + Safetensors.METADATA_KEY + "' must be an object of strings, not " + kind(value));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new NablaIOException(file, "metadata value of '" + e.getKey() + "' is " + kind(e.getValue())
                        + "; safetensors metadata holds strings only");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Entry parseEntry(Path file, String name, JsonNode v) throws NablaIOException {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) throw new NablaIOException(file, where + ": its header entry is " + kind(v) + ", not an object");
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw new NablaIOException(file, where + ": unexpected key '" + k
                        + "' (an entry holds exactly dtype, shape and data_offsets)");
            }
        }
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || sh == null || off == null) {
            throw new NablaIOException(file, where + ": missing '"
                    + (dt == null ? "dtype" : sh == null ? "shape" : "data_offsets") + "'");
        }
        if (!dt.isTextual()) throw new NablaIOException(file, where + ": dtype is " + kind(dt) + ", not a string");
        DType dtype = dtype(file, where, dt.textValue());

        if (!sh.isArray()) throw new NablaIOException(file, where + ": shape is " + kind(sh) + ", not an array");
        int[] shape = new int[sh.size()];
        long numel = 1;
        boolean overflow = false;
        for (int i = 0; i < shape.length; i++) {
            long d = nonNegative(file, where + ": shape " + sh, sh.get(i));
            if (d > Integer.MAX_VALUE) {
                throw new NablaIOException(file, where + ": shape " + sh + " has a dimension over 2^31-1, beyond nabla's limit");
            }
            shape[i] = (int) d;
            long prod = numel * d;
            if (d != 0 && prod / d != numel) overflow = true;
            numel = prod;
        }

        if (!off.isArray() || off.size() != 2) {
            throw new NablaIOException(file, where + ": data_offsets is " + off + ", not an array [begin, end]");
        }
        long begin = nonNegative(file, where + ": data_offsets " + off, off.get(0));
        long end = nonNegative(file, where + ": data_offsets " + off, off.get(1));
        if (end < begin) throw new NablaIOException(file, where + ": data_offsets " + off + " end before they begin");
        long bytes = numel * dtype.bytes();
        if (overflow || numel != 0 && bytes / numel != dtype.bytes()) {
            throw new NablaIOException(file, where + ": shape " + sh + " overflows a 64-bit byte count");
        }
        if (end - begin != bytes) {
            throw new NablaIOException(file, where + ": shape " + Arrays.toString(shape) + " of " + Safetensors.code(dtype)
                    + " needs " + numel + " x " + dtype.bytes() + " = " + bytes + " bytes, but data_offsets "
                    + off + " span " + (end - begin));
        }
        if (numel > Integer.MAX_VALUE) {
            throw new NablaIOException(file, where + ": shape " + Arrays.toString(shape) + " has " + numel
                    + " elements; nabla tensors hold at most 2^31-1");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** Offsets within the data, then no overlap, no hole, nothing after the last tensor. */
    private static void checkLayout(Path file, List<Entry> entries, long dataLength) throws NablaIOException {
        for (Entry e : entries) {
            if (e.end() > dataLength) {
                throw new NablaIOException(file, "tensor " + e + " lies beyond the end of the data ("
                        + dataLength + " bytes after the header): the file is truncated or the offsets are wrong");
            }
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long pos = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin() < pos) {
                throw new NablaIOException(file, "tensors " + prev + " and " + e + " overlap");
            }
            if (e.begin() > pos) {
                throw new NablaIOException(file, "a hole of " + (e.begin() - pos) + " bytes lies before tensor " + e
                        + (prev == null ? " (the data must start at offset 0)" : ", after tensor " + prev)
                        + "; tensors must cover the data without gaps");
            }
            pos = e.end();
            prev = e;
        }
        if (pos != dataLength) {
            throw new NablaIOException(file, (dataLength - pos) + " bytes of trailing garbage follow the last tensor's data"
                    + " (tensors end at data offset " + pos + ", the data is " + dataLength + " bytes)");
        }
    }

    private static DType dtype(Path file, String where, String code) throws NablaIOException {
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I64" -> DType.INT64;
            default -> throw new NablaIOException(file, where + ": " + (OTHER_DTYPES.contains(code)
                    ? "dtype " + code + " is valid safetensors but nabla does not read it"
                    : "unknown dtype '" + code + "'") + " (nabla reads F32, F64 and I64)");
        };
    }

    private static long nonNegative(Path file, String where, JsonNode v) throws NablaIOException {
        if (v == null || !v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().bitLength() > 63) {
            throw new NablaIOException(file, where + ": " + v + " is not a non-negative integer below 2^63");
        }
        return v.longValue();
    }

    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static String kind(JsonNode v) {
        return v.isNull() ? "null" : v.isTextual() ? "a string" : v.isNumber() ? "a number" : v.isBoolean() ? "a boolean"
                : v.isArray() ? "an array" : "an object";
    }

    static String abbreviate(String s) {
        return s.isEmpty() ? "nothing" : "'" + (s.length() > 20 ? s.substring(0, 20) + "…" : s) + "'";
    }
}
