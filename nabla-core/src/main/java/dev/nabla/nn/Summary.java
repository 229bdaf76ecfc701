package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keras' {@code model.summary()}: one row per layer with its name and type, its output shape
 * (batch shown as None) and its parameter count, then the total, trainable and non-trainable
 * counts. A layer that knows its output shape ({@link Layer#outputShape}: linear, convolution,
 * pooling, flatten, batch norm) gives it without computing anything, so the summary of a large
 * network such as VGG16 is instant; any other layer is run on a zero input of batch 1 of the
 * current shape, without recording gradients and in evaluation mode (so Dropout draws no random
 * numbers); the modes are restored afterwards.
 *
 * <p>Shapes are printed in nabla's layout, channels first (NCHW): a convolution's output reads
 * {@code (None, 64, 224, 224)} where Keras, channels last, prints {@code (None, 224, 224, 64)}.
 *
 * <p>A {@link Sequential} gives one row per layer; any other module one row for itself.
 * Non-trainable params are frozen parameters plus floating-point buffers (e.g. running
 * statistics), as Keras counts them.
 */
public final class Summary {
    private Summary() {}

    private record Row(String name, String type, String shape, long params) {}

    /** The summary table of model for one input of the given shape (without the batch dim). */
    public static String of(Layer model, int... inputShape) {
        for (int d : inputShape) {
            if (d <= 0) throw new IllegalArgumentException("summary: input shape " + java.util.Arrays.toString(inputShape)
                    + " must have positive sizes and no batch dim (e.g. summary(1) for one input feature)");
        }
        int[] withBatch = new int[inputShape.length + 1];
        withBatch[0] = 1;
        System.arraycopy(inputShape, 0, withBatch, 1, inputShape.length);
        List<Layer.Parameter> all = model.allParameters();
        DType dtype = all.isEmpty() ? DType.FLOAT32 : all.get(0).tensor().dtype();

        List<Row> rows = model.inference(() -> {
            List<Row> out = new ArrayList<>();
            int[] x = withBatch;
            if (model instanceof Sequential seq) {
                for (int i = 0; i < seq.size(); i++) {
                    Layer layer = seq.get(i);
                    x = run(layer, String.valueOf(i), x, dtype);
                    out.add(new Row(String.valueOf(i), layer.typeName(), shape(x), layer.parameterCount() + floatBufferCount(layer)));
                }
            } else {
                x = run(model, model.typeName(), x, dtype);
                out.add(new Row("", model.typeName(), shape(x), model.parameterCount() + floatBufferCount(model)));
            }
            return out;
        });

        long total = model.parameterCount() + floatBufferCount(model);
        long trainable = model.trainableParameterCount();
        List<String[]> cells = new ArrayList<>();
        for (Row r : rows) {
            cells.add(new String[] {r.name().isEmpty() ? r.type() : r.name() + " (" + r.type() + ")", r.shape(), count(r.params())});
        }
        String[] head = {"Layer (type)", "Output Shape", "Param #"};
        int[] w = {Math.max(28, head[0].length()), Math.max(25, head[1].length()), Math.max(10, head[2].length())};
        for (String[] c : cells) for (int k = 0; k < 3; k++) w[k] = Math.max(w[k], c[k].length() + 2);
        int width = w[0] + w[1] + w[2];
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(model.typeName()).append("\"\n");
        sb.append("_".repeat(width)).append('\n');
        sb.append(row(head, w)).append('\n');
        sb.append("=".repeat(width)).append('\n');
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) sb.append("_".repeat(width)).append('\n');
            sb.append(row(cells.get(i), w)).append('\n');
        }
        sb.append("=".repeat(width)).append('\n');
        sb.append("Total params: ").append(count(total)).append('\n');
        sb.append("Trainable params: ").append(count(trainable)).append('\n');
        sb.append("Non-trainable params: ").append(count(total - trainable)).append('\n');
        sb.append("_".repeat(width)).append('\n');
        return sb.toString();
    }

    // The layer's output shape: its own outputShape, else the shape of its output on zeros.
    private static int[] run(Layer layer, String name, int[] x, DType dtype) {
        try {
            int[] known = layer.outputShape(x.clone());
            return known != null ? known : layer.forward(Tensor.zeros(dtype, x)).shape();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("summary: layer " + name + " (" + layer.typeName() + ") fails on an input of shape "
                    + shape(x) + ": " + e.getMessage(), e);
        }
    }

    private static long floatBufferCount(Layer m) {
        long n = 0;
        for (Tensor b : m.namedBuffers().values()) if (b.dtype().isFloating()) n += b.numel();
        return n;
    }

    private static String shape(int[] s) {
        if (s.length == 0) return "()";
        StringBuilder sb = new StringBuilder("(None");
        for (int d = 1; d < s.length; d++) sb.append(", ").append(s[d]);
        return sb.append(s.length == 1 ? ",)" : ")").toString();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String row(String[] c, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 3; k++) sb.append(String.format(Locale.ROOT, "%-" + w[k] + "s", c[k]));
        return sb.toString().stripTrailing();
    }
}
