package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.spec.SavedModel;
import dev.nabla.nn.Linear;
import dev.nabla.tensor.Generator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mistakes a user can make on the command line, each run in-process: the exit code (2 for
 * usage, 1 for a failure), the words of the message (file, option or value, what is wrong, what to
 * do), at most two lines plus picocli's suggestion, and never a stack frame.
 */
class MistakesTest {
    private static final Path RUNGE = Path.of("..", "examples", "runge.json");

    /** One mistake: what it is, the arguments, the exit code, words the message must hold and words it must not. */
    record Mistake(String what, List<String> args, int code, List<String> says, List<String> never) {}

    @Test
    void everyMistakeEndsInAClearMessageAndExitCode(@TempDir Path d) throws IOException {
        String runge = Files.readString(RUNGE);
        Function<String[], String> spec = pairs -> {
            String s = runge;
            for (int i = 0; i < pairs.length; i += 2) {
                assertTrue(s.contains(pairs[i]), pairs[i]);
                s = s.replace(pairs[i], pairs[i + 1]);
            }
            return s;
        };
        TrainCommandTest.writeIdx(d.resolve("idx"), 50, 20);
        writeIdx(d.resolve("empty"), "train", 0, 6, 6);
        writeIdx(d.resolve("empty"), "t10k", 5, 6, 6);
        writeIdx(d.resolve("shapes"), "train", 10, 6, 6);
        writeIdx(d.resolve("shapes"), "t10k", 10, 5, 5);
        Path file = Files.writeString(d.resolve("a-file"), "");
        String idx = TrainCommandTest.TINY_IDX;

        List<Mistake> table = new ArrayList<>();
        table.add(m("a spec file that does not exist", 2, List.of("train", d.resolve("nonexistent.json").toString()),
                "nonexistent.json: no such file", "examples/runge.json"));
        table.add(m("a folder instead of a spec file", 2, List.of("train", d.toString()), "is a folder", "give a spec file"));
        table.add(m("no spec at all", 2, List.of("train"), "Missing required parameter", "SPEC.json"));
        table.add(m("--epochs 0", 2, args(d, "train", RUNGE, "--epochs", "0"), "--epochs 0", "at least 1 epoch"));
        table.add(m("--epochs -3 to diagnose", 2, args(d, "diagnose", RUNGE, "--epochs", "-3"), "--epochs -3", "at least 1"));
        table.add(m("--epochs that is not a number", 2, args(d, "train", RUNGE, "--epochs", "ten"), "--epochs", "'ten'"));
        table.add(m("a misspelt option", 2, args(d, "train", RUNGE, "--epoch", "3"), "--epoch"));
        table.add(m("--out naming a file", 2, List.of("train", RUNGE.toString(), "--out", file.toString()),
                "--out " + file, "is a file", "give a folder"));
        table.add(m("--out inside a file", 2, List.of("lr-find", RUNGE.toString(), "--out", file.resolve("sub").toString()),
                file + " is a file"));
        table.add(m("a 10^6 x 10^6 layer", 2, args(d, "train", write(d, "huge.json", spec.apply(new String[] {
                "\"units\": 20, \"activation\": \"tanh\"}", "\"units\": 1000000}, {\"type\": \"linear\", \"units\": 1000000}"}))),
                "huge.json", "$.model.layers", "[1000000, 1000000]", "make it smaller"));
        table.add(m("a negative learning rate", 2, args(d, "train", write(d, "neg.json", spec.apply(new String[] {
                "\"lr\": 0.01", "\"lr\": -0.01"}))), "neg.json", "$.optimizer", "learning rate -0.01", ">= 0"));
        table.add(m("Adam's beta1 1.5", 2, args(d, "train", write(d, "beta.json", spec.apply(new String[] {
                "\"lr\": 0.01", "\"lr\": 0.01, \"betas\": [1.5, 0.999]"}))), "$.optimizer", "beta1 1.5", "[0, 1)"));
        table.add(m("SGD's momentum -1", 2, args(d, "lr-find", write(d, "mom.json", spec.apply(new String[] {
                "\"type\": \"adam\", \"lr\": 0.01", "\"type\": \"sgd\", \"lr\": 0.01, \"momentum\": -1"}))), "momentum -1.0"));
        table.add(m("an output width that does not match the targets", 2, args(d, "train", write(d, "width.json",
                spec.apply(new String[] {"{\"type\": \"linear\", \"units\": 1}", "{\"type\": \"linear\", \"units\": 3}"}))),
                "$.model.layers", "shape [3]", "1 target value", "needs 1 unit"));
        table.add(m("MSE on class labels", 2, args(d, "train", write(d, "mse-labels.json",
                idx.replace("\"cross_entropy\"", "\"mse\""))), "$.loss", "\"mse\" compares values", "class labels", "cross_entropy"));
        table.add(m("cross entropy on values", 2, args(d, "train", write(d, "ce-values.json", spec.apply(new String[] {
                "\"loss\": \"mse\"", "\"loss\": \"cross_entropy\""}))), "$.loss", "needs class labels", "\"mse\""));
        table.add(m("7 outputs for 10 classes", 2, args(d, "train", write(d, "classes.json",
                idx.replace("\"units\": 10", "\"units\": 7"))), "shape [7]", "10 classes", "needs 10 units"));
        table.add(new Mistake("a JSON syntax error", args(d, "train", write(d, "syntax.json", "{\"name\": \"x\",, }")), 2,
                List.of("syntax.json", "line 1, column 14", "double-quote"), List.of("code 44", "Source")));
        table.add(new Mistake("an unclosed JSON object", List.of("summary", write(d, "open.json", "{\"name\": \"x\",\n \"seed\": 1").toString()),
                2, List.of("line 2", "Unexpected end-of-input", "opened at line 1, column 1"), List.of("Source", "StreamReadFeature")));
        table.add(m("a duplicate JSON key", 2, args(d, "train", write(d, "dup.json", spec.apply(new String[] {
                "\"loss\": \"mse\"", "\"loss\": \"mse\", \"loss\": \"l1\""}))), "dup.json", "\"loss\" appears twice"));
        table.add(m("a name that climbs out of out/", 2, args(d, "train", write(d, "climb.json", spec.apply(new String[] {
                "\"name\": \"runge\"", "\"name\": \"../../../tmp/x\""}))), "$.name", "\"../../../tmp/x\" is not a plain file name"));
        table.add(m("a name with a separator", 2, args(d, "diagnose", write(d, "slash.json", spec.apply(new String[] {
                "\"name\": \"runge\"", "\"name\": \"a/b\""}))), "\"a/b\" is not a plain file name"));
        table.add(m("an empty name", 2, args(d, "train", write(d, "empty-name.json", spec.apply(new String[] {
                "\"name\": \"runge\"", "\"name\": \"\""}))), "\"\" is not a plain file name"));
        table.add(m("an IDX set with 0 training images", 1, args(d, "train", write(d, "idx.json", idx), "--data",
                d.resolve("empty").toString()), "train-images-idx3-ubyte: holds 0 images"));
        table.add(new Mistake("test images of another size, named as on disk", args(d, "train", d.resolve("idx.json"), "--data",
                d.resolve("shapes").toString()), 1, List.of("t10k-images-idx3-ubyte: holds images of [1, 5, 5]"), List.of(".gz")));
        table.add(m("no data installed", 1, args(d, "train", d.resolve("idx.json")), "no-such-folder", "apt-get install"));
        table.add(m("lr-find with 2 steps", 2, args(d, "lr-find", RUNGE, "--steps", "2"), "--steps 2", "at least 3 steps"));
        table.add(m("lr-find from a rate of 0", 2, args(d, "lr-find", RUNGE, "--start", "0"), "--start 0.0 --end 10.0",
                "0 < start < end"));
        table.add(m("--data for data sampled from a function", 2, args(d, "train", RUNGE, "--data", d.toString()),
                "$.data.type", "leave --data out"));
        if (Files.isDirectory(Path.of("/proc"))) {
            table.add(m("--out on a file system nobody can write", 2, List.of("train", RUNGE.toString(), "--out", "/proc/nabla"),
                    "--out /proc/nabla: nabla cannot write in /proc"));
        }
        table.add(m("a negative L2 strength", 2, args(d, "curves", RUNGE, "--vary", "l2", "--l2", "-1"), "L2 strength -1.0"));
        table.add(m("gd with -1 steps", 2, List.of("gd", "x^2", "--steps", "-1"), "--steps must be in 0..10000000, got -1"));
        table.add(m("an unknown function to optimize", 2, List.of("optimize", "nosuch"), "'nosuch' is neither a built-in function (rosenbrock", "unknown name 'nosuch'"));
        table.add(m("a spec without data", 2, args(d, "train", Path.of("..", "examples", "vgg16.json")),
                "vgg16.json: $: missing required key \"data\""));
        table.add(m("a validation split that leaves nothing", 2, args(d, "train", write(d, "one-point.json",
                spec.apply(new String[] {"\"points\": 200", "\"points\": 1"}))), "$.training.validationSplit", "0.3 of 1 examples"));
        Path binary = d.resolve("binary.json");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, '{'});
        table.add(m("a spec that is not text", 2, args(d, "train", binary), "binary.json: $: not UTF-8 text"));
        table.add(m("a spec that is a JSON array", 2, args(d, "train", write(d, "array.json", "[1, 2]")), "array.json: $: expected a JSON object"));
        table.add(m("curves without validation data", 2, args(d, "curves", write(d, "noval.json", spec.apply(new String[] {
                "\"validationSplit\": 0.3", "\"validationSplit\": 0", "\"testPoints\": 100", "\"testPoints\": 0"})),
                "--vary", "l2"), "neither a validation split nor test data"));
        table.add(m("explain with both --sheet and --spec", 2, List.of("explain", "--sheet", "--spec", RUNGE.toString()),
                "either --sheet or --spec"));
        table.add(m("an unknown course program", 2, List.of("course", "no-such-program"), "no program 'no-such-program'"));
        table.add(m("an unfinished expression", 2, List.of("gd", "x^", "--out", d.resolve("gd").toString()), "expression ended"));
        table.add(m("summary of a folder", 2, List.of("summary", d.toString()), "is a folder"));
        // the commands that use a trained model
        Path noModel = d.resolve("nowhere").resolve("model.safetensors");
        table.add(m("evaluate of a model file that does not exist", 2, List.of("evaluate", noModel.toString()),
                noModel + ": no such file", "./nabla train writes out/<name>/model.safetensors"));
        table.add(m("predict with a model file that does not exist", 2, List.of("predict", noModel.toString(), "1"),
                noModel + ": no such file"));
        Path model = new SavedModel(new Linear(2, 3, new Generator(1)), 2).save(d.resolve("model"));
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 5] ^= 4; // a flipped bit in the weights
        Path corrupted = Files.write(d.resolve("corrupted.safetensors"), bytes);
        table.add(m("evaluate of a corrupted model file", 1, List.of("evaluate", corrupted.toString()), corrupted + ": ", "SHA-256"));
        table.add(m("predict with a corrupted model file", 1, List.of("predict", corrupted.toString(), "1,2"), corrupted + ": ",
                "SHA-256"));
        table.add(m("evaluate of a file that is not a model", 1, List.of("evaluate", file.toString()), file.toString()));
        table.add(m("predict with --top 0", 2, List.of("predict", model.toString(), "1,2", "--top", "0"), "--top 0", "at least 1"));
        table.add(m("export without --onnx", 2, List.of("export", model.toString()), "Missing required option", "--onnx"));
        table.add(m("export with --mean but no --std", 2, List.of("export", model.toString(), "--onnx",
                d.resolve("m.onnx").toString(), "--mean", "0.5"), "both --mean and --std"));
        table.add(m("import of an ONNX file that does not exist", 2, List.of("import", d.resolve("no.onnx").toString(), "--out",
                d.resolve("imported").toString()), "no.onnx: no such file"));
        table.add(m("import of a file that is not ONNX", 1, List.of("import", write(d, "text.onnx", "not onnx").toString(), "--out",
                d.resolve("imported").toString()), "text.onnx"));
        // training options of model-file and Spark
        table.add(m("--resume with no checkpoint", 1, args(d, "train", RUNGE, "--resume"), "--resume: no checkpoint",
                "train without --resume"));
        table.add(m("--partitions 0", 2, args(d, "train", RUNGE, "--spark", "local[1]", "--partitions", "0"),
                "--partitions 0 must be >= 1"));
        table.add(m("--average-every without --spark", 2, args(d, "train", RUNGE, "--average-every", "4"),
                "--average-every 4 needs --spark"));
        table.add(m("--average-every 0", 2, args(d, "train", RUNGE, "--spark", "local[1]", "--average-every", "0"),
                "--average-every 0 must be >= 1"));

        List<Executable> checks = new ArrayList<>();
        for (Mistake k : table) {
            CliRun.Output r = CliRun.run(k.args().toArray(new String[0]));
            checks.add(() -> {
                String where = k.what() + ": " + String.join(" ", k.args()) + "\n" + r.err();
                assertEquals(k.code(), r.code(), where);
                for (String s : k.says()) assertTrue(r.err().contains(s), "'" + s + "' missing; " + where);
                for (String s : k.never()) assertFalse(r.err().contains(s), "'" + s + "' printed; " + where);
                assertNoStackTrace(r, where);
                assertTrue(r.err().lines().count() <= 3, "more than 2 lines (and a suggestion); " + where);
            });
        }
        assertAll(checks);
    }

    static void assertNoStackTrace(CliRun.Output r, String where) {
        for (String s : new String[] {"\tat ", "Exception", "java.", "Caused by"}) {
            assertFalse(r.err().contains(s) || r.out().contains(s), "'" + s + "' printed; " + where);
        }
    }

    private static Mistake m(String what, int code, List<String> args, String... says) {
        return new Mistake(what, args, code, List.of(says), List.of());
    }

    // the command, its spec, any options, and --out in the temporary folder
    private static List<String> args(Path d, String command, Path spec, String... more) {
        List<String> a = new ArrayList<>(List.of(command, spec.toString()));
        a.addAll(List.of(more));
        a.addAll(List.of("--out", d.resolve("out").toString()));
        return a;
    }

    private static Path write(Path d, String name, String text) throws IOException {
        return Files.writeString(d.resolve(name), text);
    }

    /** IDX images and labels of count h×w images, named as Fashion-MNIST's files but not gzipped. */
    static void writeIdx(Path folder, String set, int count, int h, int w) throws IOException {
        Files.createDirectories(folder);
        ByteBuffer im = ByteBuffer.allocate(16 + count * h * w).putInt(0x803).putInt(count).putInt(h).putInt(w);
        ByteBuffer lb = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
        for (int i = 0; i < count; i++) lb.put((byte) (i % 10));
        Files.write(folder.resolve(set + "-images-idx3-ubyte"), im.array());
        Files.write(folder.resolve(set + "-labels-idx1-ubyte"), lb.array());
    }

    @Test
    void debugPrintsTheStackTraceToo() {
        CliRun.Output r = CliRun.run("summary", "nope.json", "--debug");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("nabla summary: nope.json: no such file") && r.err().contains("\tat dev.nabla.cli."), r.err());
    }
}
