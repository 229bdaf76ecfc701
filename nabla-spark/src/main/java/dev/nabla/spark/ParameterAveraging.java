package dev.nabla.spark;

import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.train.History;
import dev.nabla.train.Loss;
import dev.nabla.train.Metric;
import dev.nabla.train.MicroBatches;
import dev.nabla.train.NonFiniteException;
import dev.nabla.train.Trainer;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The second mode of Spark training, for networks whose steps are too short to synchronize
 * every step: each of W workers trains its own copy for k local steps (its own optimizer, its
 * share of the shuffled batches: batch b goes to worker b mod W), then the driver averages the
 * weights, buffers and optimizer states (in worker order) and starts the next round from the
 * average (DL4J's parameter averaging). Fewer synchronizations, a different algorithm: the result
 * depends on W and k (it is the same bits for the same W, k and seed), and it is not the result of
 * {@code fit} in one JVM, unlike {@link SparkEngine}.
 */
public final class ParameterAveraging {
    private final JavaSparkContext sc;
    private final TrainingJob job;
    private final int workers, averageEvery;

    /** Averaging over workers copies every averageEvery local steps of each. */
    public ParameterAveraging(JavaSparkContext sc, TrainingJob job, int workers, int averageEvery) {
        if (workers < 1) throw new IllegalArgumentException("ParameterAveraging: workers " + workers + " must be >= 1");
        if (averageEvery < 1) {
            throw new IllegalArgumentException("ParameterAveraging: averageEvery " + averageEvery + " must be >= 1");
        }
        this.sc = sc;
        this.job = job;
        this.workers = workers;
        this.averageEvery = averageEvery;
    }

    /** What a worker sends back after a round: its weights and optimizer state, and its loss and metric totals. */
    record Result(TensorArrays weights, TensorArrays optimizer, double lossSum, int count, double[] metricSums,
                  double[] metricCounts) implements Serializable {}

    /** One worker's round: its batches (indices into the training data) and their global numbers (for dropout's seeds). */
    record Round(int[][] batches, long[] steps) implements Serializable {}

    /**
     * Trains model (the driver's copy, which ends with the averaged weights) with optimizer
     * (whose kind and settings the workers' copies take from the job) on train for the given
     * epochs; train is the job's training data as the driver holds it ({@code root}) or a subset of
     * it (its part left after a validation split). validation (may be null) is evaluated on the
     * driver after every epoch. Prints a line per epoch to out (null: silent).
     */
    public History fit(Layer model, Optimizer optimizer, Dataset root, Dataset train, Dataset validation, int epochs,
                       int batchSize, long seed, PrintStream out) {
        List<Metric> metrics = job.metrics();
        DataLoader loader = new DataLoader(train, batchSize, true, false, seed + 1);
        History history = new History();
        Trainer evaluator = new Trainer(model, optimizer, job.loss(), metrics.toArray(Metric[]::new));
        TrainingJob j = job;
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[][] batches = SparkEngine.indicesInto(root, train, loader.nextEpochIndices());
            double lossSum = 0;
            int count = 0;
            double[] sums = new double[metrics.size()], counts = new double[metrics.size()];
            int perWorker = (batches.length + workers - 1) / workers;
            for (int from = 0; from < perWorker; from += averageEvery) {
                List<Round> rounds = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    List<int[]> mine = new ArrayList<>();
                    List<Long> steps = new ArrayList<>();
                    for (int s = from; s < Math.min(perWorker, from + averageEvery); s++) {
                        int b = s * workers + w;
                        if (b < batches.length) {
                            mine.add(batches[b]);
                            steps.add((long) epoch * batches.length + b);
                        }
                    }
                    rounds.add(new Round(mine.toArray(int[][]::new), steps.stream().mapToLong(Long::longValue).toArray()));
                }
                Broadcast<TensorArrays[]> state = sc.broadcast(new TensorArrays[] {
                        TensorArrays.of(model.stateDict()), TensorArrays.of(optimizer.stateDict())});
                List<Result> results;
                try {
                    results = sc.parallelize(rounds, workers).map(r -> localSteps(j, state.value(), r, seed)).collect();
                } finally {
                    state.destroy();
                }
                List<TensorArrays> ws = new ArrayList<>(), os = new ArrayList<>();
                for (Result r : results) {
                    if (r.count() == 0) continue; // a worker with no batch this round (the epoch's tail) keeps out of the mean
                    ws.add(r.weights());
                    os.add(r.optimizer());
                    lossSum += r.lossSum();
                    count += r.count();
                    for (int m = 0; m < sums.length; m++) {
                        sums[m] += r.metricSums()[m];
                        counts[m] += r.metricCounts()[m];
                    }
                }
                if (!Double.isFinite(lossSum)) {
                    throw new NonFiniteException("the loss became " + lossSum + " in epoch " + (epoch + 1) + " of parameter"
                            + " averaging; try a smaller learning rate, averaging more often, or normalized inputs");
                }
                model.loadStateDict(TensorArrays.mean(ws, null).toTensors());
                optimizer.loadStateDict(TensorArrays.mean(os, ".step").toTensors()); // Adam's bias correction: the most steps
            }
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", lossSum / count);
            for (int m = 0; m < sums.length; m++) logs.put(metrics.get(m).name(), sums[m] / counts[m]);
            if (validation != null) logs.putAll(prefixed(evaluator.evaluate(validation, 1000)));
            history.add(logs);
            if (out != null) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "Epoch %d/%d (averaging %d workers every %d steps)",
                        epoch + 1, epochs, workers, averageEvery));
                for (var e : logs.entrySet()) line.append(String.format(Locale.ROOT, " - %s: %.4f", e.getKey(), e.getValue()));
                out.println(line);
            }
        }
        return history;
    }

    private static Map<String, Double> prefixed(Map<String, Double> logs) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (var e : logs.entrySet()) out.put("val_" + e.getKey(), e.getValue());
        return out;
    }

    /** A worker's copy of the job, kept between rounds in its task thread. */
    private record Replica(String key, Layer model, Optimizer optimizer, Dataset data, Loss loss, List<Metric> metrics) {}

    private static final ThreadLocal<Replica> REPLICA = new ThreadLocal<>();

    private static Result localSteps(TrainingJob job, TensorArrays[] state, Round round, long seed) {
        Replica r = REPLICA.get();
        if (r == null || !r.key().equals(job.key())) {
            REPLICA.remove();
            Layer model = job.model();
            r = new Replica(job.key(), model, job.optimizer(model.parameters()), job.trainingData(), job.loss(), job.metrics());
            REPLICA.set(r);
        }
        r.model().loadStateDict(state[0].toTensors());
        r.optimizer().loadStateDict(state[1].toTensors());
        r.model().train();
        double lossSum = 0;
        int count = 0;
        double[] sums = new double[r.metrics().size()], counts = new double[sums.length];
        for (int i = 0; i < round.batches().length; i++) {
            int[] batch = round.batches()[i];
            r.optimizer().zeroGrad();
            MicroBatches.Part part = MicroBatches.LOCAL.run(r.model(), r.loss(), r.metrics(), r.data(), new int[][] {batch},
                    batch.length, seed, round.steps()[i]);
            r.optimizer().step();
            lossSum += part.loss() * batch.length;
            count += batch.length;
            for (int m = 0; m < sums.length; m++) {
                sums[m] += part.metricSum(m);
                counts[m] += part.metricCount(m);
            }
        }
        return new Result(TensorArrays.of(r.model().stateDict()), TensorArrays.of(r.optimizer().stateDict()), lossSum, count,
                sums, counts);
    }
}
