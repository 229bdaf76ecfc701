package dev.nabla.nn;

import java.util.List;
import java.util.Map;

/**
 * What a {@link LayerRegistry.Factory} rebuilds a layer from: the map its {@link Layer#config()}
 * gave (after a trip through JSON: numbers may come back as another {@link Number} type, int
 * arrays as lists) and its rebuilt children in order. The getters check the type and say which
 * layer and key is wrong.
 *
 * @param type the registered type name, for messages
 * @param values the configuration
 * @param children the rebuilt child layers, in registration order (empty for a leaf layer)
 */
public record LayerConfig(String type, Map<String, Object> values, List<Layer> children) {
    /** Copies the map and the list; a null value is refused. */
    public LayerConfig {
        for (var e : values.entrySet()) {
            if (e.getValue() == null) throw new IllegalArgumentException("layer " + type + ": configuration '" + e.getKey() + "' is null");
        }
        values = Map.copyOf(values);
        children = List.copyOf(children);
    }

    /** True when the configuration has this key. */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** An integer value. */
    public int integer(String key) {
        Object v = get(key);
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw wrong(key, v, "an integer");
    }

    /** A number. */
    public double number(String key) {
        if (get(key) instanceof Number n) return n.doubleValue();
        throw wrong(key, get(key), "a number");
    }

    /** A boolean. */
    public boolean bool(String key) {
        if (get(key) instanceof Boolean b) return b;
        throw wrong(key, get(key), "true or false");
    }

    /** A string. */
    public String string(String key) {
        if (get(key) instanceof String s) return s;
        throw wrong(key, get(key), "a string");
    }

    /** An array of integers (an int[] or a list of integral numbers). */
    public int[] ints(String key) {
        Object v = get(key);
        if (v instanceof int[] a) return a.clone();
        if (v instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                    throw wrong(key, v, "an array of integers");
                }
                out[i] = n.intValue();
            }
            return out;
        }
        throw wrong(key, v, "an array of integers");
    }

    private Object get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("layer " + type + ": its configuration has no '" + key + "' (it has "
                    + values.keySet() + ")");
        }
        return values.get(key);
    }

    private IllegalArgumentException wrong(String key, Object v, String expected) {
        return new IllegalArgumentException("layer " + type + ": configuration '" + key + "' is " + v + ", expected " + expected);
    }
}
