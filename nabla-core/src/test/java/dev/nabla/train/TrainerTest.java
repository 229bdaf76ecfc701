package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import dev.nabla.optim.SGD;
import dev.nabla.optim.StepLR;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private static Layer mlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(1, 16, g), new Tanh(), new Linear(16, 1, g));
    }

    private static PrintStream sink(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    @Test
    void fitReducesTheLossAndRecordsHistoryWithValidation() {
        TensorDataset data = Synthetic.sample(Synthetic.RUNGE, 200, -1, 1, new Generator(1));
        Layer model = mlp(2);
        Trainer trainer = new Trainer(model, new Adam(model.parameters(), 1e-2), Losses::mseLoss, Metric.MAE)
                .output(sink(new ByteArrayOutputStream()));
        History h = trainer.fit(data, new FitOptions().epochs(40).batchSize(20).validationSplit(0.3).seed(3));
        assertEquals(40, h.size());
        double[] loss = h.get("loss"), val = h.get("val_loss");
        assertTrue(loss[39] < loss[0] / 5, "training loss falls: " + loss[0] + " -> " + loss[39]);
        assertTrue(val[39] < val[0] / 5, "validation loss falls: " + val[0] + " -> " + val[39]);
        assertTrue(h.epochs().get(0).keySet().containsAll(List.of("loss", "mae", "val_loss", "val_mae", "lr")));
        Map<String, Double> eval = trainer.evaluate(data, 64);
        assertTrue(eval.get("loss") < loss[0] / 5);
        Tensor pred = trainer.predict(Tensor.linspace(-1, 1, 7).reshape(7, 1), 3);
        assertArrayEquals(new int[] {7, 1}, pred.shape());
        assertTrue(!pred.requiresGrad(), "predict records no graph");
    }

    @Test
    void sameSeedGivesBitwiseTheSameTraining() {
        double[][] runs = new double[2][];
        for (int r = 0; r < 2; r++) {
            TensorDataset data = Synthetic.sample(Synthetic.RUNGE, 100, -1, 1, new Generator(1));
            Layer model = mlp(2);
            Trainer t = new Trainer(model, new Adam(model.parameters(), 1e-2), Losses::mseLoss).output(sink(new ByteArrayOutputStream()));
            t.fit(data, new FitOptions().epochs(5).batchSize(13).validationSplit(0.3).seed(9));
            runs[r] = model.parameters().get(0).toDoubleArray();
        }
        assertArrayEquals(runs[0], runs[1]);
    }

    @Test
    void resumingAtAnEpochContinuesAsAnUninterruptedRun() {
        TensorDataset data = Synthetic.sample(Synthetic.RUNGE, 60, -1, 1, new Generator(4));
        Layer full = mlp(5);
        Adam fullOpt = new Adam(full.parameters(), 1e-2);
        new Trainer(full, fullOpt, Losses::mseLoss).output(sink(new ByteArrayOutputStream()))
                .fit(data, new FitOptions().epochs(6).batchSize(16).seed(2));

        Layer part = mlp(5);
        Adam partOpt = new Adam(part.parameters(), 1e-2);
        new Trainer(part, partOpt, Losses::mseLoss).output(sink(new ByteArrayOutputStream()))
                .fit(data, new FitOptions().epochs(3).batchSize(16).seed(2));
        Layer resumed = mlp(99);
        resumed.loadStateDict(part.stateDict());
        Adam resumedOpt = new Adam(resumed.parameters(), 1e-2);
        resumedOpt.loadStateDict(partOpt.stateDict());
        new Trainer(resumed, resumedOpt, Losses::mseLoss).output(sink(new ByteArrayOutputStream()))
                .fit(data, new FitOptions().epochs(6).initialEpoch(3).batchSize(16).seed(2));
        for (var e : full.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toDoubleArray(), resumed.stateDict().get(e.getKey()).toDoubleArray(), e.getKey());
        }
    }

    @Test
    void classificationAccuracyOnSeparableData() {
        Generator g = new Generator(7);
        Tensor x = Tensor.randn(g, 300, 2);
        long[] labels = new long[300];
        double[] xs = x.toDoubleArray();
        for (int i = 0; i < 300; i++) labels[i] = xs[2 * i] + xs[2 * i + 1] > 0 ? 1 : 0;
        Layer model = new Sequential(new Linear(2, 8, g), new ReLU(), new Linear(8, 2, g));
        Trainer t = new Trainer(model, new Adam(model.parameters(), 1e-2), Losses::crossEntropy, Metric.ACCURACY)
                .output(sink(new ByteArrayOutputStream()));
        History h = t.fit(x, Tensor.of(labels), new FitOptions().epochs(30).batchSize(32));
        assertTrue(h.last("accuracy") > 0.95, "accuracy " + h.last("accuracy"));
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() {
        TensorDataset data = Synthetic.sample(Synthetic.RUNGE, 80, -1, 1, new Generator(1));
        Layer model = mlp(2);
        // a huge learning rate makes validation loss get worse quickly after the first epochs
        Trainer t = new Trainer(model, new SGD(model.parameters(), 3.0), Losses::mseLoss).output(sink(new ByteArrayOutputStream()));
        EarlyStopping stop = new EarlyStopping(2, true);
        List<Map<String, Tensor>> snapshots = new ArrayList<>();
        Callback record = new Callback() {
            @Override
            public void onEpochEnd(Trainer tr, int epoch, Map<String, Double> logs) {
                Map<String, Tensor> copy = new java.util.LinkedHashMap<>();
                tr.model().stateDict().forEach((k, v) -> copy.put(k, v.detach().copy()));
                snapshots.add(copy);
            }
        };
        History h;
        try {
            h = t.fit(data, new FitOptions().epochs(50).batchSize(80).validationSplit(0.25).callbacks(record, stop));
        } catch (NonFiniteException e) {
            return; // diverged before patience ran out: covered by the non-finite test
        }
        assertTrue(h.size() < 50, "stopped early after " + h.size() + " epochs");
        assertEquals(stop.stoppedEpoch() + 1, h.size());
        int best = stop.bestEpoch();
        double[] val = h.get("val_loss");
        for (double v : val) assertTrue(val[best] <= v);
        for (var e : snapshots.get(best).entrySet()) {
            assertArrayEquals(e.getValue().toDoubleArray(), model.stateDict().get(e.getKey()).toDoubleArray());
        }
    }

    @Test
    void nonFiniteLossStopsWithEpochBatchAndLayer() {
        TensorDataset data = Synthetic.sample(Synthetic.RUNGE, 64, -1, 1, new Generator(1));
        Layer model = mlp(2);
        Trainer t = new Trainer(model, new SGD(model.parameters(), 1e6), Losses::mseLoss).output(sink(new ByteArrayOutputStream()));
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> t.fit(data, new FitOptions().epochs(100).batchSize(8)));
        assertTrue(e.getMessage().matches("(?s).*epoch \\d+, batch \\d+.*"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*first layer with a non-finite gradient is \\d\\.(weight|bias).*"), e.getMessage());
    }

    @Test
    void progressPrintsOneLinePerEpochWhenNotATerminal() {
        TensorDataset data = Synthetic.sample(Synthetic.RUNGE, 30, -1, 1, new Generator(1));
        Layer model = mlp(2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Trainer(model, new Adam(model.parameters()), Losses::mseLoss, Metric.MSE).output(sink(bytes))
                .fit(data, new FitOptions().epochs(3).batchSize(10));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(3, lines.length, String.join("\n", lines));
        assertTrue(lines[2].startsWith("Epoch 3/3 3/3 ") && lines[2].contains("loss: ") && lines[2].contains("mse: "), lines[2]);
    }

    @Test
    void lrScheduleStepsEachEpoch() {
        TensorDataset data = Synthetic.sample(Synthetic.RUNGE, 20, -1, 1, new Generator(1));
        Layer model = mlp(2);
        SGD sgd = new SGD(model.parameters(), 0.1);
        History h = new Trainer(model, sgd, Losses::mseLoss).output(sink(new ByteArrayOutputStream()))
                .fit(data, new FitOptions().epochs(4).batchSize(20).callbacks(new LrSchedule(new StepLR(sgd, 2, 0.5))));
        // the lr each epoch trained with; StepLR(2, 0.5) halves it after every second epoch, as PyTorch
        assertArrayEquals(new double[] {0.1, 0.1, 0.05, 0.05}, h.get("lr"), 1e-15);
    }
}
