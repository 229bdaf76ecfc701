package dev.nabla.spark;

import dev.nabla.data.Dataset;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A Spark context and the engine that trains on it, for the command line: {@code nabla train
 * SPEC --spark local[2]} starts one, or {@code --spark} alone under {@code spark-submit}, which
 * gives the master. Close it to stop the context.
 */
public final class SparkTraining implements AutoCloseable {
    private final JavaSparkContext sc;
    private final TrainingJob job;
    private final SparkEngine engine;

    private SparkTraining(JavaSparkContext sc, TrainingJob job, SparkEngine engine) {
        this.sc = sc;
        this.job = job;
        this.engine = engine;
    }

    /**
     * Starts a context on master (empty: the one spark-submit set) and an engine for job, whose
     * training data on the driver is driverData; partitions null means Spark's default parallelism.
     */
    public static SparkTraining start(String master, Integer partitions, TrainingJob job, Dataset driverData) {
        SparkConf conf = new SparkConf().setAppName("nabla " + job.key().replaceFirst(":.*", ""))
                .setIfMissing("spark.ui.enabled", "false");
        if (!master.isEmpty()) conf.setMaster(master);
        if (master.startsWith("local")) {
            // local mode: everything on this machine's loopback, whatever its host name resolves to
            conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        int p = partitions != null ? partitions : sc.defaultParallelism();
        return new SparkTraining(sc, job, new SparkEngine(sc, job, driverData, p));
    }

    /** The engine to give fit ({@code options.engine(training.engine())}). */
    public SparkEngine engine() {
        return engine;
    }

    /** Parameter averaging instead of synchronous steps: one worker per partition, averaging every k local steps. */
    public ParameterAveraging averaging(int k) {
        return new ParameterAveraging(sc, job, engine.partitions(), k);
    }

    /** Where the job runs, e.g. "local[2] (2 partitions)". */
    public String describe() {
        return sc.master() + " (" + engine.partitions() + " partitions)";
    }

    @Override
    public void close() {
        sc.close();
    }
}
