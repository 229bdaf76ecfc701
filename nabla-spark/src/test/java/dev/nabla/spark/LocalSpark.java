package dev.nabla.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A Spark context on this machine's loopback for the tests and ScaleBench, logging warnings only. */
final class LocalSpark {
    private LocalSpark() {}

    static JavaSparkContext context(String master) {
        JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster(master).setAppName("nabla-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
        sc.setLogLevel("WARN");
        return sc;
    }
}
