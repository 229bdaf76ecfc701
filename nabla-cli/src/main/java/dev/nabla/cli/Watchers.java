package dev.nabla.cli;

import dev.nabla.dashboard.DashboardServer;
import dev.nabla.dashboard.LiveDashboard;
import dev.nabla.dashboard.SamplePredictions;
import dev.nabla.dashboard.tensorboard.TensorBoardLogger;
import dev.nabla.data.Batch;
import dev.nabla.data.Dataset;
import dev.nabla.data.Subset;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.spec.DataSpec;
import java.nio.file.Path;
import java.util.stream.IntStream;

/** The callbacks that let one watch a spec's training (TensorBoard, the live dashboard), set up from its data. */
final class Watchers {
    /** How many examples the dead-ReLU probe and the sample predictions take. */
    static final int PROBE = 256, SAMPLES = 16;
    /** How many test examples the dashboard's confusion matrix counts after each epoch. */
    static final int CONFUSION = 1000;

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

    /**
     * The live dashboard's callback: a dead-ReLU probe, and as the data allows a confusion matrix
     * and sample predictions (classifiers) or the fitted curve (1-D regression) on the test set.
     */
    static LiveDashboard dashboard(DashboardServer server, String title, int epochs, DataSpec.Loaded d, boolean curveFit) {
        LiveDashboard live = new LiveDashboard(server, title, epochs).probe(first(d.train(), PROBE).inputs());
        SamplePredictions samples = samples(d);
        if (samples != null) live.samples(samples);
        if (d.classNames() != null && d.test() != null) live.confusion(new Subset(d.test(), IntStream.range(0, Math.min(CONFUSION,
                d.test().size())).toArray()), d.classNames());
        if (curveFit && d.test() instanceof TensorDataset curve) live.curve(curve.inputs(), curve.targets());
        return live;
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
