package dev.nabla.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A reader of comma-separated values as RFC 4180 defines them: a header row, then one record
 * per line; a field may be quoted ({@code "New York, NY"}), and a quoted field may hold the
 * delimiter, line breaks and doubled quotes ({@code "say ""hi"""}). Lines end in LF or CRLF;
 * a UTF-8 byte-order mark and blank lines are skipped; unquoted fields are trimmed. A ragged
 * row, an unclosed quote or text after a closing quote is a {@link DataFileException} naming the
 * file, the line and the column. {@link CsvDataset} turns a table into tensors.
 */
public final class Csv {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private Csv() {}

    /**
     * A CSV file read into strings: the header, the rows (each as long as the header) and the
     * line on which each row starts (1-based, the header being on line {@link #headerLine()}).
     */
    public record Table(Path file, List<String> header, List<String[]> rows, int[] lines, int headerLine) {
        /** The index of the column with the given name, or an error listing the columns. */
        public int column(String name) throws DataFileException {
            int i = header.indexOf(name);
            if (i < 0) {
                throw new DataFileException(file, "has no column \"" + name + "\"; its columns are: " + String.join(", ", header));
            }
            return i;
        }

        /** The number of rows (without the header). */
        public int size() {
            return rows.size();
        }

        /**
         * The cell at row r, column c as a number, or an error giving the line, the column (1-based
         * and by name) and the cell.
         */
        public double number(int r, int c) throws DataFileException {
            String s = rows.get(r)[c];
            if (NUMBER.matcher(s).matches()) return Double.parseDouble(s);
            String where = "line " + lines[r] + ", column " + (c + 1) + " (\"" + header.get(c) + "\")";
            if (s.isEmpty()) {
                throw new DataFileException(file, where + ": the cell is empty; fill in or drop rows with missing values");
            }
            throw new DataFileException(file, where + ": \"" + s + "\" is not a number; a feature or regression target must be a"
                    + " decimal number such as 3, -0.5 or 1e-3 (use it as the label column if it names a class)");
        }

        /** True when every cell of column c is a number. */
        public boolean isNumeric(int c) {
            for (String[] row : rows) if (!NUMBER.matcher(row[c]).matches()) return false;
            return true;
        }
    }

    /** Reads a comma-separated file with a header row. */
    public static Table read(Path file) throws IOException {
        return read(file, ',');
    }

    /** Reads a file with a header row and the given delimiter (e.g. ';' or '\t'). */
    public static Table read(Path file, char delimiter) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DataFileException(file, Files.isDirectory(file) ? "is a folder, expected a CSV file" : "no such file",
                    Files.exists(file) ? null : new NoSuchFileException(file.toString()));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new DataFileException(file, "is not UTF-8 text (" + e + "); save it as UTF-8", e);
        }
        return parse(text, file, delimiter);
    }

    /** Parses CSV text; {@code file} only names the source in errors. */
    public static Table parse(String text, Path file, char delimiter) throws DataFileException {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("Csv: the delimiter cannot be a quote or a line break");
        }
        List<String[]> records = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1, recordLine = 1, quoteLine = 0;
        boolean quoted = false, inQuotes = false, afterQuote = false;
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        int n = text.length();
        for (; i <= n; i++) {
            char ch = i < n ? text.charAt(i) : '\n';
            boolean end = i == n;
            if (inQuotes) {
                if (end) {
                    throw new DataFileException(file, "line " + quoteLine + ", column " + (fields.size() + 1)
                            + ": a quoted field is never closed (a \" is missing)");
                }
                if (ch == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        inQuotes = false;
                        afterQuote = true;
                    }
                } else {
                    if (ch == '\n') line++;
                    field.append(ch);
                }
                continue;
            }
            if (ch == delimiter) {
                fields.add(quoted ? field.toString() : field.toString().trim());
                field.setLength(0);
                quoted = afterQuote = false;
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                fields.add(quoted ? field.toString() : field.toString().trim());
                boolean blank = fields.size() == 1 && fields.get(0).isEmpty() && !quoted;
                if (!blank) {
                    records.add(fields.toArray(new String[0]));
                    starts.add(recordLine);
                }
                fields.clear();
                field.setLength(0);
                quoted = afterQuote = false;
                line++;
                recordLine = line;
            } else if (ch == '"' && field.toString().isBlank() && !quoted) {
                field.setLength(0);
                quoted = inQuotes = true;
                quoteLine = line;
            } else if (afterQuote) {
                if (!Character.isWhitespace(ch)) {
                    throw new DataFileException(file, "line " + line + ", column " + (fields.size() + 1) + ": text after the closing quote"
                            + " of a quoted field; write a quote inside a quoted field as \"\"");
                }
            } else if (ch == '"') {
                throw new DataFileException(file, "line " + line + ", column " + (fields.size() + 1) + ": a quote inside an unquoted field;"
                        + " quote the whole field and double the inner quote (\"a \"\"b\"\"\")");
            } else {
                field.append(ch);
            }
        }
        if (records.isEmpty()) throw new DataFileException(file, "is empty; expected a header row and data rows");
        List<String> header = List.of(records.get(0));
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < header.size(); c++) {
            if (header.get(c).isEmpty()) {
                throw new DataFileException(file, "line " + starts.get(0) + ", column " + (c + 1) + ": the header has an empty column name");
            }
            if (!seen.add(header.get(c))) {
                throw new DataFileException(file, "line " + starts.get(0) + ", column " + (c + 1) + ": the column name \""
                        + header.get(c) + "\" appears twice in the header");
            }
        }
        List<String[]> rows = records.subList(1, records.size());
        int[] lines = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            lines[r] = starts.get(r + 1);
            if (rows.get(r).length != header.size()) {
                throw new DataFileException(file, "line " + lines[r] + " has " + rows.get(r).length + " fields, but the header (line "
                        + starts.get(0) + ") has " + header.size() + "; every row needs one value per column"
                        + " (quote fields that contain a '" + delimiter + "')");
            }
        }
        if (rows.isEmpty()) throw new DataFileException(file, "has a header but no data rows");
        return new Table(file, header, List.copyOf(rows), lines, starts.get(0));
    }
}
