package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Dataset;
import dev.nabla.data.TensorDataset;
import dev.nabla.data.TransformedDataset;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.History;
import dev.nabla.train.Loss;
import dev.nabla.train.Metric;
import dev.nabla.train.MicroBatches;
import dev.nabla.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

class SparkEngineTest {
    /** A small classifier with batch norm and dropout, on data with a random augmentation: every source of randomness. */
    static class Job implements TrainingJob {
        private static final long serialVersionUID = 1L;
        final int failAtStep; // -1: never; else the first attempt of partition 1's task at that step throws
        final boolean augment;

        Job(int failAtStep, boolean augment) {
            this.failAtStep = failAtStep;
            this.augment = augment;
        }

        @Override
        public String key() {
            return "test-job-" + failAtStep + "-" + augment;
        }

        @Override
        public Layer model() {
            Generator g = new Generator(1);
            return new Sequential(new Linear(6, 16, g), new BatchNorm1d(16), new ReLU(), new Dropout(0.2, new Generator(2)),
                    new Linear(16, 3, g));
        }

        @Override
        public Dataset trainingData() {
            Generator g = new Generator(7);
            Tensor x = Tensor.randn(g, 120, 6);
            long[] y = new long[120];
            for (int i = 0; i < y.length; i++) y[i] = g.nextLong(3);
            Dataset data = new TensorDataset(x, Tensor.of(y, 120));
            // a random jitter: an augmentation drawing from the dataset's generator
            return augment ? new TransformedDataset(data, (batch, gen) -> batch.add(Tensor.randn(gen, batch.shape()).mul(0.1)), 3)
                    : data;
        }

        @Override
        public Loss loss() {
            int fail = failAtStep;
            return (p, t) -> {
                TaskContext tc = TaskContext.get();
                if (fail >= 0 && tc != null && tc.partitionId() == 1 && tc.attemptNumber() == 0 && FailAt.step == fail) {
                    FailAt.failures.incrementAndGet();
                    throw new IllegalStateException("injected task failure");
                }
                return Losses.crossEntropy(p, t);
            };
        }

        @Override
        public List<Metric> metrics() {
            return List.of(Metric.ACCURACY);
        }

        @Override
        public Optimizer optimizer(List<Tensor> params) {
            return new Adam(params, 1e-2);
        }
    }

    /** The step the engine is at, for the injected failure (set by the driver; local mode shares the JVM), and the failures thrown. */
    static final class FailAt {
        static volatile long step;
        static final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
    }

    // with augmentation, no validation split: fit would hold out part of the augmented data, which
    // augments validation batches too (not what anyone should do) with a generator that training reseeds
    private static FitOptions options(Job job) {
        return new FitOptions().epochs(3).batchSize(24).microBatches(6).validationSplit(job.augment ? 0 : 0.2).seed(11)
                .progress(false);
    }

    private static List<Double> result(History h, Layer model) {
        List<Double> out = new ArrayList<>();
        for (var epoch : h.epochs()) out.addAll(epoch.values());
        for (Tensor p : model.stateDict().values()) for (double v : p.toDoubleArray()) out.add(v);
        return out;
    }

    /** The final weights and the history of a training whose engine is made by the function (null: local). */
    private static List<Double> train(Job job, Function<Dataset, MicroBatches.Engine> engine) {
        Layer model = job.model();
        Dataset data = job.trainingData();
        Trainer t = new Trainer(model, new Adam(model.parameters(), 1e-2), job.loss(), Metric.ACCURACY);
        FitOptions o = options(job);
        if (engine != null) o.engine(engine.apply(data));
        return result(t.fit(data, o), model);
    }


    @Test
    void everyClusterShapeGivesTheBitsOfOneJvm() {
        for (Job job : List.of(new Job(-1, true), new Job(-1, false))) {
            List<Double> local = train(job, null);
            try (JavaSparkContext sc = LocalSpark.context("local[1]")) {
                assertEquals(local, train(job, d -> new SparkEngine(sc, job, d)), "local[1]");
            }
            try (JavaSparkContext sc = LocalSpark.context("local[2]")) {
                assertEquals(local, train(job, d -> new SparkEngine(sc, job, d)), "local[2]");
                assertEquals(local, train(job, d -> new SparkEngine(sc, job, d, 3)), "local[2], 3 partitions");
                assertEquals(local, train(job, d -> new SparkEngine(sc, job, d, 6)), "local[2], 6 partitions");
            }
        }
    }

    @Test
    void aFailedTaskIsRetriedAndChangesNothing() {
        Job job = new Job(4, true);
        List<Double> local = train(new Job(-1, true), null);
        try (JavaSparkContext sc = LocalSpark.context("local[2,3]")) { // up to 3 attempts per task
            // the engine's own dataset must be the one fit trains on: use the same object
            Layer model = job.model();
            Dataset data = job.trainingData();
            SparkEngine engine = new SparkEngine(sc, job, data, 2);
            Trainer t = new Trainer(model, new Adam(model.parameters(), 1e-2), job.loss(), Metric.ACCURACY);
            History h = t.fit(data, options(job).engine((m, l, ms, d, mb, gb, seed, step) -> {
                FailAt.step = step;
                return engine.run(m, l, ms, d, mb, gb, seed, step);
            }));
            assertEquals(local, result(h, model));
            assertEquals(1, FailAt.failures.get(), "the injected failure happened once");
        }
    }

    @Test
    void fitOnOtherDataIsRefused() {
        try (JavaSparkContext sc = LocalSpark.context("local[1]")) {
            Job job = new Job(-1, false);
            SparkEngine engine = new SparkEngine(sc, job, job.trainingData());
            Layer model = job.model();
            Trainer t = new Trainer(model, new Adam(model.parameters(), 1e-2), job.loss());
            Dataset other = job.trainingData(); // equal content, but not the engine's dataset
            var e = assertThrows(IllegalArgumentException.class, () -> t.fit(other, options(job).engine(engine)));
            assertTrue(e.getMessage().contains("not the engine's training data"), e.getMessage());
        }
    }
}
