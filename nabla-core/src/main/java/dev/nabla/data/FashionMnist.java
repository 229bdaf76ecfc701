package dev.nabla.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 70,000 grayscale 28×28 images of clothing in 10 classes, 60,000 for
 * training and 10,000 for testing, in the IDX format of MNIST. Debian's
 * {@code dataset-fashion-mnist} package installs it under {@link #DEFAULT_DIR}; a folder holding
 * the four files (gzipped or not) works too.
 *
 * <pre>{@code
 * ImageDataset train = FashionMnist.train(FashionMnist.DEFAULT_DIR);   // [n, 1, 28, 28] in [0, 1]
 * ImageDataset test = FashionMnist.test(FashionMnist.DEFAULT_DIR);
 * }</pre>
 */
public final class FashionMnist {
    /** Where Debian's dataset-fashion-mnist package puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** The class names, indexed by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** The training images (60,000). */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    /** The training labels. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    /** The test images (10,000). */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    /** The test labels. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    /** The shell command that installs the data set on Debian. */
    public static final String INSTALL = "apt-get update && apt-get install -y dataset-fashion-mnist";

    private FashionMnist() {}

    /** The 60,000 training images and labels from dir. */
    public static ImageDataset train(Path dir) throws IOException {
        return Idx.dataset(find(dir, TRAIN_IMAGES), find(dir, TRAIN_LABELS), CLASSES);
    }

    /** The 10,000 test images and labels from dir (the t10k files). */
    public static ImageDataset test(Path dir) throws IOException {
        return Idx.dataset(find(dir, TEST_IMAGES), find(dir, TEST_LABELS), CLASSES);
    }

    /**
     * The file {@code name} in dir, or its gunzipped twin (name without ".gz"); when neither
     * exists, an error that says how to get the data.
     */
    public static Path find(Path dir, String name) throws DataFileException {
        Path gz = dir.resolve(name);
        if (Files.isRegularFile(gz)) return gz;
        if (name.endsWith(".gz")) {
            Path plain = dir.resolve(name.substring(0, name.length() - 3));
            if (Files.isRegularFile(plain)) return plain;
        }
        throw new DataFileException(gz, missing(dir));
    }

    /** What to do when the files are not in dir. */
    public static String missing(Path dir) {
        String where = Files.isDirectory(dir) ? "the folder " + dir + " has no" : "there is no folder " + dir + " with";
        return "not found: " + where + " Fashion-MNIST files (" + TRAIN_IMAGES + ", " + TRAIN_LABELS + ", " + TEST_IMAGES
                + ", " + TEST_LABELS + "). Install them with `" + INSTALL + "` (they go to " + DEFAULT_DIR
                + "), or give the folder that holds them (nabla train --data DIR)";
    }
}
