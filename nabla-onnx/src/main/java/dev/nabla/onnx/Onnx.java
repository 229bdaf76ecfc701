package dev.nabla.onnx;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.NablaIOException;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Sequential;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;

/**
 * ONNX export and import of nabla networks (opset 17, float32, a dynamic batch dim).
 *
 * <pre>{@code
 * Onnx.export(model, new int[] {1, 28, 28}, Path.of("model.onnx"));            // for ONNX Runtime, TensorRT, ...
 * Onnx.export(model, new int[] {1, 28, 28}, Path.of("model.onnx"),
 *         Onnx.ExportOptions.named("fashion-cnn").normalization(new Onnx.Normalization(new double[] {0.286}, new double[] {0.353})));
 * Onnx.Imported m = Onnx.load(Path.of("from-pytorch.onnx"));                   // m.model() trains further
 * }</pre>
 *
 * Export: {@link OnnxExporter#supported() the layer types}: Linear, Conv2d, ConvTranspose2d,
 * BatchNorm1d/2d (inference form: running statistics), MaxPool2d, AvgPool2d, GlobalAvgPool2d,
 * Flatten, Dropout (identity), Embedding (as the first layer: the input is then int64 indices)
 * and every activation. Import: a chain of the matching ONNX ops,
 * as PyTorch's {@code torch.onnx.export} writes for a Sequential. Anything else is an
 * {@link OnnxException} naming the layer or op and listing what is supported.
 */
public final class Onnx {
    private Onnx() {}

    /**
     * A normalization applied to raw inputs before the network, (x − mean)/std per channel (dim 1
     * of the input, as nabla's {@code Transforms.normalize}), exported as a leading Sub and Div.
     */
    public record Normalization(double[] mean, double[] std) {
        /** Checks that mean and std have the same, non-zero length and that every std is positive. */
        public Normalization {
            if (mean.length == 0 || mean.length != std.length) {
                throw new IllegalArgumentException("normalization: " + mean.length + " means and " + std.length + " stds; give one of each per channel");
            }
            if (Arrays.stream(std).anyMatch(s -> !(s > 0) || Double.isInfinite(s))) throw new IllegalArgumentException("normalization: every std must be positive and finite, got " + Arrays.toString(std));
            mean = mean.clone();
            std = std.clone();
        }

        @Override
        public double[] mean() {
            return mean.clone();
        }

        @Override
        public double[] std() {
            return std.clone();
        }
    }

    /** What the exported file carries besides the network: the model's name (graph name and metadata) and an optional normalization. */
    public record ExportOptions(String modelName, Normalization normalization) {
        /** Options with the given name and no normalization. */
        public static ExportOptions named(String modelName) {
            return new ExportOptions(modelName, null);
        }

        /** These options with a leading normalization (null for none). */
        public ExportOptions normalization(Normalization n) {
            return new ExportOptions(modelName, n);
        }
    }

    /**
     * An imported network: the model (layers with the file's weights, in training mode, ready to
     * train further or to {@code eval()}), the shape of one example without the batch dim, the
     * leading normalization if the graph had one (null otherwise), the model's name and the
     * file's producer.
     */
    public record Imported(Sequential model, int[] inputShape, Normalization normalization, String name, String producer) {
        /** The model spec of the network (nabla's JSON: {@code {"input": [...], "layers": [...]}}), for {@code SavedModel}. */
        public ObjectNode spec() {
            return ModelSpecs.of(model, inputShape);
        }
    }

    /** Writes model for inputs of one example's shape (without the batch dim) to file as ONNX, named "model". */
    public static void export(Layer model, int[] inputShape, Path file) throws IOException {
        export(model, inputShape, file, ExportOptions.named("model"));
    }

    /** Writes model to file as ONNX with the given options; the file is written whole or not at all. */
    public static void export(Layer model, int[] inputShape, Path file, ExportOptions options) throws IOException {
        byte[] bytes = toBytes(model, inputShape, options);
        AtomicFiles.write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** The ONNX file's bytes for model (see {@link #export(Layer, int[], Path, ExportOptions)}). */
    public static byte[] toBytes(Layer model, int[] inputShape, ExportOptions options) {
        return OnnxExporter.export(model, inputShape, options, version()).encode();
    }

    /** Reads an ONNX file into a nabla network; see {@link Imported}. */
    public static Imported load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NablaIOException(file, "no such file");
        OnnxGraph g;
        try {
            g = OnnxGraph.decode(Files.readAllBytes(file));
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new OnnxException(file + ": not a readable ONNX model: " + e.getMessage(), e);
        }
        return OnnxImporter.load(g, file.toString());
    }

    /** nabla's version, as written into exported files (producer_version and the nabla_version metadata). */
    public static String version() {
        try (InputStream in = Onnx.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
