package dev.nabla.dashboard;

import dev.nabla.nn.Layer;
import dev.nabla.plot.ImageGrid;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;

/**
 * A classifier's predictions on a few fixed examples, drawn as captioned images
 * ("pred: X / true: Y", mistakes in red): what TensorBoard's image tab and the dashboard show
 * after each epoch.
 */
public final class SamplePredictions {
    private final Tensor inputs;
    private final long[] truth;
    private final List<String> classNames;
    private final int channels, height, width;

    /**
     * @param inputs     the examples [n, …] as the model takes them (flattened or not)
     * @param labels     their class indices [n]
     * @param classNames the names of the classes, by index
     * @param imageShape [channels, height, width] of one example (channels are averaged for display)
     */
    public SamplePredictions(Tensor inputs, Tensor labels, List<String> classNames, int[] imageShape) {
        if (imageShape.length != 3) {
            throw new IllegalArgumentException("SamplePredictions: the image shape must be [channels, height, width], got "
                    + Arrays.toString(imageShape));
        }
        int n = inputs.size(0);
        if (inputs.numel() != (long) n * imageShape[0] * imageShape[1] * imageShape[2] || labels.numel() != n) {
            throw new IllegalArgumentException("SamplePredictions: " + n + " examples of shape " + Arrays.toString(inputs.shape())
                    + " with " + labels.numel() + " labels do not hold images of shape " + Arrays.toString(imageShape));
        }
        this.inputs = inputs.detach();
        this.truth = labels.toLongArray();
        this.classNames = List.copyOf(classNames);
        this.channels = imageShape[0];
        this.height = imageShape[1];
        this.width = imageShape[2];
    }

    /** The model's predicted class per example (evaluation mode, no tape). */
    public long[] predict(Layer model) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = GradMode.noGrad()) {
            return model.forward(inputs).argmax(1, false).toLongArray();
        } finally {
            if (wasTraining) model.train();
        }
    }

    /** The true class per example. */
    public long[] truth() {
        return truth.clone();
    }

    /** The examples with their predicted and true labels, 8 per row. */
    public BufferedImage render(long[] predicted) {
        int n = truth.length;
        float[] x = inputs.toFloatArray();
        float[][] images = new float[n][height * width];
        String[] captions = new String[n];
        boolean[] wrong = new boolean[n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < height * width; p++) images[i][p] += x[(i * channels + c) * height * width + p] / channels;
            }
            wrong[i] = predicted[i] != truth[i];
            captions[i] = "pred: " + name(predicted[i]) + "\ntrue: " + name(truth[i]);
        }
        return ImageGrid.render(images, height, width, captions, wrong, 8);
    }

    private String name(long k) {
        return k >= 0 && k < classNames.size() ? classNames.get((int) k) : String.valueOf(k);
    }
}
