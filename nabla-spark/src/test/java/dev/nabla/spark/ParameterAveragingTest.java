package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Dataset;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

class ParameterAveragingTest {
    private static List<Double> averaged(JavaSparkContext sc, int workers, int every) {
        SparkEngineTest.Job job = new SparkEngineTest.Job(-1, true);
        Layer model = job.model();
        Dataset data = job.trainingData();
        History h = new ParameterAveraging(sc, job, workers, every)
                .fit(model, new Adam(model.parameters(), 1e-2), data, data, null, 3, 24, 11, null);
        return result(h.get("loss"), model);
    }

    private static List<Double> result(double[] losses, Layer model) {
        List<Double> out = new ArrayList<>();
        for (double v : losses) out.add(v);
        for (Tensor p : model.stateDict().values()) for (double v : p.toDoubleArray()) out.add(v);
        return out;
    }


    @Test
    void oneWorkerIsPlainTrainingAndTheResultDependsOnlyOnWorkersAndPeriod() {
        SparkEngineTest.Job job = new SparkEngineTest.Job(-1, true);
        Layer model = job.model();
        History plain = new Trainer(model, new Adam(model.parameters(), 1e-2), job.loss(), job.metrics().get(0))
                .fit(job.trainingData(), new FitOptions().epochs(3).batchSize(24).seed(11).progress(false));
        List<Double> local = result(plain.get("loss"), model);
        List<Double> twoWorkers;
        try (JavaSparkContext sc = LocalSpark.context("local[1]")) {
            assertEquals(local, averaged(sc, 1, 3), "one worker averaging every 3 steps is plain training");
            twoWorkers = averaged(sc, 2, 3);
        }
        try (JavaSparkContext sc = LocalSpark.context("local[2]")) {
            assertEquals(twoWorkers, averaged(sc, 2, 3), "2 workers: the same bits on local[1] and local[2]");
            assertNotEquals(local, twoWorkers);
            List<Double> every1 = averaged(sc, 2, 1);
            assertTrue(every1.get(2) < every1.get(0), "the loss falls: " + every1.subList(0, 3));
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ParameterAveraging(null, null, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ParameterAveraging(null, null, 2, 0));
    }
}
