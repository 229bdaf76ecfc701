package dev.nabla.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bench's JSON, on Jackson (as nabla-io): objects as {@link Map} in key order, arrays as
 * {@link List}. Reads Python's {@code json.dumps}, which writes NaN for a missing figure; writes a NaN
 * or infinite number as null, since JSON has no such numbers.
 */
final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Json() {}

    /** Parses one JSON value; an {@link IllegalArgumentException} says where the input is bad. */
    static Object parse(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage() + " at " + e.getLocation().offsetDescription(), e);
        }
    }

    /** Writes maps, lists, strings, numbers, booleans and null, indented. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(finite(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Object finite(Object v) {
        return switch (v) {
            case Double d when !Double.isFinite(d) -> null;
            case Float f when !Float.isFinite(f) -> null;
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(k, finite(x)));
                yield out;
            }
            case List<?> l -> {
                List<Object> out = new ArrayList<>();
                for (Object x : l) out.add(finite(x));
                yield out;
            }
            case null, default -> v;
        };
    }
}
