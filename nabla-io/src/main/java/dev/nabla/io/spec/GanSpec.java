package dev.nabla.io.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.data.Dataset;
import dev.nabla.data.TransformedDataset;
import dev.nabla.data.Transforms;
import dev.nabla.nn.Init;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.GanStep;
import dev.nabla.train.LinearDecay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A generative adversarial network in one JSON file ({@code "type": "gan"}): the generator and
 * the discriminator (each a {@link ModelSpec}), the latent size, their initialization, the two
 * optimizers, the image data and the training settings; {@code nabla train} recognizes it by its
 * type. Everything is checked when the file is read: the generator must map [latentSize] to the
 * data's image shape, the discriminator that shape to one logit.
 *
 * <pre>{@code
 * {"name": "gan-fashion", "type": "gan", "seed": 0, "latentSize": 100,
 *  "generator": {"input": [100], "layers": [...]},
 *  "discriminator": {"input": [1, 28, 28], "layers": [...]},
 *  "init": {"type": "normal", "std": 0.02},
 *  "data": {"type": "idx", "folder": "/usr/share/datasets/fashion-mnist"},
 *  "loss": "bce_with_logits", "generatorLoss": "non_saturating",
 *  "generatorOptimizer": {"type": "adam", "lr": 0.0002, "betas": [0.5, 0.999]},
 *  "discriminatorOptimizer": {"type": "adam", "lr": 0.0002, "betas": [0.5, 0.999]},
 *  "training": {"epochs": 20, "batchSize": 128, "discriminatorSteps": 1, "samples": 64, "generatorEma": 0.999},
 *  "evaluation": {"scoreImages": 10000, "classifierEpochs": 3}}
 * }</pre>
 *
 * <p>Images are scaled to [−1, 1], the range of the generator's tanh (so the data takes no
 * "normalize"). "init" {@code normal} draws every convolution and linear weight from N(mean,
 * std) and zeroes their biases, and draws BatchNorm scales from N(1, std) with zero shifts (the
 * DCGAN paper's initialization); without it each layer keeps its default. The losses are the
 * only ones offered, written out so that the spec states them: binary cross-entropy on the
 * discriminator's logits and the non-saturating generator loss (see {@link GanStep}).
 * "generatorEma" (optional) keeps an exponential moving average of the generator's weights with
 * that decay, which the samples and the score then use ({@link GanStep#averageGenerator}).
 * "realLabel" (optional, default 1) is the discriminator's target for real images: 0.9 is
 * one-sided label smoothing ({@link GanStep#realLabel}). "lrDecayFrom" (optional) lowers both
 * learning rates linearly, batch by batch, from that epoch to 0 at the end of the last
 * ({@link LinearDecay}).
 */
public final class GanSpec {
    /** The value of "type" that marks a GAN spec. */
    public static final String TYPE = "gan";

    private final String name;
    private final long seed;
    private final int latentSize;
    private final JsonNode generatorJson, discriminatorJson;
    private final ModelSpec.Built generator, discriminator;
    private final DataSpec data;
    private DataSpec.Loaded loaded;
    private final Function<List<Tensor>, Optimizer> generatorOptimizer, discriminatorOptimizer;
    private final int epochs, batchSize, discriminatorSteps, samples, scoreImages, classifierEpochs;
    private final double generatorEma, realLabel, lrDecayFrom;
    private final boolean shuffle;

    private GanSpec(JsonNode root, String source, Path baseDir, Path dataOverride) {
        Node spec = new Node(root, "$");
        name = spec.string("name", source);
        seed = spec.longValue("seed", 0);
        if (!TYPE.equals(spec.string("type"))) throw new SpecException("$.type", "a GAN spec has \"type\": \"gan\"");
        latentSize = spec.positive("latentSize", 0);
        if (latentSize < 1) throw new SpecException("$", "missing required key \"latentSize\"");
        Generator gen = new Generator(seed);
        generatorJson = spec.object("generator").json;
        discriminatorJson = spec.object("discriminator").json;
        generator = ModelSpec.build(generatorJson, "$.generator", gen);
        discriminator = ModelSpec.build(discriminatorJson, "$.discriminator", gen);
        if (spec.has("init")) {
            Node init = spec.typed("init");
            String type = init.string("type");
            if (!type.equals("normal")) throw Node.unknownChoice("$.init.type", "GAN initializer", type, Set.of("normal"));
            double mean = init.number("mean", 0), std = init.number("std", 0.02);
            init.checkNoUnknownKeys();
            initialize(generator.model(), mean, std, gen);
            initialize(discriminator.model(), mean, std, gen);
        }
        if (!Arrays.equals(generator.inputShape(), new int[] {latentSize})) {
            throw new SpecException("$.generator.input", "must be [" + latentSize + "] (the latent size), got "
                    + Arrays.toString(generator.inputShape()));
        }
        if (!Arrays.equals(generator.outputShape(), discriminator.inputShape())) {
            throw new SpecException("$.discriminator.input", "is " + Arrays.toString(discriminator.inputShape())
                    + " but the generator makes images of shape " + Arrays.toString(generator.outputShape())
                    + "; end the generator with an unflatten layer to the image shape, or start the discriminator with flatten");
        }
        if (!Arrays.equals(discriminator.outputShape(), new int[] {1})) {
            throw new SpecException("$.discriminator.layers", "the discriminator must give one logit per image, it gives "
                    + Arrays.toString(discriminator.outputShape()) + "; end it with {\"type\": \"linear\", \"units\": 1}");
        }
        Node d = spec.typed("data");
        if (d.has("normalize")) {
            throw new SpecException("$.data.normalize", "a GAN's images are always scaled to [-1, 1], the range of the"
                    + " generator's tanh; remove \"normalize\"");
        }
        data = DataSpec.parse(d, seed, baseDir, dataOverride);
        if (!data.type().equals("idx")) throw new SpecException("$.data.type", "a GAN trains on images: use \"idx\"");
        choice(spec, "loss", "bce_with_logits");
        choice(spec, "generatorLoss", "non_saturating");
        generatorOptimizer = ExperimentSpec.optimizer(spec.typed("generatorOptimizer"));
        discriminatorOptimizer = ExperimentSpec.optimizer(spec.typed("discriminatorOptimizer"));
        Node training = spec.object("training");
        epochs = training.positive("epochs", 10);
        batchSize = training.positive("batchSize", 128);
        discriminatorSteps = training.positive("discriminatorSteps", 1);
        samples = training.positive("samples", 64);
        generatorEma = training.number("generatorEma", 0);
        if (!(generatorEma >= 0 && generatorEma < 1)) {
            throw new SpecException("$.training.generatorEma", "is " + generatorEma + "; the decay of the generator's weight"
                    + " average must be in [0, 1) (0.999 is usual; 0 or absent: no average)");
        }
        realLabel = training.number("realLabel", 1);
        if (!(realLabel > 0 && realLabel <= 1)) {
            throw new SpecException("$.training.realLabel", "is " + realLabel + "; the discriminator's target for real images"
                    + " must be in (0, 1] (0.9: one-sided label smoothing; 1 or absent: none)");
        }
        lrDecayFrom = training.number("lrDecayFrom", -1);
        if (training.has("lrDecayFrom") && !(lrDecayFrom >= 0 && lrDecayFrom < epochs)) {
            throw new SpecException("$.training.lrDecayFrom", "is " + lrDecayFrom + "; the epoch where the learning rates"
                    + " start to fall must be in [0, " + epochs + "), before the last epoch ends");
        }
        shuffle = training.bool("shuffle", true);
        training.checkNoUnknownKeys();
        Node evaluation = spec.has("evaluation") ? spec.object("evaluation") : new Node(new ObjectMapper().createObjectNode(), "$.evaluation");
        scoreImages = evaluation.positive("scoreImages", 10000);
        classifierEpochs = evaluation.positive("classifierEpochs", 3);
        evaluation.checkNoUnknownKeys();
        spec.checkNoUnknownKeys();
    }

    private static void choice(Node spec, String key, String only) {
        String v = spec.string(key, only);
        if (!v.equals(only)) throw Node.unknownChoice("$." + key, key, v, Set.of(only));
    }

    // DCGAN: conv/linear weights ~ N(mean, std), biases 0; BatchNorm scales ~ N(1, std), shifts 0
    private static void initialize(Layer model, double mean, double std, Generator gen) {
        for (Layer l : model.namedLayers().values()) {
            if (!l.hasParameter("weight")) continue;
            boolean norm = l.typeName().startsWith("BatchNorm");
            Init.normal(l.parameter("weight"), norm ? 1 : mean, std, gen);
            if (l.hasParameter("bias")) Init.zeros(l.parameter("bias"));
        }
    }

    /** Whether the JSON file is a GAN spec ({@code "type": "gan"}); false for anything else, even unreadable JSON. */
    public static boolean isGan(Path file) throws IOException {
        try {
            JsonNode t = new ObjectMapper().readTree(Files.readString(file)).get("type");
            return t != null && TYPE.equals(t.asText());
        } catch (JsonProcessingException | java.nio.charset.CharacterCodingException e) {
            return false; // the experiment spec's reader says what is wrong
        }
    }

    /** Reads and checks a GAN spec file; dataOverride (when not null) replaces the data folder. */
    public static GanSpec read(Path file, Path dataOverride) throws IOException {
        String base = file.getFileName().toString().replaceFirst("\\.json$", "");
        return parse(Files.readString(file), base, file.toAbsolutePath().getParent(), dataOverride);
    }

    /** Parses and checks a GAN spec; relative data paths are resolved against baseDir. */
    public static GanSpec parse(String json, String defaultName, Path baseDir, Path dataOverride) {
        // the experiment spec's strict parsing: duplicate keys refused, line and column given
        return new GanSpec(ExperimentSpec.json(json), defaultName, baseDir, dataOverride);
    }

    /**
     * Reads the images once and checks that they fit the networks. {@link DataSpec.Loaded#train()}
     * is scaled to [−1, 1]; all() and test() stay in [0, 1] (for the classifier of the score).
     */
    public DataSpec.Loaded data() throws IOException {
        if (loaded != null) return loaded;
        DataSpec.Loaded d = data.load(0, seed + 2);
        if (!Arrays.equals(d.exampleShape(), discriminator.inputShape())) {
            throw new SpecException("$.discriminator.input", "the data gives images of shape " + Arrays.toString(d.exampleShape())
                    + " but the networks use " + Arrays.toString(discriminator.inputShape()));
        }
        double[] half = new double[d.exampleShape()[0]];
        Arrays.fill(half, 0.5);
        Dataset scaled = new TransformedDataset(d.train(), Transforms.normalize(half, half), seed + 5); // (x − 0.5) / 0.5
        loaded = new DataSpec.Loaded(d.all(), scaled, null, d.test(), d.classNames(), d.exampleShape(), d.imageShape());
        return loaded;
    }

    /**
     * The models and optimizers as one training step, its latent noise seeded by the spec's seed;
     * with "generatorEma", the step samples from a moving average of the generator's weights.
     */
    public GanStep step() {
        Layer g = generator.model(), d = discriminator.model();
        GanStep step = new GanStep(g, d, generatorOptimizer.apply(g.parameters()), discriminatorOptimizer.apply(d.parameters()),
                latentSize, new Generator(seed + 3)).discriminatorSteps(discriminatorSteps).realLabel(realLabel);
        if (generatorEma > 0) {
            step.averageGenerator(ModelSpec.build(generatorJson, "$.generator", new Generator(seed)).model(), generatorEma);
        }
        return step;
    }

    /** The decay of the generator's weight average, 0 for none. */
    public double generatorEma() {
        return generatorEma;
    }

    /** Epochs, batch size and shuffling (seeded by the spec's seed). */
    public FitOptions fitOptions() {
        return new FitOptions().epochs(epochs).batchSize(batchSize).shuffle(shuffle).seed(seed + 2);
    }

    /**
     * The epoch where both learning rates start their linear fall to 0 at the end of training,
     * or a negative number when they stay constant.
     */
    public double lrDecayFrom() {
        return lrDecayFrom;
    }

    /** The name (default: the file name). */
    public String name() {
        return name;
    }

    /** The seed of the weights, the noise and the shuffling. */
    public long seed() {
        return seed;
    }

    /** The size of the generator's input. */
    public int latentSize() {
        return latentSize;
    }

    /** The generator, built with its initial weights. */
    public ModelSpec.Built generator() {
        return generator;
    }

    /** The discriminator, built with its initial weights. */
    public ModelSpec.Built discriminator() {
        return discriminator;
    }

    /** The generator's model spec, as saved next to its weights. */
    public JsonNode generatorJson() {
        return generatorJson;
    }

    /** The discriminator's model spec, as saved next to its weights. */
    public JsonNode discriminatorJson() {
        return discriminatorJson;
    }

    /** Epochs. */
    public int epochs() {
        return epochs;
    }

    /** How many images the per-epoch sample grid shows (from one fixed noise batch). */
    public int samples() {
        return samples;
    }

    /** How many generated images the score is computed on. */
    public int scoreImages() {
        return scoreImages;
    }

    /** Epochs of the Fashion-MNIST classifier trained for the score (when none is given). */
    public int classifierEpochs() {
        return classifierEpochs;
    }
}
