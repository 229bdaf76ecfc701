package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.io.spec.ModelSpec;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GanTrainingTest {
    /** 28×28 IDX files named as Fashion-MNIST's: a horizontal bar at a height given by the label (i % 10). */
    private static void writeImages(Path folder, int train, int test) throws IOException {
        Files.createDirectories(folder);
        for (String set : new String[] {"train", "t10k"}) {
            int count = set.equals("train") ? train : test;
            ByteBuffer images = ByteBuffer.allocate(16 + count * 784).putInt(0x803).putInt(count).putInt(28).putInt(28);
            ByteBuffer labels = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
            for (int i = 0; i < count; i++) {
                int label = i % 10;
                for (int p = 0; p < 784; p++) images.put((byte) (p / 28 / 3 == label ? 220 : (i + p) % 17));
                labels.put((byte) label);
            }
            Files.write(folder.resolve(set + "-images-idx3-ubyte"), images.array());
            Files.write(folder.resolve(set + "-labels-idx1-ubyte"), labels.array());
        }
    }

    private record Run(int code, String out, String err) {}

    // nabla train SPEC (a file, or the name of an example) --data data --score-images 50 more...
    private static Run train(String spec, Path data, String... more) {
        PrintStream stdout = System.out, stderr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        String file = spec.contains("/") ? spec : Path.of("..", "examples", spec).toString();
        List<String> args = new ArrayList<>(List.of("train", file, "--data",
                data.toString(), "--score-images", "50"));
        args.addAll(List.of(more));
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute(args.toArray(String[]::new));
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void theMlpGanExampleRunsAnEpochOnASmallSubsetAndReportsEverything(@TempDir Path dir) throws IOException {
        writeImages(dir.resolve("data"), 96, 40);
        Path out = dir.resolve("out");
        Run run = train("gan-fashion.json", dir.resolve("data"), "--epochs", "1", "--out", out.toString());
        String text = run.out();
        assertEquals(0, run.code(), run.err() + text);
        for (String s : new String[] {"Epoch 1/1", "d_loss: ", "g_loss: ", "D(x): ", "D(G(z)): ", "s per epoch",
                "classifier test accuracy: ", "(50 images; predicted classes: T-shirt/top ", "(40 images;"}) {
            assertTrue(text.contains(s), s + " in\n" + text);
        }
        for (String what : new String[] {"generated", "real"}) {
            Matcher m = Pattern.compile("score \\(" + what + "\\): ([0-9.]+)").matcher(text);
            assertTrue(m.find(), what + " score in\n" + text);
            double score = Double.parseDouble(m.group(1));
            assertTrue(score >= 1 && score <= 10, what + " score " + score);
        }
        for (String png : new String[] {"samples-epoch-1.png", "samples-by-epoch.png", "losses.png", "discriminator.png"}) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertTrue(img.getWidth() > 100, png);
        }
        var generator = SavedModel.load(out.resolve("generator.safetensors")).model();
        assertArrayEquals(new int[] {2, 1, 28, 28}, generator.eval().forward(Tensor.zeros(2, 100)).shape());
        assertArrayEquals(new int[] {1}, SavedModel.load(out.resolve("discriminator.safetensors")).outputShape());
        assertEquals(10, SavedModel.load(out.resolve("classifier.safetensors")).outputShape()[0]);
    }

    private static Map<String, Tensor> weights(Path file) throws IOException {
        return SavedModel.load(file).model().stateDict();
    }

    /** Killed after epoch 1 of 2 and resumed: the same nets, sample grids, curves' data and scores as a run without a stop. */
    @Test
    void aGanResumedFromItsCheckpointEndsAsAnUninterruptedRun(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data"), full = dir.resolve("full"), cut = dir.resolve("cut");
        writeImages(data, 64, 20);
        // with a dropout in D so that its generator is resumed too, and a weight average of G (which the samples
        // and scores then use)
        String spec = smallGan(dir, "\"generatorEma\": 0.9");
        String classifier = untrainedClassifier(dir);
        Run a = train(spec, data, "--epochs", "2", "--out", full.toString(), "--classifier", classifier);
        assertEquals(0, a.code(), a.err() + a.out());
        Run b = train(spec, data, "--epochs", "1", "--out", cut.toString(), "--classifier", classifier);
        assertEquals(0, b.code(), b.err() + b.out());
        Run c = train(spec, data, "--epochs", "2", "--out", cut.toString(), "--classifier", classifier, "--resume");
        assertEquals(0, c.code(), c.err() + c.out());
        assertTrue(c.out().contains("resumed from " + cut.resolve("checkpoint.safetensors") + " after epoch 1"), c.out());
        assertTrue(c.out().contains("Epoch 2/2") && !c.out().contains("Epoch 1/2"), c.out());
        assertTrue(a.out().contains("the samples and the score use the generator's weight average (decay 0.9)"), a.out());
        for (String net : new String[] {"generator.safetensors", "discriminator.safetensors", "generator-ema.safetensors"}) {
            Map<String, Tensor> x = weights(full.resolve(net)), y = weights(cut.resolve(net));
            assertEquals(x.keySet(), y.keySet());
            for (String k : x.keySet()) assertArrayEquals(x.get(k).toFloatArray(), y.get(k).toFloatArray(), net + " " + k);
        }
        for (String png : new String[] {"samples-epoch-1.png", "samples-epoch-2.png", "samples-by-epoch.png", "losses.png"}) {
            assertArrayEquals(Files.readAllBytes(full.resolve(png)), Files.readAllBytes(cut.resolve(png)), png);
        }
        for (String what : new String[] {"score (generated): ", "score (real): "}) {
            String line = a.out().lines().filter(l -> l.startsWith(what)).findFirst().orElseThrow();
            assertTrue(c.out().contains(line), line + " in\n" + c.out());
        }

        Run wrong = train("dcgan-fashion.json", data, "--out", cut.toString(), "--resume");
        assertEquals(1, wrong.code(), wrong.out());
        assertTrue(wrong.err().contains("--resume: ") && wrong.err().contains("resume with the step that saved it")
                && !wrong.err().contains("\tat "), wrong.err());
    }

    // the MLP GAN example made small (fast), with a dropout in D and the given extra training keys
    private static String smallGan(Path dir, String training) throws IOException {
        return Files.writeString(dir.resolve("small-gan.json"), Files.readString(Path.of("..", "examples", "gan-fashion.json"))
                .replace("\"units\": 256}", "\"units\": 16}").replace("\"units\": 512}", "\"units\": 16}")
                .replace("\"units\": 1024}", "\"units\": 16}")
                .replace("{\"type\": \"flatten\"},", "{\"type\": \"flatten\"}, {\"type\": \"dropout\", \"rate\": 0.2},")
                .replace("\"classifierEpochs\": 3", "\"classifierEpochs\": 1")
                .replace("\"samples\": 64", "\"samples\": 64, " + training)).toString();
    }

    // the score's network, untrained (where the scores need only be equal): no classifier training
    private static String untrainedClassifier(Path dir) throws IOException {
        JsonNode cnn = new ObjectMapper().readTree(GanTraining.CLASSIFIER);
        return new SavedModel(ModelSpec.build(cnn, "classifier", new Generator(1)).model(), 1, 28, 28).spec(cnn)
                .save(dir.resolve("classifier.safetensors")).toString();
    }

    /** "lrDecayFrom": both rates constant until that epoch, then down to 0 at the end; it must start before the end. */
    @Test
    void theLearningRatesFallToZeroFromTheGivenEpoch(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        writeImages(data, 64, 20);
        String spec = smallGan(dir, "\"lrDecayFrom\": 1"), classifier = untrainedClassifier(dir);
        Run run = train(spec, data, "--epochs", "2", "--out", dir.resolve("out").toString(), "--classifier", classifier);
        assertEquals(0, run.code(), run.err() + run.out());
        Matcher m = Pattern.compile("Epoch (\\d)/2 .* generator_lr: ([0-9.e-]+) - discriminator_lr: ([0-9.e-]+)").matcher(run.out());
        List<String> rates = new ArrayList<>();
        while (m.find()) rates.add(m.group(1) + ": " + Double.parseDouble(m.group(2)) + " " + Double.parseDouble(m.group(3)));
        assertEquals(List.of("1: 2.0E-4 2.0E-4", "2: 0.0 0.0"), rates, run.out());
        Run early = train(spec, data, "--epochs", "1", "--out", dir.resolve("out2").toString(), "--classifier", classifier);
        assertEquals(2, early.code(), early.out());
        assertTrue(early.err().contains("training.lrDecayFrom is 1.0 but the training has 1 epochs") && !early.err().contains("\tat "),
                early.err());
    }
}
