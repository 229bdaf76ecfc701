package dev.nabla.io.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.data.Dataset;
import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
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
 */
public final class ExperimentSpec {
    /** Loss names. */
    public static final Set<String> LOSSES = new LinkedHashSet<>(List.of("mse", "l1", "huber", "bce", "bce_with_logits",
            "cross_entropy", "nll"));
    /** Optimizer names. */
    public static final Set<String> OPTIMIZERS = new LinkedHashSet<>(List.of("sgd", "adam", "adamw", "rmsprop", "adagrad"));
    /** Data source types. */
    public static final Set<String> DATA_TYPES = new LinkedHashSet<>(List.of("function"));
    /** Functions a "function" data source can sample. */
    public static final Map<String, DoubleUnaryOperator> FUNCTIONS = Map.of("runge", Synthetic.RUNGE, "sin", Math::sin);

    private final String name;
    private final long seed;
    private final JsonNode modelJson;
    private final ModelSpec.Built model;
    private final TensorDataset train;
    private final TensorDataset test;
    private final String lossName;
    private final Loss loss;
    private final Function<List<Tensor>, Optimizer> optimizer;
    private final FitOptions fit;
    private final List<Metric> metrics = new ArrayList<>();
    private final int epochs;
    private final int batchSize;
    private final double validationSplit;

    private ExperimentSpec(JsonNode root, String source) {
        Node spec = new Node(root, "$");
        name = spec.string("name", source);
        seed = spec.longValue("seed", 0);
        modelJson = spec.json.get("model");
        spec.has("model");
        model = ModelSpec.build(modelJson, "$.model", new Generator(seed));

        Node data = spec.typed("data");
        String type = data.string("type");
        if (!DATA_TYPES.contains(type)) throw Node.unknownChoice(data.path + ".type", "data type", type, DATA_TYPES);
        String fn = data.string("function");
        DoubleUnaryOperator f = FUNCTIONS.get(fn);
        if (f == null) throw Node.unknownChoice(data.path + ".function", "function", fn, new LinkedHashSet<>(FUNCTIONS.keySet()));
        int points = data.positive("points", 200);
        double[] range = data.has("range") ? data.numbers("range", 2) : new double[] {-1, 1};
        if (!(range[0] < range[1])) throw new SpecException(data.path + ".range", "needs low < high, got " + range[0] + ", " + range[1]);
        train = Synthetic.sample(f, points, range[0], range[1], new Generator(seed + 1));
        int testPoints = data.integer("testPoints", 100);
        test = testPoints > 0 ? Synthetic.grid(f, testPoints, range[0], range[1]) : null;
        data.checkNoUnknownKeys();
        if (model.inputShape().length != 1 || model.inputShape()[0] != 1) {
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
        fit = new FitOptions().epochs(epochs).batchSize(batchSize).validationSplit(validationSplit)
                .shuffle(training.bool("shuffle", true)).seed(seed + 2);
        training.checkNoUnknownKeys();
        spec.checkNoUnknownKeys();
    }

    private static Function<List<Tensor>, Optimizer> optimizer(Node o) {
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
        String text = Files.readString(file);
        String base = file.getFileName().toString().replaceFirst("\\.json$", "");
        return parse(text, base);
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
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new SpecException("$", "not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        return new ExperimentSpec(root, defaultName);
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

    /** The training data (validation is split from it by the fit options). */
    public Dataset train() {
        return train;
    }

    /** The test data, or null. */
    public TensorDataset test() {
        return test;
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
