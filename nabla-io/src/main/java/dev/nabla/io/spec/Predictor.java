package dev.nabla.io.spec;

import dev.nabla.nn.Layer;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * Runs a {@link SavedModel} on inputs as a person gives them (image files, rows of numbers):
 * turns them into the raw batch the data source would have given ({@link #encode}, chosen by the
 * preprocessing's type), applies the saved {@link Preprocessing}, and reports a classifier's top
 * classes with probabilities or a regression's values. A new kind of data plugs in with one line,
 * e.g. {@code Predictor.register("text", TextPredictor::new)}, its subclass reading the
 * vocabulary from the preprocessing.
 */
public abstract class Predictor {
    private static final Map<String, Function<SavedModel, Predictor>> KINDS = new ConcurrentHashMap<>(Map.of(
            "image", ImagePredictor::new, "table", NumbersPredictor::new, "values", NumbersPredictor::new,
            "none", NumbersPredictor::new));

    /** The model and what it was trained on. */
    protected final SavedModel saved;

    /** A predictor of saved. */
    protected Predictor(SavedModel saved) {
        this.saved = saved;
    }

    /** Makes {@link #of} use factory for models whose preprocessing has this type. */
    public static void register(String type, Function<SavedModel, Predictor> factory) {
        KINDS.put(type, factory);
    }

    /** The predictor for saved's preprocessing type. */
    public static Predictor of(SavedModel saved) {
        String type = saved.preprocessing().type();
        Function<SavedModel, Predictor> f = KINDS.get(type);
        if (f == null) {
            throw new IllegalArgumentException("no predictor for preprocessing type '" + type + "' (known: " + KINDS.keySet()
                    + "); register one with Predictor.register");
        }
        return f.apply(saved);
    }

    /** The raw batch [inputs.size(), …] for inputs as given on a command line, before the saved normalization. */
    protected abstract Tensor encode(List<String> inputs) throws IOException;

    /** One class and its probability. */
    public record Scored(int index, String label, double probability) {}

    /** What the model says about one input: the top classes of a classifier, else the output values. */
    public record Prediction(String input, List<Scored> top, double[] values) {}

    /** Predictions for inputs, with the top {@code k} classes of a classifier. */
    public List<Prediction> predict(List<String> inputs, int k) throws IOException {
        Tensor x = saved.preprocessing().apply(encode(inputs));
        Layer model = saved.model();
        model.eval();
        float[] out;
        int width;
        try (var scope = GradMode.noGrad()) {
            Tensor y = model.forward(x);
            width = y.numel() / inputs.size();
            List<String> classes = saved.preprocessing().classes();
            if (classes != null && width == classes.size()) {
                // logits (cross_entropy) or log-probabilities (nll, log_softmax) both give probabilities through softmax
                y = "bce".equals(saved.loss()) || "mse".equals(saved.loss()) ? y : y.reshape(inputs.size(), width).softmax(1);
            }
            out = y.toFloatArray();
        }
        List<String> classes = saved.preprocessing().classes();
        List<Prediction> result = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            double[] row = new double[width];
            for (int j = 0; j < width; j++) row[j] = out[i * width + j];
            if (classes != null && width == classes.size()) {
                Integer[] order = new Integer[width];
                for (int j = 0; j < width; j++) order[j] = j;
                Arrays.sort(order, (a, b) -> Double.compare(row[b], row[a]));
                List<Scored> top = new ArrayList<>();
                for (int j = 0; j < Math.min(k, width); j++) top.add(new Scored(order[j], classes.get(order[j]), row[order[j]]));
                result.add(new Prediction(inputs.get(i), top, null));
            } else {
                result.add(new Prediction(inputs.get(i), null, row));
            }
        }
        return result;
    }

    /** Image files (PNG, JPEG, anything ImageIO reads) of the model's size, as greyscale or RGB as it expects, pixels / 255. */
    static final class ImagePredictor extends Predictor {
        ImagePredictor(SavedModel saved) {
            super(saved);
        }

        @Override
        protected Tensor encode(List<String> inputs) throws IOException {
            int[] shape = saved.preprocessing().imageShape();
            int c = shape[0], h = shape[1], w = shape[2];
            float[] x = new float[inputs.size() * c * h * w];
            for (int i = 0; i < inputs.size(); i++) {
                Path file = Path.of(inputs.get(i));
                if (!Files.isRegularFile(file)) {
                    throw new IOException(file + ": no such image file (the model takes " + w + "x" + h + (c == 1 ? " greyscale" : " RGB")
                            + " images)");
                }
                BufferedImage img = ImageIO.read(file.toFile());
                if (img == null) throw new IOException(file + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
                if (img.getWidth() != w || img.getHeight() != h) {
                    throw new IOException(file + ": the image is " + img.getWidth() + "x" + img.getHeight() + ", the model takes "
                            + w + "x" + h + " (width x height); resize it first");
                }
                if (c != 1 && c != 3) throw new IOException("the model takes images of " + c + " channels; only 1 (grey) or 3 (RGB) can be read");
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        int rgb = img.getRGB(xx, y), r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
                        int base = i * c * h * w + y * w + xx;
                        if (c == 1) {
                            // a grey image gives r = g = b; a colour one is converted as PIL's "L" mode does
                            x[base] = (img.getType() == BufferedImage.TYPE_BYTE_GRAY ? img.getRaster().getSample(xx, y, 0)
                                    : (r * 299 + g * 587 + b * 114) / 1000) / 255f;
                        } else {
                            x[base] = r / 255f;
                            x[base + h * w] = g / 255f;
                            x[base + 2 * h * w] = b / 255f;
                        }
                    }
                }
            }
            Tensor t = Tensor.of(x, inputs.size(), c, h, w);
            return saved.preprocessing().flatten() ? t.reshape(inputs.size(), c * h * w) : t;
        }
    }

    /** Rows of numbers, "5.1,3.5,1.4,0.2" (a table's features in order) or "0.25" (a function's x). */
    static final class NumbersPredictor extends Predictor {
        NumbersPredictor(SavedModel saved) {
            super(saved);
        }

        @Override
        protected Tensor encode(List<String> inputs) throws IOException {
            int[] shape = saved.inputShape();
            int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            List<String> features = saved.preprocessing().strings("features");
            float[] x = new float[inputs.size() * n];
            for (int i = 0; i < inputs.size(); i++) {
                String[] cells = inputs.get(i).split(",", -1);
                if (cells.length != n) {
                    throw new IOException("input '" + inputs.get(i) + "' has " + cells.length + " numbers, the model takes " + n
                            + (features != null ? " (" + String.join(", ", features) + ")" : "") + ", separated by commas");
                }
                for (int j = 0; j < n; j++) {
                    try {
                        x[i * n + j] = Float.parseFloat(cells[j].strip());
                    } catch (NumberFormatException e) {
                        throw new IOException("input '" + inputs.get(i) + "': '" + cells[j] + "' is not a number");
                    }
                }
            }
            int[] batched = new int[shape.length + 1];
            batched[0] = inputs.size();
            System.arraycopy(shape, 0, batched, 1, shape.length);
            return Tensor.of(x, batched);
        }
    }
}
