package dev.nabla.io.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.data.Dataset;
import dev.nabla.data.Transform;
import dev.nabla.data.TransformedDataset;
import dev.nabla.data.Transforms;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What training did to the raw inputs, saved with the model so that {@code evaluate} and
 * {@code predict} do the same: an open JSON object with a {@code "type"} and keys of that type.
 * nabla writes these types (a new kind of data adds its own, e.g. a text model's
 * {@code {"type": "text", "vocabulary": [...]}}; unknown keys are kept as they are):
 * <ul>
 *   <li>{@code "image"}: {@code "shape"} [channels, height, width] of the images (pixels scaled
 *       to [0, 1]), {@code "flatten"} (rows of c·h·w values), {@code "normalize"}
 *       {@code {"mean": [...], "std": [...]}} per channel (absent when none);
 *   <li>{@code "table"}: {@code "features"} (the column names, in order) and {@code "standardize"}
 *       {@code {"mean": [...], "std": [...]}} per feature (absent when none), and {@code "label"}
 *       or {@code "targets"} (the predicted columns);
 *   <li>{@code "values"}: numbers as they are (a 1-D function's x);
 *   <li>{@code "none"}: nothing is known about the inputs (a model saved from Java without it).
 * </ul>
 * A classifier's {@code "classes"} (names by label index) may accompany any type.
 */
public final class Preprocessing {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode json;

    private Preprocessing(ObjectNode json) {
        this.json = json;
    }

    /** Wraps a JSON object that has a string "type". */
    public static Preprocessing of(JsonNode json) {
        if (json == null || !json.isObject() || !json.path("type").isTextual()) {
            throw new IllegalArgumentException("preprocessing must be a JSON object with a string \"type\", got " + json);
        }
        return new Preprocessing(((ObjectNode) json).deepCopy());
    }

    /** No known preprocessing. */
    public static Preprocessing none() {
        return typed("none");
    }

    /** Numbers used as they are (1-D function data). */
    public static Preprocessing values() {
        return typed("values");
    }

    /** Images [channels, height, width], optionally flattened and normalized ({mean, std} per channel, or null). */
    public static Preprocessing image(int[] shape, boolean flatten, double[][] normalize) {
        ObjectNode o = object("image");
        ArrayNode s = o.putArray("shape");
        for (int d : shape) s.add(d);
        o.put("flatten", flatten);
        meanStd(o, "normalize", normalize);
        return new Preprocessing(o);
    }

    /** Table rows of these feature columns, optionally standardized ({mean, std} per feature, or null). */
    public static Preprocessing table(List<String> features, double[][] standardize) {
        ObjectNode o = object("table");
        ArrayNode f = o.putArray("features");
        features.forEach(f::add);
        meanStd(o, "standardize", standardize);
        return new Preprocessing(o);
    }

    /** A copy with the class names of a classifier. */
    public Preprocessing classes(List<String> names) {
        ObjectNode o = json.deepCopy();
        ArrayNode a = o.putArray("classes");
        names.forEach(a::add);
        return new Preprocessing(o);
    }

    /** A copy with one more key (strings, numbers, arrays: any JSON value). */
    public Preprocessing with(String key, JsonNode value) {
        ObjectNode o = json.deepCopy();
        o.set(key, value);
        return new Preprocessing(o);
    }

    private static Preprocessing typed(String type) {
        return new Preprocessing(object(type));
    }

    private static ObjectNode object(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    private static void meanStd(ObjectNode o, String key, double[][] ms) {
        if (ms == null) return;
        ObjectNode n = o.putObject(key);
        ArrayNode mean = n.putArray("mean"), std = n.putArray("std");
        for (double v : ms[0]) mean.add(v);
        for (double v : ms[1]) std.add(v);
    }

    /** The type: image, table, values, none, or another kind's. */
    public String type() {
        return json.get("type").asText();
    }

    /** The JSON object (a copy). */
    public ObjectNode json() {
        return json.deepCopy();
    }

    /** The class names, or null when the model is not a classifier (or they are unknown). */
    public List<String> classes() {
        return strings("classes");
    }

    /** A list of strings under key, or null. */
    public List<String> strings(String key) {
        JsonNode a = json.get(key);
        if (a == null || !a.isArray()) return null;
        List<String> out = new ArrayList<>();
        for (JsonNode n : a) out.add(n.asText());
        return out;
    }

    /** The image shape [channels, height, width] of an image model, or null. */
    public int[] imageShape() {
        JsonNode s = json.get("shape");
        if (!type().equals("image") || s == null || !s.isArray()) return null;
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) out[i] = s.get(i).asInt();
        return out;
    }

    /** True when images are flattened into rows. */
    public boolean flatten() {
        return json.path("flatten").asBoolean(false);
    }

    /** The normalization ({mean, std} of "normalize" or "standardize") as a transform, or null when there is none. */
    public Transform normalization() {
        double[][] n = normalizationStats();
        return n == null ? null : Transforms.normalize(n[0], n[1]);
    }

    /** The normalization's {mean, std} (per channel or feature), or null when there is none. */
    public double[][] normalizationStats() {
        JsonNode n = json.has("normalize") ? json.get("normalize") : json.get("standardize");
        if (n == null || n.isNull()) return null;
        return new double[][] {doubles(n.get("mean")), doubles(n.get("std"))};
    }

    private static double[] doubles(JsonNode a) {
        if (a == null || !a.isArray()) throw new IllegalArgumentException("preprocessing: mean and std must be arrays of numbers");
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).doubleValue();
        return out;
    }

    /** raw with the normalization applied, as training applied it to its test data. */
    public Dataset apply(Dataset raw) {
        Transform t = normalization();
        return t == null ? raw : new TransformedDataset(raw, t, 0);
    }

    /** A raw batch with the normalization applied. */
    public Tensor apply(Tensor raw) {
        Transform t = normalization();
        return t == null ? raw : t.apply(raw, new Generator(0));
    }

    @Override
    public String toString() {
        return json.toString();
    }
}
