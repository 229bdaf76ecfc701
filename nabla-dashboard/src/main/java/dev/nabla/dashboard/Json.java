package dev.nabla.dashboard;

import java.util.Locale;
import java.util.Map;

/** A small JSON writer for the dashboard's events: objects, arrays, strings, numbers (NaN and infinities as null). */
final class Json {
    private final StringBuilder sb = new StringBuilder();
    private boolean needComma;

    Json begin() {
        comma();
        sb.append('{');
        needComma = false;
        return this;
    }

    Json end() {
        sb.append('}');
        needComma = true;
        return this;
    }

    Json key(String k) {
        comma();
        string(k);
        sb.append(':');
        needComma = false;
        return this;
    }

    Json value(String s) {
        comma();
        string(s);
        needComma = true;
        return this;
    }

    Json value(double v) {
        comma();
        sb.append(number(v));
        needComma = true;
        return this;
    }

    Json value(boolean b) {
        comma();
        sb.append(b);
        needComma = true;
        return this;
    }

    Json field(String k, String v) {
        return key(k).value(v);
    }

    Json field(String k, double v) {
        return key(k).value(v);
    }

    Json array(String k, double[] values) {
        key(k);
        sb.append('[');
        for (int i = 0; i < values.length; i++) sb.append(i == 0 ? "" : ",").append(number(values[i]));
        sb.append(']');
        needComma = true;
        return this;
    }

    Json array(String k, Iterable<String> values) {
        key(k);
        sb.append('[');
        boolean first = true;
        for (String v : values) {
            if (!first) sb.append(',');
            string(v);
            first = false;
        }
        sb.append(']');
        needComma = true;
        return this;
    }

    /** An object of numbers. */
    Json object(String k, Map<String, Double> values) {
        key(k).begin();
        for (var e : values.entrySet()) field(e.getKey(), e.getValue());
        return end();
    }

    private void comma() {
        if (needComma) sb.append(',');
    }

    private static String number(double v) {
        if (!Double.isFinite(v)) return "null";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.9g", v);
    }

    private void string(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<') sb.append(String.format("\\u%04x", (int) c)); // '<': safe inside a page too
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
