package dev.nabla.io.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.GanStep;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints of a step with several models: a GAN (two nets, two Adams, the latent noise, dropout) resumes bitwise. */
class GanCheckpointTest {
    // 48 "images" of 6 pixels in [-1, 1]
    private static final TensorDataset DATA = new TensorDataset(Tensor.rand(new Generator(5), 48, 6).mul(2).sub(1), null);

    private static GanStep gan(long seed, int hidden) {
        Generator g = new Generator(seed);
        Layer gen = new Sequential(new Linear(3, hidden, g), new BatchNorm1d(hidden), new LeakyReLU(0.2), new Linear(hidden, 6, g), new Tanh());
        Layer disc = new Sequential(new Linear(6, 8, g), new LeakyReLU(0.2), new Dropout(0.25, g), new Linear(8, 1, g));
        return new GanStep(gen, disc, new Adam(gen.parameters(), 2e-3, 0.5, 0.999, 1e-8, 0, false),
                new Adam(disc.parameters(), 2e-3, 0.5, 0.999, 1e-8, 0, false), 3, new Generator(seed + 1)).discriminatorSteps(2);
    }

    private static History fit(GanStep step, int from, int to, ModelCheckpoint... checkpoint) {
        return new Trainer(step).output(new PrintStream(OutputStream.nullOutputStream()))
                .fit(DATA, new FitOptions().epochs(to).initialEpoch(from).batchSize(8).seed(3).callbacks(checkpoint));
    }

    // every bit a GAN step changes: both nets' weights and BatchNorm statistics, both Adams' states, all generators
    private static Map<String, float[]> everything(GanStep step) {
        Map<String, float[]> out = new LinkedHashMap<>();
        step.models().forEach((name, m) -> m.stateDict().forEach((k, v) -> out.put(name + "/" + k, v.toType(DType.FLOAT32).toFloatArray())));
        step.optimizers().forEach((name, o) -> o.stateDict().forEach((k, v) -> out.put(name + " optim/" + k, v.toType(DType.FLOAT64).toFloatArray())));
        List<Generator> gens = new java.util.ArrayList<>(step.discriminator().generators());
        gens.addAll(step.generators().values());
        ModelCheckpointTest.putStates(out, gens);
        return out;
    }

    private static void assertSame(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) assertArrayEquals(expected.get(k), actual.get(k), k);
    }

    @Test
    void anInterruptedGanResumedEqualsAnUninterruptedOneBitwise(@TempDir Path dir) throws IOException {
        GanStep full = gan(1, 10);
        History all = fit(full, 0, 5);

        Path ckpt = dir.resolve("gan.safetensors");
        GanStep first = gan(1, 10);
        fit(first, 0, 2, new ModelCheckpoint(ckpt).state("note", () -> IntNode.valueOf(42)));

        GanStep resumed = gan(77, 10); // other weights and noise: all must come from the file
        ModelCheckpoint.Resumed r = ModelCheckpoint.restore(ckpt, resumed, List.of());
        assertEquals(2, r.epoch());
        assertEquals(all.epochs().subList(0, 2), r.history());
        assertEquals(42, r.state().get("note").intValue());
        History rest = fit(resumed, r.epoch(), 5, new ModelCheckpoint(ckpt).history(r.history()));

        assertSame(everything(full), everything(resumed));
        assertEquals(all.epochs().subList(2, 5), rest.epochs());
        assertEquals(all.epochs(), ModelCheckpoint.restore(ckpt, gan(1, 10), List.of()).history());
    }

    @Test
    void aCheckpointOfAnotherGanOrOfAPlainFitIsRefusedBeforeAnythingChanges(@TempDir Path dir) throws IOException {
        Path gan = dir.resolve("gan.safetensors"), wider = dir.resolve("wider.safetensors"), plain = dir.resolve("plain.safetensors");
        fit(gan(1, 10), 0, 1, new ModelCheckpoint(gan));
        fit(gan(1, 12), 0, 1, new ModelCheckpoint(wider));
        Layer m = new Sequential(new Linear(6, 1, new Generator(2)));
        new Trainer(m, new Adam(m.parameters(), 1e-2), Losses::mseLoss).output(new PrintStream(OutputStream.nullOutputStream()))
                .fit(new TensorDataset(DATA.inputs(), DATA.inputs().sum(1, true)),
                        new FitOptions().epochs(1).callbacks(new ModelCheckpoint(plain)));

        GanStep target = gan(9, 10);
        fit(target, 0, 1); // some optimizer state to keep
        Map<String, float[]> before = everything(target);
        var e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.restore(wider, target, List.of()));
        assertTrue(e.getMessage().contains("wider.safetensors") && e.getMessage().contains("generator does not fit")
                && e.getMessage().contains("[12, 3]") && e.getMessage().contains("nothing was changed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.restore(plain, target, List.of()));
        assertTrue(e.getMessage().contains("plain fit's checkpoint") && e.getMessage().contains("generator"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.restore(gan, target, List.of(new Generator(4))));
        assertTrue(e.getMessage().contains("2 random generators") && e.getMessage().contains("draws from 3"), e.getMessage());
        assertSame(before, everything(target));

        e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.resume(gan, m, new Adam(m.parameters())));
        assertTrue(e.getMessage().contains("[\"generator\",\"discriminator\"]") && e.getMessage().contains("not one model"), e.getMessage());
    }
}
