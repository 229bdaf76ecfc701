package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla train} on a language-model spec and {@code nabla predict} on the file it saves: a
 * small repetitive text that a model learns far better than word frequencies do, the model file
 * read back giving the same guesses, seeded generation, and the errors of a bad spec or text.
 */
class NextWordCommandsTest {
    private static final String SPEC = """
            {"name": "tiny", "seed": 1,
             "data": {"type": "text", "path": "%s", "minCount": 1, "validationSplit": 0.1, "testSplit": 0.2},
             "model": {"context": 2, "embedding": 8, "layers": [{"type": "linear", "units": 16, "activation": "tanh"}],
                       "output": "%s"},
             "optimizer": {"type": "adam", "lr": 0.02},
             "training": {"epochs": 4, "batchSize": 16}}
            """;

    private static Path corpus(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        String[] lines = {"a penny saved is a penny earned.", "the cat sat on the mat.", "the dog ran in the park.",
                "a stitch in time saves nine."};
        for (int i = 0; i < 60; i++) sb.append(lines[i % lines.length]).append("\n%\n");
        return Files.writeString(dir.resolve("text.txt"), sb.toString());
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " not in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void trainsBeatsTheUnigramBaselineSavesAndPredicts(@TempDir Path dir) throws IOException {
        Path text = corpus(dir);
        for (String output : new String[] {"hierarchical_softmax", "softmax"}) {
            Path spec = Files.writeString(dir.resolve(output + ".json"), SPEC.formatted(text, output));
            Path out = dir.resolve("out-" + output);
            CliRun.Output r = CliRun.run("train", spec.toString(), "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            double model = number(r.out(), "model ([0-9.]+), unigram");
            double unigram = number(r.out(), "unigram baseline ([0-9.]+)");
            assertTrue(model < 0.5 * unigram, r.out());
            Path file = out.resolve("model.safetensors");
            assertTrue(Files.isRegularFile(file));
            String trained = r.out().lines().filter(l -> l.startsWith("after \"a penny saved is\": ")).findFirst().orElseThrow();
            CliRun.Output p = CliRun.run("predict", file.toString(), "a penny saved is");
            assertEquals(0, p.code(), p.err());
            assertEquals(trained.substring(trained.indexOf(": ") + 2), p.out().strip(), "the saved model predicts as the trained one");
            assertTrue(p.out().startsWith("a "), p.out());
        }
        Path file = dir.resolve("out-hierarchical_softmax/model.safetensors");
        String g1 = CliRun.run("predict", file.toString(), "the", "--generate", "8", "--seed", "4").out();
        String g2 = CliRun.run("predict", file.toString(), "the", "--generate", "8", "--seed", "4").out();
        assertEquals(g1, g2, "seeded generation repeats");
        assertTrue(g1.startsWith("the "), g1);
        String cold = CliRun.run("predict", file.toString(), "the", "--generate", "8", "--seed", "4", "--temperature", "5").out();
        assertNotEquals(g1, cold);
    }

    @Test
    void badSpecsAndTextsAreClearErrors(@TempDir Path dir) throws IOException {
        Path text = corpus(dir);
        Path spec = Files.writeString(dir.resolve("bad.json"), SPEC.formatted(text, "sampled_softmax"));
        CliRun.Output r = CliRun.run("train", spec.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("$.model.output") && r.err().contains("hierarchical_softmax"), r.err());
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        Path spec2 = Files.writeString(dir.resolve("empty.json"), SPEC.formatted(empty, "softmax"));
        CliRun.Output e = CliRun.run("train", spec2.toString());
        assertEquals(1, e.code());
        assertTrue(e.err().contains("empty.txt") && e.err().contains("no word"), e.err());
        CliRun.Output m = CliRun.run("predict", dir.resolve("none.safetensors").toString(), "hi");
        assertNotEquals(0, m.code());
        assertTrue(m.err().contains("none.safetensors") && m.err().contains("no such file") && m.err().contains("nabla train")
                && !m.err().contains("Exception"), m.err());
    }
}
