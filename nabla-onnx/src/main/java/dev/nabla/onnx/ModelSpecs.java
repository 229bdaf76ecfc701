package dev.nabla.onnx;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.ConvLayer;
import dev.nabla.nn.ConvTranspose2d;
import dev.nabla.nn.ELU;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GELU;
import dev.nabla.nn.GlobalAvgPool2d;
import dev.nabla.nn.Identity;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.LogSoftmax;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.PoolWindow;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Softmax;
import dev.nabla.nn.Tanh;

/**
 * The model spec (nabla's JSON, read by {@code ModelSpec.build}) of an imported network: one
 * entry per layer, so that the built Sequential has the same state-dict names and the imported
 * weights load into it.
 */
final class ModelSpecs {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ModelSpecs() {}

    static ObjectNode of(Sequential model, int[] inputShape) {
        ObjectNode spec = JSON.objectNode();
        ArrayNode input = spec.putArray("input");
        for (int d : inputShape) input.add(d);
        ArrayNode layers = spec.putArray("layers");
        for (Layer l : model) layers.add(layer(l));
        return spec;
    }

    private static ObjectNode layer(Layer l) {
        ObjectNode o = JSON.objectNode();
        switch (l) {
            case Linear lin -> o.put("type", "linear").put("units", lin.outFeatures()).put("bias", lin.bias() != null);
            case Conv2d c -> {
                conv(o.put("type", "conv2d"), c);
                int[] p = c.padding();
                if (p[0] != p[1] || p[2] != p[3]) throw new OnnxException("Conv2d with padding " + java.util.Arrays.toString(p) + " has no model-spec form");
                pair(o, "padding", p[0], p[2]);
            }
            case ConvTranspose2d c -> {
                conv(o.put("type", "conv_transpose2d"), c);
                pair(o, "padding", c.padding());
                pair(o, "outputPadding", c.outputPadding());
            }
            case BatchNorm b -> {
                if (b.weight() == null) throw new OnnxException(b + " without affine weights has no model-spec form");
                o.put("type", b instanceof BatchNorm1d ? "batchnorm1d" : "batchnorm2d").put("eps", b.eps()).put("momentum", b.momentum());
            }
            case MaxPool2d p -> pool(o.put("type", "maxpool2d"), p.window());
            case AvgPool2d p -> pool(o.put("type", "avgpool2d"), p.window()).put("countIncludePad", p.countIncludePad());
            case GlobalAvgPool2d g -> o.put("type", "global_avg_pool2d");
            case Flatten f -> {
                if (f.startDim() != 1 || f.endDim() != -1) throw new OnnxException(f + " has no model-spec form (only flatten from dim 1)");
                o.put("type", "flatten");
            }
            case Identity i -> o.put("type", "identity");
            case Sigmoid s -> o.put("type", "sigmoid");
            case Tanh t -> o.put("type", "tanh");
            case ReLU r -> o.put("type", "relu");
            case LeakyReLU r -> o.put("type", "leaky_relu").put("slope", r.negativeSlope());
            case ELU e -> o.put("type", "elu").put("alpha", e.alpha());
            case GELU g -> {
                if (g.isTanhApproximation()) throw new OnnxException("GELU with the tanh approximation has no model-spec form");
                o.put("type", "gelu");
            }
            case Softmax s -> o.put("type", "softmax").put("dim", s.dim());
            case LogSoftmax s -> o.put("type", "log_softmax").put("dim", s.dim());
            default -> throw new OnnxException(l.typeName() + " has no model-spec form");
        }
        return o;
    }

    private static void conv(ObjectNode o, ConvLayer c) {
        o.put("filters", c.outChannels());
        pair(o, "kernel", c.kernelSize());
        pair(o, "stride", c.stride());
        pair(o, "dilation", c.dilation());
        o.put("groups", c.groups()).put("bias", c.bias() != null);
    }

    private static ObjectNode pool(ObjectNode o, PoolWindow w) {
        pair(o, "kernel", w.kernel());
        pair(o, "stride", w.stride());
        pair(o, "padding", w.padding());
        return o.put("ceilMode", w.ceilMode());
    }

    private static void pair(ObjectNode o, String key, int... v) {
        o.putArray(key).add(v[0]).add(v[1]);
    }
}
