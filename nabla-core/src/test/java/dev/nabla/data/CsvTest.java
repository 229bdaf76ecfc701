package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path dir;

    private static final Path F = Path.of("t.csv");

    private static Csv.Table parse(String text) throws DataFileException {
        return Csv.parse(text, F, ',');
    }

    private static void fails(String text, String... parts) {
        DataFileException e = assertThrows(DataFileException.class, () -> CsvDataset.classification(parse(text), null, "y"));
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("t.csv: "), e.getMessage());
    }

    @Test
    void quotedFieldsHoldDelimitersQuotesAndLineBreaks() throws DataFileException {
        Csv.Table t = parse("\uFEFFname,\"note\",x\r\n\"New York, NY\",\"say \"\"hi\"\"\",1\r\n\r\nplain , \"two\nlines\" ,2\n");
        assertEquals(List.of("name", "note", "x"), t.header());
        assertEquals(2, t.size());
        assertArrayEquals(new String[] {"New York, NY", "say \"hi\"", "1"}, t.rows().get(0));
        assertArrayEquals(new String[] {"plain", "two\nlines", "2"}, t.rows().get(1));
        assertArrayEquals(new int[] {2, 4}, t.lines()); // a blank line 3 is skipped
        assertEquals(2.0, t.number(1, 2));
        // no final newline, another delimiter, empty quoted field
        Csv.Table s = Csv.parse("a;b\n1;\"\"", F, ';');
        assertArrayEquals(new String[] {"1", ""}, s.rows().get(0));
    }

    @Test
    void stringLabelsBecomeClassesInSortedOrder() throws IOException {
        Path file = Files.writeString(dir.resolve("iris.csv"), """
                sepal_length,sepal_width,species
                5.1,3.5,setosa
                7.0,3.2,versicolor
                6.3,3.3,virginica
                4.9,3.0,setosa
                -1e-1,+.5,"versicolor"
                """);
        CsvDataset d = CsvDataset.classification(file, "species");
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertEquals(List.of("sepal_length", "sepal_width"), d.featureNames());
        assertArrayEquals(new long[] {0, 1, 2, 0, 1}, d.targets().toLongArray());
        assertEquals(DType.FLOAT32, d.inputs().dtype());
        assertArrayEquals(new int[] {5, 2}, d.inputs().shape());
        assertArrayEquals(new float[] {-0.1f, 0.5f}, d.get(new int[] {4}).inputs().toFloatArray());
    }

    @Test
    void numericLabelsSortNumericallyAndRegressionKeepsNumbers() throws DataFileException {
        Csv.Table t = parse("a,b,y\n1,2,10\n3,4,2\n5,6,9\n");
        CsvDataset c = CsvDataset.classification(t, null, "y");
        assertEquals(List.of("2", "9", "10"), c.classNames());
        assertArrayEquals(new long[] {2, 0, 1}, c.targets().toLongArray());
        CsvDataset r = CsvDataset.regression(t, List.of("b"), List.of("y", "a"));
        assertArrayEquals(new int[] {3, 1}, r.inputs().shape());
        assertArrayEquals(new float[] {10, 1, 2, 3, 9, 5}, r.targets().toFloatArray());
        assertEquals(null, r.classNames());
    }

    @Test
    void badCellsAndRowsNameTheLineAndColumn() {
        fails("a,b,y\n1,2,p\n3,x4,q\n", "line 3, column 2 (\"b\")", "\"x4\" is not a number");
        fails("a,b,y\n1,,p\n", "line 2, column 2 (\"b\")", "empty");
        fails("a,b,y\n1,NaN,p\n", "\"NaN\" is not a number");
        fails("a,b,y\n1,2,p\n1,2\n", "line 3 has 2 fields", "header (line 1) has 3");
        fails("a,b,y\n1,2,p,4\n", "line 2 has 4 fields");
        fails("a,b,y\n1,\"2,p\n3,4,q\n", "line 2, column 2", "never closed");
        fails("a,b,y\n1,\"2\"x,p\n", "line 2, column 2", "after the closing quote");
        fails("a,b,y\n1,2\"x,p\n", "line 2, column 2", "quote inside an unquoted field");
        fails("a,a,y\n1,2,p\n", "column 2", "appears twice");
        fails("a,b,z\n1,2,p\n", "no column \"y\"", "a, b, z");
        fails("a,b,y\n", "no data rows");
        fails("", "is empty");
        fails("a,b,y\n1,2,\n", "line 2, column 3 (\"y\")", "label is empty");
    }

    @Test
    void aMissingFileIsNamed() {
        DataFileException e = assertThrows(DataFileException.class, () -> Csv.read(dir.resolve("none.csv")));
        assertTrue(e.getMessage().contains("none.csv: no such file"), e.getMessage());
    }
}
