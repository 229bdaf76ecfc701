package dev.nabla.data;

import dev.nabla.tensor.Generator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Plain UTF-8 text split into documents, tokenized by {@link Tokenizer}. A folder is read file by
 * file in name order, skipping hidden files, symbolic links (Debian's fortunes has a link
 * {@code art.u8 → art} for each file) and {@code *.dat} files (the binary indexes of fortune's
 * strfile); a file is read as it is. A document is a paragraph: the text between blank lines or
 * lines holding only "%" (the separator of fortune files). A file that is not UTF-8, or that
 * holds no token, is an error naming it.
 *
 * @param documents the tokenized documents, in file order
 * @param files the files read
 */
public record TextCorpus(List<List<String>> documents, List<Path> files) {
    /** Reads a UTF-8 file, or every text file of a folder. */
    public static TextCorpus read(Path path) throws IOException {
        if (!Files.exists(path)) throw new DataFileException(path, "no such file or folder");
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.list(path)) {
                s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                        .filter(p -> !p.getFileName().toString().startsWith(".") && !p.getFileName().toString().endsWith(".dat"))
                        .sorted().forEach(files::add);
            }
            if (files.isEmpty()) throw new DataFileException(path, "the folder holds no text file (*.dat and hidden files are skipped)");
        } else {
            files.add(path);
        }
        List<List<String>> docs = new ArrayList<>();
        for (Path f : files) {
            int before = docs.size();
            StringBuilder paragraph = new StringBuilder();
            for (String line : (decode(f) + "\n%").split("\\R")) {
                String t = line.strip();
                if (!t.isEmpty() && !t.equals("%")) {
                    paragraph.append(line).append('\n');
                    continue;
                }
                List<String> tokens = Tokenizer.tokenize(paragraph.toString());
                if (!tokens.isEmpty()) docs.add(tokens);
                paragraph.setLength(0);
            }
            if (docs.size() == before) throw new DataFileException(f, "holds no word or punctuation token (an empty text file?)");
        }
        return new TextCorpus(List.copyOf(docs), List.copyOf(files));
    }

    private static String decode(Path f) throws IOException {
        byte[] bytes = Files.readAllBytes(f);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int at = firstBadByte(bytes);
            throw new DataFileException(f, "not UTF-8 text (invalid byte 0x" + Integer.toHexString(bytes[at] & 0xff)
                    + " at offset " + at + "); convert it with iconv, or remove it from the folder");
        }
    }

    private static int firstBadByte(byte[] bytes) {
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(bytes.length + 1);
        var r = dec.decode(in, out, true);
        return r.isError() ? in.position() : 0;
    }

    /** The number of tokens. */
    public long tokens() {
        return documents.stream().mapToLong(List::size).sum();
    }

    /** The documents split three ways at random (seeded): train, validation, test. */
    public record Split(List<List<String>> train, List<List<String>> validation, List<List<String>> test) {}

    /** Shuffles the documents with the seed and cuts them into the given fractions (the rest is training). */
    public Split split(double validationFraction, double testFraction, long seed) {
        if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1)) {
            throw new IllegalArgumentException("TextCorpus.split: validation " + validationFraction + " and test "
                    + testFraction + " must be >= 0 with a sum below 1");
        }
        int n = documents.size();
        long[] order = dev.nabla.tensor.Tensor.randperm(new Generator(seed), n).toLongArray();
        int nVal = (int) Math.round(n * validationFraction), nTest = (int) Math.round(n * testFraction);
        List<List<String>> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> d = documents.get((int) order[i]);
            (i < nTest ? test : i < nTest + nVal ? val : train).add(d);
        }
        return new Split(train, val, test);
    }
}
