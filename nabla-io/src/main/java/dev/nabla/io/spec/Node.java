package dev.nabla.io.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A JSON object of a spec being read: typed getters that name the JSON path on error, and a
 * check that every key was understood, so that a misspelt key is reported, never ignored.
 */
final class Node {
    final JsonNode json;
    final String path;
    private final Set<String> read = new LinkedHashSet<>();

    Node(JsonNode json, String path) {
        if (json == null || !json.isObject()) throw new SpecException(path, "expected a JSON object");
        this.json = json;
        this.path = path;
    }

    boolean has(String key) {
        read.add(key);
        return json.has(key) && !json.get(key).isNull();
    }

    private JsonNode get(String key) {
        read.add(key);
        JsonNode v = json.get(key);
        if (v == null || v.isNull()) throw new SpecException(path, "missing required key \"" + key + "\"");
        return v;
    }

    String string(String key) {
        JsonNode v = get(key);
        if (!v.isTextual()) throw new SpecException(path + "." + key, "expected a string, got " + v);
        return v.asText();
    }

    String string(String key, String dflt) {
        return has(key) ? string(key) : dflt;
    }

    double number(String key) {
        JsonNode v = get(key);
        if (!v.isNumber()) throw new SpecException(path + "." + key, "expected a number, got " + v);
        return v.asDouble();
    }

    double number(String key, double dflt) {
        return has(key) ? number(key) : dflt;
    }

    int integer(String key) {
        JsonNode v = get(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new SpecException(path + "." + key, "expected a whole number, got " + v);
        return v.asInt();
    }

    int integer(String key, int dflt) {
        return has(key) ? integer(key) : dflt;
    }

    int positive(String key, int dflt) {
        int v = integer(key, dflt);
        if (v < 1) throw new SpecException(path + "." + key, "must be >= 1, got " + v);
        return v;
    }

    long longValue(String key, long dflt) {
        if (!has(key)) return dflt;
        JsonNode v = get(key);
        if (!v.isIntegralNumber()) throw new SpecException(path + "." + key, "expected a whole number, got " + v);
        return v.asLong();
    }

    boolean bool(String key, boolean dflt) {
        if (!has(key)) return dflt;
        JsonNode v = get(key);
        if (!v.isBoolean()) throw new SpecException(path + "." + key, "expected true or false, got " + v);
        return v.asBoolean();
    }

    double[] numbers(String key, int length) {
        JsonNode v = get(key);
        if (!v.isArray() || v.size() != length) throw new SpecException(path + "." + key, "expected an array of " + length + " numbers, got " + v);
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            if (!v.get(i).isNumber()) throw new SpecException(path + "." + key + "[" + i + "]", "expected a number, got " + v.get(i));
            out[i] = v.get(i).asDouble();
        }
        return out;
    }

    int[] ints(String key) {
        JsonNode v = get(key);
        if (!v.isArray()) throw new SpecException(path + "." + key, "expected an array of whole numbers, got " + v);
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).canConvertToInt() || !v.get(i).isIntegralNumber() || v.get(i).asInt() < 1) {
                throw new SpecException(path + "." + key + "[" + i + "]", "expected a whole number >= 1, got " + v.get(i));
            }
            out[i] = v.get(i).asInt();
        }
        return out;
    }

    List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        if (!has(key)) return out;
        JsonNode v = get(key);
        if (!v.isArray()) throw new SpecException(path + "." + key, "expected an array of strings, got " + v);
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) throw new SpecException(path + "." + key + "[" + i + "]", "expected a string, got " + v.get(i));
            out.add(v.get(i).asText());
        }
        return out;
    }

    Node object(String key) {
        return new Node(get(key), path + "." + key);
    }

    /** An object, or a bare string standing for {"type": string}. */
    Node typed(String key) {
        JsonNode v = get(key);
        if (v.isTextual()) {
            var o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            o.put("type", v.asText());
            return new Node(o, path + "." + key);
        }
        return new Node(v, path + "." + key);
    }

    List<Node> objects(String key) {
        JsonNode v = get(key);
        if (!v.isArray()) throw new SpecException(path + "." + key, "expected an array of objects");
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) out.add(new Node(v.get(i), path + "." + key + "[" + i + "]"));
        return out;
    }

    /** Fails on any key that no getter asked for, listing the ones that are understood here. */
    void checkNoUnknownKeys(Set<String> allowed) {
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!read.contains(k) && !allowed.contains(k)) {
                Set<String> valid = new LinkedHashSet<>(read);
                valid.addAll(allowed);
                throw new SpecException(path + "." + k, "unknown key; valid keys here: " + String.join(", ", valid));
            }
        }
    }

    void checkNoUnknownKeys() {
        checkNoUnknownKeys(Set.of());
    }

    /** A choice from a fixed list, named in the error. */
    static SpecException unknownChoice(String path, String what, String value, Set<String> choices) {
        return new SpecException(path, "unknown " + what + " \"" + value + "\"; choose one of " + String.join(", ", choices));
    }
}
