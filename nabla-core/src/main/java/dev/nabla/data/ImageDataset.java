package dev.nabla.data;

import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled images held as unsigned bytes (a quarter of the memory of float32) and turned into
 * float32 in [0, 1] (value / 255, as torchvision's ToTensor) one batch at a time: a batch is
 * images [b, channels, height, width] (or [b, channels·height·width] for a {@link #flattened()}
 * view, for an MLP) and int64 labels [b]. Read MNIST-style files with {@link Idx} or
 * {@link FashionMnist}.
 */
public final class ImageDataset implements Dataset {
    private final byte[] pixels;
    private final int[] imageShape;
    private final int imageSize;
    private final long[] labels;
    private final List<String> classNames;
    private final boolean flat;

    /**
     * Images of shape imageShape = [channels, height, width], stored one after the other in
     * {@code pixels} (unsigned bytes, row-major), with one label per image in
     * [0, classNames.size()). The arrays are kept, not copied.
     */
    public ImageDataset(byte[] pixels, int[] imageShape, long[] labels, List<String> classNames) {
        this(pixels, imageShape, labels, classNames, false);
    }

    private ImageDataset(byte[] pixels, int[] imageShape, long[] labels, List<String> classNames, boolean flat) {
        if (imageShape.length != 3 || Arrays.stream(imageShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("ImageDataset: image shape " + Arrays.toString(imageShape)
                    + " must be [channels, height, width], all >= 1");
        }
        int size = imageShape[0] * imageShape[1] * imageShape[2];
        if ((long) labels.length * size != pixels.length) {
            throw new IllegalArgumentException("ImageDataset: " + pixels.length + " pixels do not make " + labels.length
                    + " images of " + Arrays.toString(imageShape) + " (" + (long) labels.length * size + " pixels)");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("ImageDataset: label " + labels[i] + " of image " + i + " is outside [0, "
                        + classNames.size() + ") for the classes " + classNames);
            }
        }
        this.pixels = pixels;
        this.imageShape = imageShape.clone();
        this.imageSize = size;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
        this.flat = flat;
    }

    /** The same data with each image flattened to a vector of channels·height·width values. */
    public ImageDataset flattened() {
        return flat ? this : new ImageDataset(pixels, imageShape, labels, classNames, true);
    }

    /** True for a {@link #flattened()} view. */
    public boolean isFlattened() {
        return flat;
    }

    /** The shape of one example as served: [channels, height, width], or [channels·height·width] when flattened. */
    public int[] exampleShape() {
        return flat ? new int[] {imageSize} : imageShape.clone();
    }

    /** The shape of one image: [channels, height, width]. */
    public int[] imageShape() {
        return imageShape.clone();
    }

    /** The class names, indexed by label. */
    public List<String> classNames() {
        return classNames;
    }

    /** The number of classes. */
    public int numClasses() {
        return classNames.size();
    }

    /** The label of image i. */
    public long label(int i) {
        return labels[check(i)];
    }

    /** All labels, int64 [n]. */
    public Tensor labels() {
        return Tensor.of(labels);
    }

    /** How many images each class has, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[classNames.size()];
        for (long y : labels) counts[(int) y]++;
        return counts;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Batch get(int[] indices) {
        int[] offsets = new int[indices.length];
        long[] y = new long[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = check(indices[k]);
            offsets[k] = i * imageSize;
            y[k] = labels[i];
        }
        int[] shape = flat ? new int[] {indices.length, imageSize}
                : new int[] {indices.length, imageShape[0], imageShape[1], imageShape[2]};
        // the kernel's SIMD widening: an epoch of the mlp bench's batches took 24 ms instead of 49
        return new Batch(Internals.get().unsignedBytes(pixels, offsets, imageSize, 255f, shape), Tensor.of(y));
    }

    private int check(int i) {
        if (i < 0 || i >= labels.length) {
            throw new IndexOutOfBoundsException("ImageDataset: index " + i + " outside [0, " + labels.length + ")");
        }
        return i;
    }

    @Override
    public String toString() {
        return "ImageDataset(" + labels.length + " images of " + Arrays.toString(imageShape) + ", " + classNames.size()
                + " classes" + (flat ? ", flattened" : "") + ")";
    }
}
