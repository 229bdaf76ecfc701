package dev.nabla.io.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.ELU;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GELU;
import dev.nabla.nn.Identity;
import dev.nabla.nn.Init;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.LogSoftmax;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Softmax;
import dev.nabla.nn.Tanh;
import dev.nabla.nn.Unflatten;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A Sequential network described in JSON: {@code {"input": [1], "layers": [{"type": "linear",
 * "units": 20, "activation": "tanh"}, …]}}; images are [channels, height, width] with the layer
 * types conv2d, conv_transpose2d, maxpool2d, avgpool2d, global_avg_pool2d, batchnorm1d/2d, dropout2d and vgg
 * (their keys: see ImageLayers). Each layer's input size is inferred from the one
 * before, so shapes are checked when the spec is read, before any training, and a layer whose
 * declared input does not fit names both layers and both shapes.
 */
public final class ModelSpec {
    /** Layer types, for error messages. */
    public static final Set<String> LAYER_TYPES = new LinkedHashSet<>(List.of("linear", "dense", "dropout", "flatten",
            "identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softmax", "log_softmax", "unflatten",
            "conv2d", "conv_transpose2d", "maxpool2d", "avgpool2d", "global_avg_pool2d", "batchnorm1d", "batchnorm2d",
            "dropout2d", "vgg"));
    /** Activation names accepted by a linear layer's "activation" key. */
    public static final Set<String> ACTIVATIONS = new LinkedHashSet<>(List.of("linear", "identity", "sigmoid", "tanh",
            "relu", "leaky_relu", "elu", "gelu", "softmax", "log_softmax"));
    /** Weight initializers accepted by a linear layer's "init" key. */
    public static final Set<String> INITS = new LinkedHashSet<>(List.of("default", "xavier_uniform", "xavier_normal",
            "kaiming_uniform", "kaiming_normal", "zeros", "constant", "normal", "uniform"));

    private ModelSpec() {}

    /** A built network with the shape of one example at its input and output. */
    public record Built(Sequential model, int[] inputShape, int[] outputShape, List<String> layerNames) {}

    /** Builds the network of a model spec; weights are drawn from gen. */
    public static Built build(JsonNode json, String path, Generator gen) {
        Node spec = new Node(json, path);
        int[] shape = spec.ints("input");
        int[] input = shape.clone();
        List<Layer> layers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String previous = "the input";
        List<Node> specLayers = spec.objects("layers");
        for (int index = 0; index < specLayers.size(); index++) {
            Node layer = specLayers.get(index);
            String type = layer.string("type");
            String here = layer.path;
            int[] before = shape;
            switch (type) {
                case "linear", "dense" -> {
                    int units = layer.positive("units", 0);
                    int in = shape[shape.length - 1];
                    if (layer.has("in") && layer.integer("in") != in) {
                        throw new SpecException(here, "layer " + index + " (" + type + ") expects inputs of size "
                                + layer.integer("in") + " but " + previous + " gives shape " + Arrays.toString(before));
                    }
                    Linear linear = new Linear(in, units, layer.bool("bias", true), gen);
                    if (layer.has("init")) initialize(linear, layer.typed("init"), gen);
                    layers.add(linear);
                    names.add(type);
                    shape = shape.clone();
                    shape[shape.length - 1] = units;
                    if (layer.has("activation")) {
                        String act = layer.string("activation");
                        Layer m = activation(act, layer.path + ".activation", layer);
                        if (m != null) {
                            layers.add(m);
                            names.add(act);
                        }
                    }
                }
                case "dropout" -> {
                    double rate = layer.number("rate");
                    if (!(rate >= 0 && rate < 1)) throw new SpecException(here + ".rate", "must be in [0, 1), got " + rate);
                    layers.add(new Dropout(rate, gen));
                    names.add(type);
                }
                case "flatten" -> {
                    layers.add(new Flatten());
                    names.add(type);
                    shape = new int[] {Arrays.stream(shape).reduce(1, (a, b) -> a * b)};
                }
                case "unflatten" -> { // {"type": "unflatten", "shape": [128, 7, 7]}: [n, 6272] to [n, 128, 7, 7]
                    int[] to = layer.ints("shape");
                    if (to.length == 0 || shape.length != 1 || (long) shape[0] != Arrays.stream(to).asLongStream().reduce(1, (a, b) -> a * b)) {
                        throw new SpecException(here, "layer " + index + " (unflatten) cannot reshape the output of " + previous
                                + ", of shape " + Arrays.toString(shape) + ", to " + Arrays.toString(to) + "; the sizes must match");
                    }
                    layers.add(new Unflatten(to));
                    names.add(type);
                    shape = to;
                }
                case "conv2d", "conv_transpose2d", "maxpool2d", "avgpool2d", "global_avg_pool2d", "batchnorm1d", "batchnorm2d",
                     "dropout2d", "vgg" -> {
                    // images, NCHW: see ImageLayers for the keys; the output shape comes from the layers
                    List<Layer> made = ImageLayers.build(type, layer, shape, gen);
                    shape = ImageLayers.outputShape(made, shape, here, "layer " + index + " (" + type + ")", previous);
                    for (Layer m : made) {
                        layers.add(m);
                        names.add(type.equals("vgg") ? ImageLayers.name(m) : type);
                    }
                    if (type.startsWith("conv") && layer.has("activation")) {
                        String act = layer.string("activation");
                        Layer m = activation(act, layer.path + ".activation", layer);
                        if (m != null) {
                            layers.add(m);
                            names.add(act);
                        }
                    }
                }
                default -> {
                    if (!ACTIVATIONS.contains(type)) throw Node.unknownChoice(here + ".type", "layer type", type, LAYER_TYPES);
                    Layer m = activation(type, here + ".type", layer);
                    layers.add(m == null ? new Identity() : m);
                    names.add(type);
                }
            }
            layer.checkNoUnknownKeys();
            previous = "layer " + index + " (" + type + (layer.has("activation") ? ", " + layer.string("activation") : "") + ")";
        }
        spec.checkNoUnknownKeys();
        if (layers.isEmpty()) throw new SpecException(path + ".layers", "a model needs at least one layer");
        return new Built(new Sequential(layers), input, shape, names);
    }

    private static Layer activation(String name, String path, Node layer) {
        return switch (name) {
            case "linear", "identity" -> null;
            case "sigmoid" -> new Sigmoid();
            case "tanh" -> new Tanh();
            case "relu" -> new ReLU();
            case "leaky_relu" -> new LeakyReLU(layer.number("slope", 0.01));
            case "elu" -> new ELU(layer.number("alpha", 1.0));
            case "gelu" -> new GELU();
            case "softmax" -> new Softmax(layer.integer("dim", -1));
            case "log_softmax" -> new LogSoftmax(layer.integer("dim", -1));
            default -> throw Node.unknownChoice(path, "activation", name, ACTIVATIONS);
        };
    }

    private static void initialize(Linear linear, Node init, Generator gen) {
        Tensor w = linear.weight();
        String type = init.string("type");
        switch (type) {
            case "default" -> { }
            case "xavier_uniform" -> Init.xavierUniform(w, init.number("gain", 1), gen);
            case "xavier_normal" -> Init.xavierNormal(w, init.number("gain", 1), gen);
            case "kaiming_uniform" -> Init.kaimingUniform(w, 0, Init.FanMode.FAN_IN, Init.Nonlinearity.RELU, gen);
            case "kaiming_normal" -> Init.kaimingNormal(w, 0, Init.FanMode.FAN_IN, Init.Nonlinearity.RELU, gen);
            case "zeros" -> Init.zeros(w);
            case "constant" -> Init.constant(w, init.number("value"));
            case "normal" -> Init.normal(w, init.number("mean", 0), init.number("std", 1), gen);
            case "uniform" -> Init.uniform(w, init.number("low", -1), init.number("high", 1), gen);
            default -> throw Node.unknownChoice(init.path + ".type", "initializer", type, INITS);
        }
        if (linear.bias() != null && init.has("bias")) Init.constant(linear.bias(), init.number("bias"));
        init.checkNoUnknownKeys();
    }
}
