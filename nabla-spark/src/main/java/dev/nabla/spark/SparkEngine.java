package dev.nabla.spark;

import dev.nabla.data.Dataset;
import dev.nabla.data.Subset;
import dev.nabla.nn.Layer;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Loss;
import dev.nabla.train.Metric;
import dev.nabla.train.MicroBatches;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Synchronous data-parallel training on Apache Spark: an {@link MicroBatches.Engine} that
 * computes each step's micro-batches on the executors. Every step the driver broadcasts the
 * weights and buffers, cuts the micro-batches into one contiguous run per partition (partition
 * order, not arrival order), each executor computes its run on a model replica of its own and
 * sends back the aligned blocks of the micro-batch tree ({@link MicroBatches.TreeSum#blocks}), and
 * the driver adds them over the same tree and applies the optimizer. The result therefore has the
 * same bits as {@code fit} in one JVM with the same seed, batch size and micro-batch count, for
 * any number of executors and partitions.
 *
 * <pre>{@code
 * SparkEngine spark = new SparkEngine(sc, job, trainingData);
 * trainer.fit(trainingData, options.microBatches(8).engine(spark));
 * }</pre>
 *
 * A failed task is retried by Spark (it is a pure function of the broadcast state and the
 * indices, so a retry computes the same bits); the training data is read by each executor from
 * the job's recipe, and only indices go out and gradients come back.
 */
public final class SparkEngine implements MicroBatches.Engine {
    private final JavaSparkContext sc;
    private final TrainingJob job;
    private final Dataset driverData;
    private final int partitions;

    /**
     * An engine running job's micro-batches on sc's executors, in as many partitions as Spark's
     * default parallelism (at most one per micro-batch); {@code trainingData} is the dataset the
     * driver gives to fit, which the job's {@link TrainingJob#trainingData()} rebuilds on the executors.
     */
    public SparkEngine(JavaSparkContext sc, TrainingJob job, Dataset trainingData) {
        this(sc, job, trainingData, sc.defaultParallelism());
    }

    /** As above, in {@code partitions} partitions (at most one per micro-batch). */
    public SparkEngine(JavaSparkContext sc, TrainingJob job, Dataset trainingData, int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("SparkEngine: partitions " + partitions + " must be >= 1");
        this.sc = sc;
        this.job = job;
        this.driverData = trainingData;
        this.partitions = partitions;
    }

    /** The partitions a step's micro-batches are spread over (fewer when a step has fewer micro-batches). */
    public int partitions() {
        return partitions;
    }

    /** One partition's share of a step: micro-batches [from, from + indices.length). */
    record Run(int from, int[][] indices) implements Serializable {}

    @Override
    public MicroBatches.Part run(Layer model, Loss loss, List<Metric> metrics, Dataset data, int[][] microBatches,
                                 int globalBatch, long seed, long step) {
        int[][] global = indicesInto(driverData, data, microBatches);
        int m = global.length, p = Math.min(partitions, m);
        List<Run> runs = new ArrayList<>(p);
        for (int i = 0; i < p; i++) {
            int from = (int) ((long) i * m / p), to = (int) ((long) (i + 1) * m / p);
            runs.add(new Run(from, java.util.Arrays.copyOfRange(global, from, to)));
        }
        Broadcast<TensorArrays> state = sc.broadcast(TensorArrays.of(model.stateDict()));
        try {
            TrainingJob j = job;
            List<List<MicroBatches.Block>> blocks = sc.parallelize(runs, p)
                    .map(r -> compute(j, state.value(), r, globalBatch, seed, step))
                    .collect();
            MicroBatches.TreeSum sum = new MicroBatches.TreeSum();
            for (List<MicroBatches.Block> bs : blocks) for (MicroBatches.Block b : bs) sum.push(b);
            return sum.root();
        } finally {
            state.destroy();
        }
    }

    /**
     * Indices into data (root itself or a {@link Subset} of it, e.g. fit's training part after a
     * validation split) as indices into root, the dataset the executors rebuild.
     */
    static int[][] indicesInto(Dataset root, Dataset data, int[][] indices) {
        int[][] out = new int[indices.length][];
        for (int k = 0; k < out.length; k++) out[k] = indices[k].clone();
        Dataset d = data;
        while (d != root) {
            if (!(d instanceof Subset s)) {
                throw new IllegalArgumentException("Spark training: fit trains on " + data + ", which is not the engine's"
                        + " training data " + root + " or a subset of it; train on the dataset the engine was made with");
            }
            int[] map = s.indices();
            for (int[] mb : out) for (int i = 0; i < mb.length; i++) mb[i] = map[mb[i]];
            d = s.base();
        }
        return out;
    }

    /**
     * An executor thread's copy of the job (tasks of one executor run in parallel threads, each on
     * its own replica, since models and augmenting datasets hold state); one per thread, the last
     * job's, so a long-lived executor keeps no old job's data.
     */
    private record Replica(String key, Layer model, Dataset data, Loss loss, List<Metric> metrics) {}

    private static final ThreadLocal<Replica> REPLICA = new ThreadLocal<>();

    private static List<MicroBatches.Block> compute(TrainingJob job, TensorArrays state, Run run, int globalBatch, long seed, long step) {
        Replica r = REPLICA.get();
        if (r == null || !r.key().equals(job.key())) {
            REPLICA.remove(); // let the old replica go before the new one is read
            r = new Replica(job.key(), job.model(), job.trainingData(), job.loss(), job.metrics());
            REPLICA.set(r);
        }
        r.model().loadStateDict(state.toTensors());
        r.model().train();
        Map<String, Tensor> buffers = MicroBatches.snapshotBuffers(r.model());
        MicroBatches.TreeSum sum = new MicroBatches.TreeSum(run.from());
        for (int i = 0; i < run.indices().length; i++) {
            sum.push(MicroBatches.leaf(r.model(), r.loss(), r.metrics(), r.data(), run.indices()[i], globalBatch, seed, step,
                    run.from() + i, buffers));
        }
        return sum.blocks();
    }

}
