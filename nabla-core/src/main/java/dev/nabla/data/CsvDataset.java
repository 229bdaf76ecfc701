package dev.nabla.data;

import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Tabular data from a CSV file ({@link Csv}): numeric feature columns as float32 inputs
 * [n, features], and a target column, either class labels (any strings, mapped to int64
 * indices [n] in sorted order: numerically when every label is a number, else alphabetically)
 * or regression targets (float32 [n, targets]). A non-numeric feature cell is an error giving
 * the file, line and column.
 *
 * <pre>{@code
 * CsvDataset iris = CsvDataset.classification(Path.of("iris.csv"), "species");
 * iris.classNames();   // [setosa, versicolor, virginica]
 * }</pre>
 */
public final class CsvDataset implements Dataset {
    private final TensorDataset data;
    private final List<String> featureNames;
    private final List<String> targetNames;
    private final List<String> classNames;

    private CsvDataset(TensorDataset data, List<String> featureNames, List<String> targetNames, List<String> classNames) {
        this.data = data;
        this.featureNames = List.copyOf(featureNames);
        this.targetNames = List.copyOf(targetNames);
        this.classNames = classNames == null ? null : List.copyOf(classNames);
    }

    /** Classification on every other column of the file, with the labels in labelColumn. */
    public static CsvDataset classification(Path file, String labelColumn) throws IOException {
        return classification(Csv.read(file), null, labelColumn);
    }

    /** Regression of the targetColumns on every other column of the file. */
    public static CsvDataset regression(Path file, String... targetColumns) throws IOException {
        return regression(Csv.read(file), null, List.of(targetColumns));
    }

    /**
     * Classification: features from the named columns (null: every column but the label), class
     * labels from labelColumn; the classes are the distinct labels in sorted order.
     */
    public static CsvDataset classification(Csv.Table table, List<String> features, String labelColumn) throws DataFileException {
        return classification(table, features, labelColumn, null);
    }

    /**
     * As {@link #classification(Csv.Table, List, String)} with the given classes (e.g. those of
     * the training file, for a test file); a label not among them is an error. Null: the
     * distinct labels in sorted order.
     */
    public static CsvDataset classification(Csv.Table table, List<String> features, String labelColumn, List<String> classNames)
            throws DataFileException {
        int label = table.column(labelColumn);
        int[] cols = featureColumns(table, features, List.of(labelColumn));
        List<String> classes = classNames != null ? classNames : sortedClasses(table, label);
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < classes.size(); c++) index.put(classes.get(c), c);
        long[] y = new long[table.size()];
        for (int r = 0; r < y.length; r++) {
            String s = table.rows().get(r)[label];
            if (s.isEmpty()) {
                throw new DataFileException(table.file(), "line " + table.lines()[r] + ", column " + (label + 1) + " (\"" + labelColumn
                        + "\"): the label is empty; every row needs a class");
            }
            Integer c = index.get(s);
            if (c == null) {
                throw new DataFileException(table.file(), "line " + table.lines()[r] + ", column " + (label + 1) + " (\"" + labelColumn
                        + "\"): the label \"" + s + "\" is not one of the classes " + classes);
            }
            y[r] = c;
        }
        return new CsvDataset(new TensorDataset(features(table, cols), Tensor.of(y)), names(table, cols), List.of(labelColumn), classes);
    }

    /** Regression: features from the named columns (null: every other column), targets from targetColumns. */
    public static CsvDataset regression(Csv.Table table, List<String> features, List<String> targetColumns) throws DataFileException {
        if (targetColumns.isEmpty()) throw new IllegalArgumentException("CsvDataset.regression: name at least one target column");
        int[] targets = new int[targetColumns.size()];
        for (int t = 0; t < targets.length; t++) targets[t] = table.column(targetColumns.get(t));
        int[] cols = featureColumns(table, features, targetColumns);
        float[] y = new float[table.size() * targets.length];
        for (int r = 0; r < table.size(); r++) {
            for (int t = 0; t < targets.length; t++) y[r * targets.length + t] = (float) table.number(r, targets[t]);
        }
        return new CsvDataset(new TensorDataset(features(table, cols), Tensor.of(y, table.size(), targets.length)),
                names(table, cols), targetColumns, null);
    }

    private static int[] featureColumns(Csv.Table table, List<String> features, List<String> targets) throws DataFileException {
        List<Integer> cols = new ArrayList<>();
        if (features == null) {
            for (int c = 0; c < table.header().size(); c++) if (!targets.contains(table.header().get(c))) cols.add(c);
        } else {
            for (String f : features) {
                if (targets.contains(f)) {
                    throw new DataFileException(table.file(), "column \"" + f + "\" is both a feature and a target; list it once");
                }
                cols.add(table.column(f));
            }
        }
        if (cols.isEmpty()) throw new DataFileException(table.file(), "has no feature column besides the target " + targets);
        return cols.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Tensor features(Csv.Table table, int[] cols) throws DataFileException {
        float[] x = new float[table.size() * cols.length];
        for (int r = 0; r < table.size(); r++) {
            for (int k = 0; k < cols.length; k++) x[r * cols.length + k] = (float) table.number(r, cols[k]);
        }
        return Tensor.of(x, table.size(), cols.length);
    }

    private static List<String> names(Csv.Table table, int[] cols) {
        List<String> out = new ArrayList<>();
        for (int c : cols) out.add(table.header().get(c));
        return out;
    }

    private static List<String> sortedClasses(Csv.Table table, int label) {
        TreeSet<String> set = new TreeSet<>(table.isNumeric(label)
                ? Comparator.<String>comparingDouble(Double::parseDouble).thenComparing(Comparator.naturalOrder())
                : Comparator.naturalOrder());
        for (String[] row : table.rows()) if (!row[label].isEmpty()) set.add(row[label]);
        return new ArrayList<>(set);
    }

    /** The feature matrix, float32 [n, features]. */
    public Tensor inputs() {
        return data.inputs();
    }

    /** The targets: int64 labels [n] for classification, float32 [n, targets] for regression. */
    public Tensor targets() {
        return data.targets();
    }

    /** The names of the feature columns, in the order of the input columns. */
    public List<String> featureNames() {
        return featureNames;
    }

    /** The name(s) of the target column(s). */
    public List<String> targetNames() {
        return targetNames;
    }

    /** The class names indexed by label, or null for regression. */
    public List<String> classNames() {
        return classNames;
    }

    /** True for classification. */
    public boolean isClassification() {
        return classNames != null;
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public Batch get(int[] indices) {
        return data.get(indices);
    }

    @Override
    public String toString() {
        return "CsvDataset(" + size() + " rows, features " + featureNames + (classNames != null ? ", classes " + classNames
                : ", targets " + targetNames) + ")";
    }
}
