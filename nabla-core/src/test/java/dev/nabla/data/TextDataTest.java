package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer's rule, the vocabulary, the (context → next word) examples, reading and splitting text. */
class TextDataTest {
    @TempDir
    Path dir;

    @Test
    void tokenizerRule() {
        assertEquals(List.of("don't", "panic", "!", "it's", "4", "o'clock", ",", "$", "5", ".", "café", "-", "ok"),
                Tokenizer.tokenize("Don't PANIC! It's 4 o'clock, $5.\b\bCafé -ok"));
        assertEquals(List.of(), Tokenizer.tokenize(" \n\t "));
    }

    @Test
    void vocabularyKeepsCountsAndMapsRareWordsToUnk() {
        List<List<String>> docs = List.of(List.of("a", "b", "a", "c"), List.of("a", "b", "d"));
        Vocabulary v = Vocabulary.build(docs, 2);
        assertEquals(List.of("<unk>", "<s>", "</s>", "a", "b"), v.words());
        assertArrayEquals(new long[] {2, 0, 2, 3, 2}, v.counts());
        assertEquals(Vocabulary.UNK_ID, v.id("zebra"));
        assertArrayEquals(new int[] {3, 0, 4}, v.encode(List.of("a", "c", "b")));
    }

    @Test
    void examplesAreContextsPaddedWithStartAndEndingWithEnd() {
        Vocabulary v = Vocabulary.build(List.of(List.of("x", "y")), 1); // x=3, y=4
        NextWordDataset d = new NextWordDataset(List.of(List.of("x", "y")), v, 2);
        assertEquals(3, d.size());
        Batch b = d.get(new int[] {0, 1, 2});
        assertArrayEquals(new long[] {1, 1, 1, 3, 3, 4}, b.inputs().toLongArray());
        assertArrayEquals(new long[] {3, 4, 2}, b.targets().toLongArray());
        assertArrayEquals(new int[] {3, 2}, b.inputs().shape());
    }

    @Test
    void readsParagraphsOfAFolderAndSplitsBySeed() throws IOException {
        Files.writeString(dir.resolve("a"), "One two.\n%\nThree\nfour\n\nFive\n%\n");
        Files.writeString(dir.resolve("a.dat"), "\u0000\u0001binary index");
        Files.createSymbolicLink(dir.resolve("a.u8"), dir.resolve("a"));
        Files.writeString(dir.resolve("b"), "six seven");
        TextCorpus c = TextCorpus.read(dir);
        assertEquals(List.of(List.of("one", "two", "."), List.of("three", "four"), List.of("five"), List.of("six", "seven")),
                c.documents());
        assertEquals(2, c.files().size());
        assertEquals(c.split(0.25, 0.25, 3), c.split(0.25, 0.25, 3));
        TextCorpus.Split s = c.split(0.25, 0.25, 3);
        assertEquals(List.of(1, 1, 2), List.of(s.validation().size(), s.test().size(), s.train().size()));
    }

    @Test
    void badOrEmptyFilesAreErrorsNamingThem() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n%\n");
        var e = assertThrows(DataFileException.class, () -> TextCorpus.read(empty));
        assertTrue(e.getMessage().startsWith(empty.toString()) && e.getMessage().contains("no word"), e.getMessage());
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n'});
        var bad = assertThrows(DataFileException.class, () -> TextCorpus.read(latin1));
        assertTrue(bad.getMessage().contains("latin1.txt") && bad.getMessage().contains("0xe9") && bad.getMessage().contains("offset 3"),
                bad.getMessage());
        var missing = assertThrows(DataFileException.class, () -> TextCorpus.read(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
    }
}
