package dev.nabla.io.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.data.DataFileException;
import dev.nabla.data.TextCorpus;
import dev.nabla.data.Vocabulary;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.HierarchicalSoftmax;
import dev.nabla.nn.Layer;
import dev.nabla.nn.NeuralLanguageModel;
import dev.nabla.nn.SoftmaxOutput;
import dev.nabla.nn.SoftmaxTree;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A language-model spec: {@code "data": {"type": "text", ...}} and a model of previous-word
 * embeddings, hidden layers and an output over the vocabulary:
 *
 * <pre>{@code
 * "data": {"type": "text", "path": "/usr/share/games/fortunes", "minCount": 3, "validationSplit": 0.1, "testSplit": 0.1},
 * "model": {"context": 3, "embedding": 64, "layers": [{"type": "linear", "units": 256, "activation": "tanh"}],
 *           "output": "hierarchical_softmax", "tree": "huffman"},
 * "optimizer": {"type": "adam", "lr": 0.001},
 * "training": {"epochs": 5, "batchSize": 256}
 * }</pre>
 *
 * {@code "output"} is {@code "hierarchical_softmax"} (with {@code "tree"}: {@code "huffman"} from
 * the training counts, or {@code "balanced"}) or {@code "softmax"}, and implies the loss: the
 * cross-entropy along the tree path, or over the full softmax; there is no "loss" key. The
 * hidden layers are those of any spec (see {@link ModelSpec}), fed the concatenated embeddings.
 */
public final class NextWordSpec {
    /** The text the examples read when the spec names no path: Debian's fortunes. */
    public static final Path FORTUNES = Path.of("/usr/share/games/fortunes");
    /** The output layers a spec may name. */
    public static final Set<String> OUTPUTS = Set.of("hierarchical_softmax", "softmax");
    /** The trees a hierarchical softmax may be built on. */
    public static final Set<String> TREES = Set.of("huffman", "balanced");

    private final String name;
    private final long seed;
    private final Path path;
    private final int minCount;
    private final double validationSplit, testSplit;
    private final JsonNode modelJson;
    private final Function<List<Tensor>, Optimizer> optimizer;
    private final int epochs, batchSize;

    private NextWordSpec(JsonNode root, String defaultName, Path baseDir, Path dataOverride) {
        Node spec = new Node(root, "$");
        name = spec.string("name", defaultName);
        seed = spec.longValue("seed", 0);
        Node data = spec.typed("data");
        if (!data.string("type").equals("text")) throw new SpecException("$.data.type", "a language-model spec reads \"text\"");
        Path p = dataOverride != null ? dataOverride : data.has("path") ? baseDir.resolve(data.string("path")) : FORTUNES;
        path = p;
        minCount = data.positive("minCount", 3);
        validationSplit = data.number("validationSplit", 0.1);
        testSplit = data.number("testSplit", 0.1);
        if (!(validationSplit >= 0 && testSplit > 0 && validationSplit + testSplit < 1)) {
            throw new SpecException("$.data", "validationSplit " + validationSplit + " and testSplit " + testSplit
                    + " must be >= 0 and > 0 with a sum below 1");
        }
        data.checkNoUnknownKeys();
        modelJson = spec.json.get("model");
        spec.object("model");
        checkModel(modelJson);
        optimizer = ExperimentSpec.optimizer(spec.typed("optimizer"));
        Node training = spec.object("training");
        epochs = training.positive("epochs", 5);
        batchSize = training.positive("batchSize", 256);
        training.checkNoUnknownKeys();
        spec.checkNoUnknownKeys();
    }

    /** True when the spec file's data is of type "text" (a language model), read without checking the rest. */
    public static boolean isTextSpec(Path file) throws IOException {
        JsonNode data;
        try {
            data = json(Files.readString(file)).path("data");
        } catch (SpecException e) {
            return false; // not valid JSON: the experiment spec's reader says where
        }
        return data.isTextual() ? data.asText().equals("text") : data.path("type").asText().equals("text");
    }

    /** Reads and checks a spec file; dataOverride (when not null) replaces the text file or folder. */
    public static NextWordSpec read(Path file, Path dataOverride) throws IOException {
        String base = file.getFileName().toString().replaceFirst("\\.json$", "");
        return new NextWordSpec(json(Files.readString(file)), base, file.toAbsolutePath().getParent(), dataOverride);
    }

    /** Parses a spec; relative paths are resolved against baseDir. */
    public static NextWordSpec parse(String json, String defaultName, Path baseDir, Path dataOverride) {
        return new NextWordSpec(json(json), defaultName, baseDir, dataOverride);
    }

    private static JsonNode json(String text) {
        return ExperimentSpec.json(text); // the same strict parsing: duplicate keys refused, line and column given
    }

    // every key checked now, before any data is read; buildModel does it again with the vocabulary
    private static void checkModel(JsonNode model) {
        List<String> words = List.of("<unk>", "<s>", "</s>", "a");
        buildModel(model, new Vocabulary(words, new long[] {1, 0, 1, 1}), new Generator(0));
    }

    /** The network of a spec's "model" part over a vocabulary, weights drawn from gen. */
    public static NeuralLanguageModel buildModel(JsonNode model, Vocabulary vocabulary, Generator gen) {
        Node m = new Node(model, "$.model");
        int context = m.positive("context", 3), dim = m.positive("embedding", 64);
        Embedding embedding = new Embedding(vocabulary.size(), dim, -1, 0, 2, true, gen);
        ObjectNode body = new ObjectMapper().createObjectNode();
        body.putArray("input").add(context * dim);
        body.set("layers", model.path("layers").isMissingNode() ? new ObjectMapper().createArrayNode() : model.get("layers"));
        m.has("layers");
        ModelSpec.Built built = ModelSpec.build(body, "$.model", gen);
        int[] out = built.outputShape();
        int hidden = out[out.length - 1];
        String output = m.string("output", "hierarchical_softmax");
        Layer head;
        if (output.equals("hierarchical_softmax")) {
            String tree = m.string("tree", "huffman");
            SoftmaxTree t = switch (tree) {
                case "huffman" -> SoftmaxTree.huffman(vocabulary.counts());
                case "balanced" -> SoftmaxTree.balanced(vocabulary.size());
                default -> throw Node.unknownChoice("$.model.tree", "tree", tree, TREES);
            };
            head = new HierarchicalSoftmax(hidden, t, true, gen);
        } else if (output.equals("softmax")) {
            head = new SoftmaxOutput(hidden, vocabulary.size(), gen);
        } else {
            throw Node.unknownChoice("$.model.output", "output", output, OUTPUTS);
        }
        m.checkNoUnknownKeys();
        return head instanceof HierarchicalSoftmax hs ? new NeuralLanguageModel(embedding, context, built.model(), hs)
                : new NeuralLanguageModel(embedding, context, built.model(), (SoftmaxOutput) head);
    }

    /**
     * Reads the text. The default folder missing is an error that says how to install it.
     */
    public TextCorpus corpus() throws IOException {
        if (path.equals(FORTUNES) && !Files.exists(path)) {
            throw new DataFileException(path, "missing; install Debian's fortunes (apt-get update && apt-get install -y"
                    + " fortunes), or give another text file or folder with --data");
        }
        return TextCorpus.read(path);
    }

    public String name() { return name; }
    public long seed() { return seed; }
    public Path path() { return path; }
    public int minCount() { return minCount; }
    public double validationSplit() { return validationSplit; }
    public double testSplit() { return testSplit; }
    /** The "model" part, as saved in the model file. */
    public JsonNode modelJson() { return modelJson; }
    public int epochs() { return epochs; }
    public int batchSize() { return batchSize; }

    /** The spec's optimizer over the given parameters. */
    public Optimizer optimizer(List<Tensor> params) {
        return optimizer.apply(params);
    }
}
