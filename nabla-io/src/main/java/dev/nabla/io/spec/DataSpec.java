package dev.nabla.io.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nabla.data.Csv;
import dev.nabla.data.CsvDataset;
import dev.nabla.data.DataFileException;
import dev.nabla.data.Dataset;
import dev.nabla.data.FashionMnist;
import dev.nabla.data.Idx;
import dev.nabla.data.ImageDataset;
import dev.nabla.data.Splits;
import dev.nabla.data.Subset;
import dev.nabla.data.Synthetic;
import dev.nabla.data.Transform;
import dev.nabla.data.TransformedDataset;
import dev.nabla.data.Transforms;
import dev.nabla.tensor.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * The "data" part of an experiment spec: where the examples come from, checked when the spec is
 * read and loaded when {@link #load} is called (so {@code nabla summary} never reads a data set).
 *
 * <ul>
 *   <li>{@code "function"}: points of a 1-D function, e.g.
 *       {@code {"type": "function", "function": "runge", "points": 200, "range": [-1, 1], "testPoints": 100}}.
 *   <li>{@code "idx"}: MNIST-style IDX files, by default Fashion-MNIST from
 *       /usr/share/datasets/fashion-mnist (the t10k files are the test set):
 *       {@code {"type": "idx", "folder": DIR, "classes": [...], "flatten": false,
 *       "normalize": {"mean": [0.286], "std": [0.353]} or "auto",
 *       "augment": [{"type": "random_crop", "padding": 2}, {"type": "random_horizontal_flip", "p": 0.5}],
 *       "trainLimit": N, "testLimit": N}}; file names: trainImages, trainLabels, testImages, testLabels.
 *   <li>{@code "csv"}: a table with a header, {@code {"type": "csv", "file": "iris.csv", "label": "species"}}
 *       for classification, or {@code "targets": ["y"]} for regression; optional "features",
 *       "delimiter", "standardize" (z-score the features with the training statistics), and a
 *       test set from "testFile" or "testSplit" (a fraction held out).
 * </ul>
 *
 * Relative paths are resolved against the spec's folder; {@code nabla train --data PATH}
 * replaces the folder (idx) or the file (csv). Augmentations apply to the training part only;
 * normalization to every part.
 */
public final class DataSpec {
    /** Data source types. */
    public static final Set<String> TYPES = new LinkedHashSet<>(List.of("function", "idx", "csv"));
    /** Functions a "function" data source can sample. */
    public static final Map<String, DoubleUnaryOperator> FUNCTIONS = Map.of("runge", Synthetic.RUNGE, "sin", Math::sin);
    /** Augmentation types of an "augment" list. */
    public static final Set<String> AUGMENTATIONS = new LinkedHashSet<>(List.of("random_crop", "random_horizontal_flip"));

    /** The data of an experiment, ready for {@code fit}. */
    public record Loaded(
            /** All the training examples as read, validation included (a function's points, the train files). */
            Dataset all,
            /** What fit trains on: the training part, augmented and normalized. */
            Dataset train,
            /** The validation part (normalized), or null when fit splits it off itself. */
            Dataset validation,
            /** The test part (normalized), or null. */
            Dataset test,
            /** The class names indexed by label, or null for regression. */
            List<String> classNames,
            /** The shape of one example as the model gets it. */
            int[] exampleShape,
            /** The shape [channels, height, width] of the images, or null for non-image data. */
            int[] imageShape) {}

    private final String type;
    private JsonNode json; // the "data" object as written, with its paths made absolute
    private double[][] stats; // the {mean, std} that load applied, or null
    private List<String> featureNames; // a csv source's feature columns, once loaded
    private final String path;
    private final long seed;
    private Loaded eager; // the function type is generated when read
    // idx
    private Path folder;
    private String[] idxFiles;
    private List<String> classes;
    private boolean flatten;
    private int trainLimit, testLimit;
    // csv
    private Path file, testFile;
    private char delimiter;
    private String label;
    private List<String> targets, features;
    private double testSplit;
    private boolean standardize;
    // both
    private double[][] normalize; // {mean, std}, or {} for "auto", or null
    private final List<Node> augment = new ArrayList<>();

    private DataSpec(String type, String path, long seed) {
        this.type = type;
        this.path = path;
        this.seed = seed;
    }

    /**
     * Reads and checks a "data" object.
     *
     * @param baseDir  the folder relative paths are resolved against
     * @param override replaces the idx folder or the csv file (nabla train --data), or null
     */
    static DataSpec parse(Node data, long seed, Path baseDir, Path override) {
        String type = data.string("type");
        if (!TYPES.contains(type)) throw Node.unknownChoice(data.path + ".type", "data type", type, TYPES);
        DataSpec d = new DataSpec(type, data.path, seed);
        switch (type) {
            case "function" -> {
                if (override != null) {
                    throw new SpecException(data.path + ".type", "--data replaces a data folder (idx) or file (csv), but this"
                            + " data is sampled from a function; leave --data out");
                }
                d.function(data);
            }
            case "idx" -> d.idx(data, baseDir, override);
            default -> d.csv(data, baseDir, override);
        }
        if (!type.equals("function")) {
            if (data.has("normalize")) d.normalize = normalize(data);
            if (data.has("augment")) {
                for (Node a : data.objects("augment")) {
                    String t = a.string("type");
                    switch (t) {
                        case "random_crop" -> a.integer("padding");
                        case "random_horizontal_flip" -> a.number("p", 0.5);
                        default -> throw Node.unknownChoice(a.path + ".type", "augmentation", t, AUGMENTATIONS);
                    }
                    a.checkNoUnknownKeys();
                    d.augment.add(a);
                }
                if (!d.augment.isEmpty() && (type.equals("csv") || d.flatten)) {
                    throw new SpecException(data.path + ".augment", "image augmentations need unflattened images; "
                            + (type.equals("csv") ? "a csv source has none" : "drop \"flatten\" and put a flatten layer first in the model"));
                }
            }
        }
        data.checkNoUnknownKeys();
        ObjectNode json = data.json.deepCopy();
        if (d.folder != null) json.put("folder", d.folder.toAbsolutePath().toString());
        if (d.file != null) json.put("file", d.file.toAbsolutePath().toString());
        if (d.testFile != null) json.put("testFile", d.testFile.toAbsolutePath().toString());
        d.json = json;
        return d;
    }

    /** Reads a "data" object such as {@link #json()} gives (paths absolute); override as in {@code parse}. */
    public static DataSpec fromJson(JsonNode data, long seed, Path override) {
        return parse(new Node(data, "$.data"), seed, Path.of("").toAbsolutePath(), override);
    }

    /** The "data" object with its paths absolute: what a saved model keeps to find its test data again. */
    public JsonNode json() {
        return json.deepCopy();
    }

    /**
     * What {@link #load} did to the raw examples, to be saved with the model: the image shape,
     * flattening and normalization, or the table's features and standardization, with the class
     * names of a classifier. Call it after {@link #load}.
     */
    public Preprocessing preprocessing(Loaded d) {
        Preprocessing p = switch (type) {
            case "function" -> Preprocessing.values();
            case "idx" -> Preprocessing.image(d.imageShape(), flatten, stats);
            default -> Preprocessing.table(featureNames, stats);
        };
        if (label != null) p = p.with("label", TextNode.valueOf(label));
        if (targets != null) p = p.with("targets", new ObjectMapper().valueToTree(targets));
        return d.classNames() == null ? p : p.classes(d.classNames());
    }

    /**
     * The test examples as read, before normalization (a saved model's {@link Preprocessing}
     * applies it): with no override exactly the test part {@link #load} gives; with an override,
     * all of the idx test files in that folder, or all rows of that csv file, read with the saved
     * feature columns and class names.
     */
    public Dataset rawTest(Path override, List<String> features, List<String> classNames) throws IOException {
        if (eager != null) return eager.test();
        if (override == null) return read().test();
        if (type.equals("idx")) {
            ImageDataset te = Idx.dataset(FashionMnist.find(override, idxFiles[2]), FashionMnist.find(override, idxFiles[3]), classes);
            return flatten ? te.flattened() : te;
        }
        Csv.Table t = Csv.read(override, delimiter);
        return label != null ? CsvDataset.classification(t, features, label, classNames) : CsvDataset.regression(t, features, targets);
    }

    private void function(Node data) {
        String fn = data.string("function");
        DoubleUnaryOperator f = FUNCTIONS.get(fn);
        if (f == null) throw Node.unknownChoice(data.path + ".function", "function", fn, new LinkedHashSet<>(FUNCTIONS.keySet()));
        int points = data.positive("points", 200);
        double[] range = data.has("range") ? data.numbers("range", 2) : new double[] {-1, 1};
        if (!(range[0] < range[1])) throw new SpecException(data.path + ".range", "needs low < high, got " + range[0] + ", " + range[1]);
        var train = Synthetic.sample(f, points, range[0], range[1], new Generator(seed + 1));
        int testPoints = data.integer("testPoints", 100);
        var test = testPoints > 0 ? Synthetic.grid(f, testPoints, range[0], range[1]) : null;
        eager = new Loaded(train, train, null, test, null, new int[] {1}, null);
    }

    private void idx(Node data, Path baseDir, Path override) {
        folder = override != null ? override : baseDir.resolve(data.string("folder", FashionMnist.DEFAULT_DIR.toString()));
        if (override != null) data.has("folder"); // replaced, but a known key
        idxFiles = new String[] {data.string("trainImages", FashionMnist.TRAIN_IMAGES), data.string("trainLabels", FashionMnist.TRAIN_LABELS),
                data.string("testImages", FashionMnist.TEST_IMAGES), data.string("testLabels", FashionMnist.TEST_LABELS)};
        classes = data.has("classes") ? data.strings("classes") : FashionMnist.CLASSES;
        if (classes.size() < 2) throw new SpecException(data.path + ".classes", "needs at least 2 class names, got " + classes);
        flatten = data.bool("flatten", false);
        trainLimit = data.integer("trainLimit", 0);
        testLimit = data.integer("testLimit", 0);
        if (trainLimit < 0 || testLimit < 0) throw new SpecException(data.path, "trainLimit and testLimit must be >= 0 (0: all)");
    }

    private void csv(Node data, Path baseDir, Path override) {
        file = override != null ? override : baseDir.resolve(data.string("file"));
        if (override != null) data.has("file");
        testFile = data.has("testFile") ? baseDir.resolve(data.string("testFile")) : null;
        String delim = data.string("delimiter", ",");
        if (delim.length() != 1 || delim.equals("\"")) {
            throw new SpecException(data.path + ".delimiter", "must be one character other than a quote, got \"" + delim + "\"");
        }
        delimiter = delim.charAt(0);
        boolean hasLabel = data.has("label"), hasTargets = data.has("targets");
        if (hasLabel == hasTargets) {
            throw new SpecException(data.path, "give either \"label\" (the class column, for classification) or \"targets\""
                    + " (the columns to predict, for regression)");
        }
        if (hasLabel) label = data.string("label");
        else targets = data.strings("targets");
        if (targets != null && targets.isEmpty()) throw new SpecException(data.path + ".targets", "name at least one column");
        features = data.has("features") ? data.strings("features") : null;
        testSplit = data.number("testSplit", 0);
        if (!(testSplit >= 0 && testSplit < 1)) throw new SpecException(data.path + ".testSplit", "must be in [0, 1), got " + testSplit);
        if (testSplit > 0 && testFile != null) throw new SpecException(data.path, "give either testFile or testSplit, not both");
        standardize = data.bool("standardize", false);
    }

    private static double[][] normalize(Node data) {
        if (data.json.get("normalize").isTextual()) {
            String v = data.string("normalize");
            if (!v.equals("auto")) throw new SpecException(data.path + ".normalize", "expected \"auto\" or {\"mean\": [...], \"std\": [...]}, got \"" + v + "\"");
            return new double[0][];
        }
        Node n = data.object("normalize");
        double[] mean = doubles(n, "mean"), std = doubles(n, "std");
        if (mean.length != std.length || mean.length == 0) {
            throw new SpecException(n.path, "needs one mean and one std per channel, got " + mean.length + " and " + std.length);
        }
        for (double s : std) if (!(s > 0)) throw new SpecException(n.path + ".std", "must be positive, got " + Arrays.toString(std));
        n.checkNoUnknownKeys();
        return new double[][] {mean, std};
    }

    private static double[] doubles(Node n, String key) {
        var v = n.json.get(key);
        if (v == null || !v.isArray()) throw new SpecException(n.path + "." + key, "expected an array of numbers");
        return n.numbers(key, v.size());
    }

    /** The source type: function, idx or csv. */
    public String type() {
        return type;
    }

    /** True when the targets are class labels (idx, or csv with a "label" column), false when they are values. */
    public boolean givesClassLabels() {
        return type.equals("idx") || label != null;
    }

    /** The number of classes when known before loading (idx: its class names), else 0. */
    public int knownClasses() {
        return type.equals("idx") ? classes.size() : 0;
    }

    /** The number of target values per example for value targets (function: 1, csv: its "targets"), else 0. */
    public int targetWidth() {
        return type.equals("function") ? 1 : targets != null ? targets.size() : 0;
    }

    /** True when the data comes from files (read by {@link #load}). */
    public boolean isFile() {
        return eager == null;
    }

    /** The data generated when the spec was read (function type), or null. */
    Loaded eager() {
        return eager;
    }

    /** The examples as read from the files, before any split for validation, augmentation or normalization. */
    private record Parts(Dataset all, Dataset test, List<String> classNames, int[] exampleShape, int[] imageShape,
            List<String> features) {}

    private Parts read() throws IOException {
        Dataset all, test;
        List<String> classNames, columns = null;
        int[] imageShape = null, exampleShape;
        if (type.equals("idx")) {
            // messages name the files as found on disk (name.gz or its gunzipped twin)
            Path trainImages = FashionMnist.find(folder, idxFiles[0]), testImages = FashionMnist.find(folder, idxFiles[2]);
            ImageDataset tr = Idx.dataset(trainImages, FashionMnist.find(folder, idxFiles[1]), classes);
            if (tr.size() == 0) throw new DataFileException(trainImages, "holds 0 images; training needs at least one");
            ImageDataset te = Idx.dataset(testImages, FashionMnist.find(folder, idxFiles[3]), classes);
            if (!Arrays.equals(tr.imageShape(), te.imageShape())) {
                throw new DataFileException(testImages, "holds images of " + Arrays.toString(te.imageShape())
                        + " but the training images are " + Arrays.toString(tr.imageShape()));
            }
            imageShape = tr.imageShape();
            if (flatten) {
                tr = tr.flattened();
                te = te.flattened();
            }
            exampleShape = tr.exampleShape();
            all = limit(tr, trainLimit);
            test = limit(te, testLimit);
            classNames = classes;
        } else {
            Csv.Table table = Csv.read(file, delimiter);
            CsvDataset full = label != null ? CsvDataset.classification(table, features, label)
                    : CsvDataset.regression(table, features, targets);
            classNames = full.classNames();
            exampleShape = new int[] {full.featureNames().size()};
            columns = full.featureNames();
            if (testFile != null) {
                Csv.Table t = Csv.read(testFile, delimiter);
                if (!t.header().equals(table.header())) {
                    throw new DataFileException(testFile, "has the columns " + t.header() + ", the training file " + file + " has "
                            + table.header() + "; both need the same header");
                }
                all = full;
                test = label != null ? CsvDataset.classification(t, full.featureNames(), label, classNames)
                        : CsvDataset.regression(t, full.featureNames(), targets);
            } else if (testSplit > 0) {
                Splits.TrainValidation s = Splits.trainValidation(full, testSplit, new Generator(seed + 4));
                all = s.train();
                test = s.validation();
            } else {
                all = full;
                test = null;
            }
        }
        return new Parts(all, test, classNames, exampleShape, imageShape, columns);
    }

    /**
     * Reads the files (idx, csv) and builds the parts: the validation part (a fraction
     * validationSplit of the training data, drawn with splitSeed as fit would) normalized only,
     * the training part augmented and normalized, the test part normalized.
     */
    public Loaded load(double validationSplit, long splitSeed) throws IOException {
        if (eager != null) return eager;
        Parts p = read();
        Dataset all = p.all(), test = p.test();
        List<String> classNames = p.classNames();
        int[] imageShape = p.imageShape(), exampleShape = p.exampleShape();
        featureNames = p.features();
        Dataset train = all, validation = null;
        if (validationSplit > 0) {
            Splits.TrainValidation s = Splits.trainValidation(all, validationSplit, new Generator(splitSeed));
            train = s.train();
            validation = s.validation();
        }
        Transform norm = null;
        if (normalize != null) {
            double[][] ms = normalize.length == 0 ? Transforms.channelStats(imageShape != null && flatten
                    ? unflattened(train, imageShape) : train) : normalize;
            norm = Transforms.normalize(ms[0], ms[1]);
            stats = ms;
        } else if (standardize) {
            double[][] ms = Transforms.channelStats(train); // [n, features]: one "channel" per feature
            for (int f = 0; f < ms[1].length; f++) if (!(ms[1][f] > 0)) ms[1][f] = 1; // a constant column is only centred
            norm = Transforms.normalize(ms[0], ms[1]);
            stats = ms;
        }
        Transform aug = null;
        for (Node a : augment) {
            Transform t = switch (a.string("type")) {
                case "random_crop" -> Transforms.randomCrop(a.integer("padding"));
                default -> Transforms.randomHorizontalFlip(a.number("p", 0.5));
            };
            aug = aug == null ? t : aug.andThen(t);
        }
        Transform trainT = aug == null ? norm : norm == null ? aug : aug.andThen(norm);
        if (trainT != null) train = new TransformedDataset(train, trainT, seed + 5);
        if (norm != null) {
            if (validation != null) validation = new TransformedDataset(validation, norm, 0);
            if (test != null) test = new TransformedDataset(test, norm, 0);
        }
        return new Loaded(all, train, validation, test, classNames, exampleShape, imageShape);
    }

    // flattened images [b, c·h·w] seen as [b, c, h·w], so that "auto" statistics are per channel, not per pixel
    private static Dataset unflattened(Dataset d, int[] imageShape) {
        return new Dataset() {
            @Override
            public int size() {
                return d.size();
            }

            @Override
            public dev.nabla.data.Batch get(int[] indices) {
                var b = d.get(indices);
                return new dev.nabla.data.Batch(b.inputs().reshape(indices.length, imageShape[0], -1), b.targets());
            }
        };
    }

    private static Dataset limit(Dataset d, int n) {
        if (n <= 0 || n >= d.size()) return d;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return new Subset(d, idx);
    }
}
