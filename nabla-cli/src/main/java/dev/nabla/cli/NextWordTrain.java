package dev.nabla.cli;

import dev.nabla.data.DataFileException;
import dev.nabla.data.NextWordDataset;
import dev.nabla.data.TextCorpus;
import dev.nabla.data.Vocabulary;
import dev.nabla.io.TextModelFile;
import dev.nabla.io.spec.NextWordSpec;
import dev.nabla.io.spec.SpecException;
import dev.nabla.nn.NeuralLanguageModel;
import dev.nabla.tensor.Generator;
import dev.nabla.train.LanguageModelTraining;
import dev.nabla.train.NextWordPredictor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code nabla train} for a language-model spec (data of type "text"): reads and splits the text,
 * builds the vocabulary from the training part, trains, prints the test perplexity beside the
 * unigram baseline's and the seconds per epoch, saves {@code model.safetensors} and shows the
 * model's guesses after a sample phrase.
 */
final class NextWordTrain {
    /** The phrase whose next words the training run shows at the end. */
    static final String SAMPLE = "a penny saved is";

    private NextWordTrain() {}

    static int run(Path specFile, Path outDir, Integer epochsOverride, Path data, PrintStream o) throws IOException {
        NextWordSpec spec = NextWordSpec.read(specFile, data); // a spec error names its key, a data error its file
        TextCorpus corpus = spec.corpus();
        TextCorpus.Split split = corpus.split(spec.validationSplit(), spec.testSplit(), spec.seed() + 1);
        Vocabulary vocab = Vocabulary.build(split.train(), spec.minCount());
        NeuralLanguageModel model = NextWordSpec.buildModel(spec.modelJson(), vocab, new Generator(spec.seed()));
        int n = model.context();
        NextWordDataset train = new NextWordDataset(split.train(), vocab, n);
        NextWordDataset validation = split.validation().isEmpty() ? null : new NextWordDataset(split.validation(), vocab, n);
        NextWordDataset test = new NextWordDataset(split.test(), vocab, n);
        o.printf(Locale.ROOT, "text: %s, %d files, %d paragraphs, %,d tokens; split by paragraph: %d train / %d validation / %d test%n",
                spec.path(), corpus.files().size(), corpus.documents().size(), corpus.tokens(), split.train().size(),
                split.validation().size(), split.test().size());
        o.printf(Locale.ROOT, "vocabulary: %,d ids (words seen >= %d times in the training text, <unk>, <s>, </s>); %,d training examples%n",
                vocab.size(), spec.minCount(), train.size());
        o.println(model);
        o.printf(Locale.ROOT, "parameters: %,d%n", model.parameterCount());
        int epochs = epochsOverride != null ? epochsOverride : spec.epochs();
        List<LanguageModelTraining.Epoch> history = LanguageModelTraining.fit(model, spec.optimizer(model.parameters()), train,
                validation, epochs, spec.batchSize(), spec.seed() + 2, o);
        double seconds = history.stream().mapToDouble(LanguageModelTraining.Epoch::seconds).sum();
        o.printf(Locale.ROOT, "trained %d epochs in %.1f s (%.1f s per epoch, training only)%n", epochs, seconds, seconds / epochs);
        double perplexity = LanguageModelTraining.perplexity(model, test, 1024);
        double unigram = LanguageModelTraining.unigramPerplexity(vocab.counts(), test.targets());
        o.printf(Locale.ROOT, "test perplexity (%,d next words): model %.1f, unigram baseline %.1f (%.1f%% lower)%n",
                test.size(), perplexity, unigram, 100 * (1 - perplexity / unigram));
        Path dir = outDir != null ? outDir : Path.of("out", spec.name());
        Files.createDirectories(dir);
        Path file = dir.resolve("model.safetensors");
        TextModelFile.save(file, spec.modelJson(), model, vocab);
        o.println("model saved to " + file);
        o.println("after \"" + SAMPLE + "\": " + PredictCommand.format(new NextWordPredictor(model, vocab).topK(SAMPLE, 5)));
        return 0;
    }
}
