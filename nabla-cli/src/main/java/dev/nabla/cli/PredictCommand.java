package dev.nabla.cli;

import dev.nabla.io.NablaIOException;
import dev.nabla.io.TextModelFile;
import dev.nabla.train.NextWordPredictor;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla predict MODEL "text"}: the top next words of a text under a trained language model
 * with their probabilities, or with {@code --generate N} the text continued by seeded sampling.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Next words of a text under a trained language model (model.safetensors of a text spec).")
public final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file, e.g. out/next-word/model.safetensors")
    Path model;

    @Parameters(index = "1", paramLabel = "TEXT", description = "the beginning of a text")
    String text;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "how many next words to list (default 5)")
    int top;

    @Option(names = "--generate", paramLabel = "N", description = "continue the text by sampling up to N tokens")
    Integer generate;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "sampling temperature: below 1 sharper, above 1 flatter (default 1)")
    double temperature;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "the sampling seed (default 0)")
    long seed;

    @Override
    public Integer call() throws Exception {
        TextModelFile.Loaded loaded;
        try {
            loaded = TextModelFile.load(model);
        } catch (NablaIOException e) {
            System.err.println("nabla predict: " + e.getMessage());
            return 1;
        }
        if (!(temperature > 0) || top < 1) {
            System.err.println("nabla predict: --temperature must be > 0 and --top >= 1");
            return 2;
        }
        NextWordPredictor p = new NextWordPredictor(loaded.model(), loaded.vocabulary());
        if (generate != null) {
            List<String> more = p.generate(text, generate, temperature, seed);
            System.out.println(text + " " + NextWordPredictor.join(more));
        } else {
            System.out.println(format(p.topK(text, top)));
        }
        return 0;
    }

    static String format(List<NextWordPredictor.Guess> guesses) {
        return guesses.stream().map(g -> String.format(Locale.ROOT, "%s %.3f", g.word(), g.probability()))
                .collect(Collectors.joining(", "));
    }
}
