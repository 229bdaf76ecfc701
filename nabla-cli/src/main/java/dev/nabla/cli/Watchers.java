package dev.nabla.cli;

import dev.nabla.dashboard.SamplePredictions;
import dev.nabla.dashboard.tensorboard.TensorBoardLogger;
import dev.nabla.data.Batch;
import dev.nabla.data.Dataset;
import dev.nabla.io.spec.DataSpec;
import java.nio.file.Path;
import java.util.stream.IntStream;

/** The callbacks that let one watch a spec's training (TensorBoard), set up from its data. */
final class Watchers {
    /** How many examples the dead-ReLU probe and the sample predictions take. */
    static final int PROBE = 256, SAMPLES = 16;

    private Watchers() {}

    /**
     * A TensorBoard logger into dir with a probe of the first training examples (dead ReLUs) and,
     * for an image classifier, sample predictions on the first test images.
     */
    static TensorBoardLogger tensorBoard(Path dir, DataSpec.Loaded d) {
        TensorBoardLogger logger = new TensorBoardLogger(dir).probe(first(d.train(), PROBE).inputs());
        SamplePredictions samples = samples(d);
        return samples == null ? logger : logger.samples(samples);
    }

    /** Sample predictions on the first test (else training) images of a classifier, or null when the data is not that. */
    static SamplePredictions samples(DataSpec.Loaded d) {
        if (d.classNames() == null || d.imageShape() == null) return null;
        Batch b = first(d.test() != null ? d.test() : d.train(), SAMPLES);
        return new SamplePredictions(b.inputs(), b.targets(), d.classNames(), d.imageShape());
    }

    private static Batch first(Dataset data, int n) {
        return data.get(IntStream.range(0, Math.min(n, data.size())).toArray());
    }
}
