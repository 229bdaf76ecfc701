package dev.nabla.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal JSON reader and writer (objects as {@link Map}, arrays as {@link List}, strings,
 * numbers, booleans, null): enough for the one-line reports of the bench's processes and for
 * {@code bench/run --json}, without a dependency in the bench module.
 */
final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value; an {@link IllegalArgumentException} names the offset of bad input. */
    static Object parse(String text) {
        Json j = new Json(text);
        Object v = j.value();
        j.skip();
        if (j.i != text.length()) throw new IllegalArgumentException("unexpected text after the JSON value at " + j.i);
        return v;
    }

    /**
     * Writes a value: maps (keys in their order), lists, strings, numbers, booleans and null; a
     * NaN or infinite number, which JSON cannot hold, is written as null.
     */
    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b, "");
        return b.toString();
    }

    private static void write(Object v, StringBuilder b, String indent) {
        String inner = indent + "  ";
        switch (v) {
            case null -> b.append("null");
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    b.append("{}");
                    return;
                }
                b.append("{\n");
                int k = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(inner);
                    string(String.valueOf(e.getKey()), b);
                    b.append(": ");
                    write(e.getValue(), b, inner);
                    b.append(++k < m.size() ? ",\n" : "\n");
                }
                b.append(indent).append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    b.append(k == 0 ? "\n" : ",\n").append(inner);
                    write(l.get(k), b, inner);
                }
                b.append(l.isEmpty() ? "]" : "\n" + indent + "]");
            }
            case String str -> string(str, b);
            case Boolean bool -> b.append(bool);
            case Double d when d.isNaN() || d.isInfinite() -> b.append("null");
            case Float f when f.isNaN() || f.isInfinite() -> b.append("null");
            case Double d -> b.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(Locale.ROOT, "%.1f", d) : Double.toString(d));
            case Number n -> b.append(n);
            default -> throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
        }
    }

    private static void string(String str, StringBuilder b) {
        b.append('"');
        for (int k = 0; k < str.length(); k++) {
            char c = str.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    private Object value() {
        skip();
        if (i >= s.length()) throw new IllegalArgumentException("unexpected end of JSON");
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                skip();
                if (peek() == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    skip();
                    String k = string();
                    skip();
                    expect(':');
                    m.put(k, value());
                    skip();
                    if (peek() == ',') {
                        i++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            case '[' -> {
                i++;
                List<Object> l = new ArrayList<>();
                skip();
                if (peek() == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    skip();
                    if (peek() == ',') {
                        i++;
                    } else {
                        expect(']');
                        return l;
                    }
                }
            }
            case '"' -> {
                return string();
            }
            default -> {
                if (s.startsWith("true", i)) {
                    i += 4;
                    return Boolean.TRUE;
                }
                if (s.startsWith("false", i)) {
                    i += 5;
                    return Boolean.FALSE;
                }
                if (s.startsWith("null", i)) {
                    i += 4;
                    return null;
                }
                int j = i;
                while (i < s.length() && "+-0123456789.eEInfinityNa".indexOf(s.charAt(i)) >= 0) i++;
                if (j == i) throw new IllegalArgumentException("unexpected '" + c + "' at " + j);
                String num = s.substring(j, i);
                return num.equals("Infinity") ? Double.POSITIVE_INFINITY : num.equals("NaN") ? Double.NaN : Double.parseDouble(num);
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> b.append(e);
            }
        }
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) throw new IllegalArgumentException("expected '" + c + "' at " + i);
        i++;
    }

    private void skip() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }
}
