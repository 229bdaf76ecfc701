package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla train SPEC --spark local[2]} saves the very bytes a one-JVM run saves. */
class SparkTrainTest {
    private static Path weights(Path out) {
        Path single = out.resolve("model.safetensors");
        return Files.exists(single) ? single : out.resolve("model/model.safetensors");
    }

    @Test
    void sparkAndOneJvmSaveTheSameModel(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("runge-micro.json");
        Files.writeString(spec, Files.readString(Path.of("..", "examples", "runge.json"))
                .replace("\"batchSize\": 39", "\"batchSize\": 39, \"microBatches\": 3"));
        assertTrue(Files.readString(spec).contains("\"microBatches\": 3"), "the spec names its micro-batches");
        CliRun.Output local = CliRun.run("train", spec.toString(), "--epochs", "4", "--out", dir.resolve("local").toString());
        assertEquals(0, local.code(), local.err());
        CliRun.Output spark = CliRun.run("train", spec.toString(), "--epochs", "4", "--out", dir.resolve("spark").toString(),
                "--spark", "local[2]", "--partitions", "3");
        assertEquals(0, spark.code(), spark.err());
        assertTrue(spark.out().contains("training on Spark local[2] (3 partitions), 3 micro-batches per step"), spark.out());
        assertArrayEquals(Files.readAllBytes(weights(dir.resolve("local"))), Files.readAllBytes(weights(dir.resolve("spark"))));
    }

    @Test
    void parameterAveragingKeepsItsHistoryAndPlot(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("avg");
        CliRun.Output r = CliRun.run("train", Path.of("..", "examples", "runge.json").toString(), "--epochs", "2",
                "--out", out.toString(), "--spark", "local[2]", "--average-every", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("by parameter averaging every 4 local steps") && r.out().contains("final: loss "), r.out());
        assertEquals(3, Files.readAllLines(out.resolve("history.csv")).size(), "a header and 2 epochs");
        CliRun.assertPng(out.resolve("loss.png"), 800, 500);
    }

    @Test
    void badPartitionsAreAUsageError(@TempDir Path dir) {
        CliRun.Output r = CliRun.run("train", Path.of("..", "examples", "runge.json").toString(), "--epochs", "1",
                "--out", dir.toString(), "--spark", "local[1]", "--partitions", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--partitions 0 must be >= 1"), r.err());
    }
}
