package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.dashboard.tensorboard.TfRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla train --tensorboard DIR}: the runs, their files and tags (the values are TensorBoardLoggerTest's business). */
class TensorBoardOptionTest {
    private static String records(Path runDir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(runDir)) {
            files = s.toList();
        }
        assertEquals(1, files.size(), files.toString());
        assertTrue(files.get(0).getFileName().toString().startsWith("events.out.tfevents."), files.toString());
        StringBuilder all = new StringBuilder();
        for (byte[] r : TfRecord.read(files.get(0))) all.append(new String(r, StandardCharsets.ISO_8859_1)).append('\n');
        return all.toString();
    }

    @Test
    void trainWritesTrainAndValidationRuns(@TempDir Path dir) throws IOException {
        Path tb = dir.resolve("tb");
        var r = CliRun.run("train", "../examples/runge.json", "--epochs", "2", "--out", dir.resolve("out").toString(),
                "--tensorboard", tb.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("TensorBoard event files: " + tb), r.out());
        String train = records(tb.resolve("train")), validation = records(tb.resolve("validation"));
        for (String tag : List.of("batch_loss", "batch_mae", "batch_learning_rate", "epoch_loss", "epoch_mae", "epoch_learning_rate",
                "grad_norm/0", "grad_norm/8", "weight_norm/8", "weights/0.weight", "gradients/8.bias")) {
            assertTrue(train.contains(tag), tag);
        }
        assertTrue(validation.contains("epoch_loss") && validation.contains("epoch_mae") && !validation.contains("batch_"), validation);
        assertTrue(!train.contains("predictions") && !train.contains("dead_relu"), "no images or ReLUs in a Runge net");
    }
}
