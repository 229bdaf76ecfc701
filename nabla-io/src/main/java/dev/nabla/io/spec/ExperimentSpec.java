package dev.nabla.io.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Losses;
import dev.nabla.optim.Adagrad;
import dev.nabla.optim.Adam;
import dev.nabla.optim.AdamW;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.RMSprop;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.Loss;
import dev.nabla.train.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * A whole experiment in one JSON file: the network ({@link ModelSpec}), its data, loss,
 * optimizer and training settings. Everything is checked when the file is read (unknown keys
 * and names are errors that give the JSON path and the valid choices), so a bad spec fails
 * before any training starts.
 *
 * <pre>{@code
 * {"name": "runge", "seed": 0,
 *  "model": {"input": [1], "layers": [{"type": "linear", "units": 20, "activation": "tanh"}, …]},
 *  "data": {"type": "function", "function": "runge", "points": 200, "range": [-1, 1], "testPoints": 100},
 *  "loss": "mse",
 *  "optimizer": {"type": "adam", "lr": 0.01},
 *  "training": {"epochs": 300, "batchSize": 39, "validationSplit": 0.3, "metrics": ["mae"]}}
 * }</pre>
 *
 * <p>The data may also come from files: MNIST-style IDX files (Fashion-MNIST by default) or a
 * CSV table; see {@link DataSpec}. Those are read by {@link #data()}, not when the spec is read.
 */
public final class ExperimentSpec {
    /** Loss names. */
    public static final Set<String> LOSSES = new LinkedHashSet<>(List.of("mse", "l1", "huber", "bce", "bce_with_logits",
            "cross_entropy", "nll"));
    /** Optimizer names. */
    public static final Set<String> OPTIMIZERS = new LinkedHashSet<>(List.of("sgd", "adam", "adamw", "rmsprop", "adagrad"));
    /** Data source types (see {@link DataSpec}). */
    public static final Set<String> DATA_TYPES = DataSpec.TYPES;
    /** Functions a "function" data source can sample. */
    public static final Map<String, DoubleUnaryOperator> FUNCTIONS = DataSpec.FUNCTIONS;

    private final String name;
    private final long seed;
    private final JsonNode modelJson;
    private final ModelSpec.Built model;
    private final DataSpec data;
    private DataSpec.Loaded loaded;
    private final String lossName;
    private final Loss loss;
    private final Function<List<Tensor>, Optimizer> optimizer;
    private final FitOptions fit;
    private final List<Metric> metrics = new ArrayList<>();
    private final int epochs;
    private final int batchSize;
    private final double validationSplit;

    private ExperimentSpec(JsonNode root, String source, Path baseDir, Path dataOverride) {
        Node spec = new Node(root, "$");
        name = spec.string("name", source);
        seed = spec.longValue("seed", 0);
        modelJson = spec.json.get("model");
        spec.has("model");
        model = ModelSpec.build(modelJson, "$.model", new Generator(seed));

        data = DataSpec.parse(spec.typed("data"), seed, baseDir, dataOverride);
        if (data.type().equals("function") && (model.inputShape().length != 1 || model.inputShape()[0] != 1)) {
            throw new SpecException("$.model.input", "a function data source gives inputs of shape [1], the model expects "
                    + java.util.Arrays.toString(model.inputShape()));
        }

        lossName = spec.string("loss");
        loss = switch (lossName) {
            case "mse" -> Losses::mseLoss;
            case "l1" -> Losses::l1Loss;
            case "huber" -> Losses::huberLoss;
            case "bce" -> Losses::binaryCrossEntropy;
            case "bce_with_logits" -> Losses::binaryCrossEntropyWithLogits;
            case "cross_entropy" -> Losses::crossEntropy;
            case "nll" -> Losses::nllLoss;
            default -> throw Node.unknownChoice("$.loss", "loss", lossName, LOSSES);
        };

        optimizer = optimizer(spec.typed("optimizer"));

        Node training = spec.object("training");
        epochs = training.positive("epochs", 10);
        batchSize = training.positive("batchSize", 32);
        validationSplit = training.number("validationSplit", 0);
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new SpecException("$.training.validationSplit", "must be in [0, 1), got " + validationSplit);
        }
        for (String m : training.strings("metrics")) {
            try {
                metrics.add(Metric.named(m));
            } catch (IllegalArgumentException e) {
                throw new SpecException("$.training.metrics", e.getMessage());
            }
        }
        // file data is split (and augmented) by data(), which hands fit the validation part
        fit = new FitOptions().epochs(epochs).batchSize(batchSize).validationSplit(data.isFile() ? 0 : validationSplit)
                .shuffle(training.bool("shuffle", true)).seed(seed + 2);
        training.checkNoUnknownKeys();
        spec.checkNoUnknownKeys();
    }

    static Function<List<Tensor>, Optimizer> optimizer(Node o) {
        String type = o.string("type");
        Function<List<Tensor>, Optimizer> make = switch (type) {
            case "sgd" -> {
                double lr = o.number("lr"), momentum = o.number("momentum", 0), dampening = o.number("dampening", 0);
                double wd = o.number("weightDecay", 0);
                boolean nesterov = o.bool("nesterov", false);
                yield p -> new SGD(p, lr, momentum, dampening, wd, nesterov);
            }
            case "adam", "adamw" -> {
                double lr = o.number("lr", 1e-3);
                double[] betas = o.has("betas") ? o.numbers("betas", 2) : new double[] {0.9, 0.999};
                double eps = o.number("eps", 1e-8), wd = o.number("weightDecay", type.equals("adamw") ? 1e-2 : 0);
                boolean ams = o.bool("amsgrad", false);
                yield type.equals("adam") ? p -> new Adam(p, lr, betas[0], betas[1], eps, wd, ams)
                        : p -> new AdamW(p, lr, betas[0], betas[1], eps, wd, ams);
            }
            case "rmsprop" -> {
                double lr = o.number("lr", 1e-2), alpha = o.number("alpha", 0.99), eps = o.number("eps", 1e-8);
                double wd = o.number("weightDecay", 0), momentum = o.number("momentum", 0);
                boolean centered = o.bool("centered", false);
                yield p -> new RMSprop(p, lr, alpha, eps, wd, momentum, centered);
            }
            case "adagrad" -> {
                double lr = o.number("lr", 1e-2), decay = o.number("lrDecay", 0), wd = o.number("weightDecay", 0);
                double init = o.number("initialAccumulatorValue", 0), eps = o.number("eps", 1e-10);
                yield p -> new Adagrad(p, lr, decay, wd, init, eps);
            }
            default -> throw Node.unknownChoice(o.path + ".type", "optimizer", type, OPTIMIZERS);
        };
        o.checkNoUnknownKeys();
        return make;
    }

    /** Reads and checks a spec file. */
    public static ExperimentSpec read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads and checks a spec file; relative data paths are resolved against its folder, and
     * dataOverride (when not null) replaces the data folder (idx) or file (csv).
     */
    public static ExperimentSpec read(Path file, Path dataOverride) throws IOException {
        String text = Files.readString(file);
        String base = file.getFileName().toString().replaceFirst("\\.json$", "");
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, base, dir, dataOverride);
    }

    /**
     * Reads only the network of a spec file (its "model", seeded by its "seed"), for commands that
     * need no data, such as {@code nabla summary}: a file holding just a name and a model (e.g.
     * examples/vgg16.json) is enough.
     */
    public static ModelSpec.Built readModel(Path file) throws IOException {
        JsonNode root = json(Files.readString(file));
        Node spec = new Node(root, "$");
        long seed = spec.longValue("seed", 0);
        if (!spec.has("model")) throw new SpecException("$", "missing required key \"model\"");
        return ModelSpec.build(root.get("model"), "$.model", new Generator(seed));
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new SpecException("$", "not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
    }

    /** Parses and checks a spec; {@code defaultName} names it when it has no "name". */
    public static ExperimentSpec parse(String json, String defaultName) {
        return parse(json, defaultName, Path.of(""), null);
    }

    /** Parses and checks a spec, with relative data paths resolved against baseDir (see {@link #read(Path, Path)}). */
    public static ExperimentSpec parse(String json, String defaultName, Path baseDir, Path dataOverride) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new SpecException("$", "not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        return new ExperimentSpec(root, defaultName, baseDir, dataOverride);
    }

    /** The experiment's name (default: the file name). */
    public String name() {
        return name;
    }

    /** The seed of the weights, the data and the shuffling. */
    public long seed() {
        return seed;
    }

    /** The "model" part, as saved next to the weights. */
    public JsonNode modelJson() {
        return modelJson;
    }

    /** The network, built with its initial weights. */
    public ModelSpec.Built model() {
        return model;
    }

    /**
     * Loads the data once (reading the files of an idx or csv source) and checks that it fits the
     * model; for file data it also hands the validation part to {@link #fitOptions()}. A missing
     * or damaged file is a {@link dev.nabla.data.DataFileException} that says what to do.
     */
    public DataSpec.Loaded data() throws IOException {
        if (loaded != null) return loaded;
        DataSpec.Loaded d = data.load(validationSplit, seed + 2);
        if (!java.util.Arrays.equals(d.exampleShape(), model.inputShape())) {
            throw new SpecException("$.model.input", "the data gives examples of shape " + java.util.Arrays.toString(d.exampleShape())
                    + " but the model expects " + java.util.Arrays.toString(model.inputShape()) + "; set \"input\": "
                    + java.util.Arrays.toString(d.exampleShape()) + (d.imageShape() != null && d.exampleShape().length == 3
                    ? " (and put a flatten layer before the first linear layer)" : ""));
        }
        int[] out = model.outputShape();
        if (d.classNames() != null && (lossName.equals("cross_entropy") || lossName.equals("nll"))
                && (out.length != 1 || out[0] != d.classNames().size())) {
            throw new SpecException("$.model.layers", "the network gives outputs of shape " + java.util.Arrays.toString(out)
                    + " but the data has " + d.classNames().size() + " classes; the last layer needs " + d.classNames().size() + " units");
        }
        if (d.validation() != null) fit.validationData(d.validation());
        loaded = d;
        return d;
    }

    /** Where the data comes from (type, files), as read from the spec. */
    public DataSpec dataSpec() {
        return data;
    }

    /**
     * The data to give fit with {@link #fitOptions()}: for a function source all the sampled
     * points (fit holds out the validation part); for file data the training part, the validation
     * part being already held out (and handed to the fit options), augmented and normalized. See
     * {@link #data()}.
     */
    public Dataset train() {
        return loadedOrFail().train();
    }

    /** The test data, or null; see {@link #data()}. */
    public Dataset test() {
        return loadedOrFail().test();
    }

    private DataSpec.Loaded loadedOrFail() {
        try {
            return data();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The class names of a classification data set, or null. */
    public List<String> classNames() {
        return loadedOrFail().classNames();
    }

    /** True for a regression of one input on one output (its fitted curve can be plotted). */
    public boolean isCurveFit() {
        return model.inputShape().length == 1 && model.inputShape()[0] == 1
                && model.outputShape().length == 1 && model.outputShape()[0] == 1;
    }

    /** The loss's name in the spec. */
    public String lossName() {
        return lossName;
    }

    /** The loss. */
    public Loss loss() {
        return loss;
    }

    /** A new optimizer of the given parameters. */
    public Optimizer optimizer(List<Tensor> params) {
        return optimizer.apply(params);
    }

    /** The metrics to report. */
    public Metric[] metrics() {
        return metrics.toArray(new Metric[0]);
    }

    /** The fit options: epochs, batch size, validation split, shuffling seed. */
    public FitOptions fitOptions() {
        return fit;
    }

    /** Epochs. */
    public int epochs() {
        return epochs;
    }

    /** Batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** The fraction of the training data held out for validation (0 for none). */
    public double validationSplit() {
        return validationSplit;
    }
}
