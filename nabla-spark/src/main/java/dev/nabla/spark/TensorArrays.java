package dev.nabla.spark;

import dev.nabla.tensor.Tensor;
import dev.nabla.train.MicroBatches;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Named tensors as plain arrays (float[], double[] or long[]), the form that travels between driver and executors. */
record TensorArrays(String[] names, Object[] values, int[][] shapes) implements Serializable {
    static TensorArrays of(Map<String, Tensor> tensors) {
        String[] names = tensors.keySet().toArray(String[]::new);
        Object[] values = new Object[names.length];
        int[][] shapes = new int[names.length][];
        for (int i = 0; i < names.length; i++) {
            Tensor t = tensors.get(names[i]);
            shapes[i] = t.shape();
            values[i] = switch (t.dtype()) {
                case FLOAT32 -> t.toFloatArray();
                case FLOAT64 -> t.toDoubleArray();
                default -> t.toLongArray();
            };
        }
        return new TensorArrays(names, values, shapes);
    }

    Map<String, Tensor> toTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) out.put(names[i], MicroBatches.fromArray(values[i], shapes[i]));
        return out;
    }

    /**
     * The elementwise mean of parts with the same names and shapes: summed in list order, then
     * divided by their count, in each array's own type (integers: exact when all are equal, as
     * batch counters are); the entries whose name ends with {@code maxSuffix} (step counters, which
     * differ when a worker ran fewer steps) take the largest value instead (null: none).
     */
    static TensorArrays mean(List<TensorArrays> parts, String maxSuffix) {
        TensorArrays first = parts.get(0);
        Object[] values = new Object[first.values.length];
        int n = parts.size();
        for (int i = 0; i < values.length; i++) {
            Object v = first.values[i];
            if (maxSuffix != null && first.names[i].endsWith(maxSuffix) && v instanceof double[] d && d.length == 1) {
                double max = d[0];
                for (int p = 1; p < n; p++) max = Math.max(max, ((double[]) parts.get(p).values[i])[0]);
                values[i] = new double[] {max};
            } else if (v instanceof float[] f) {
                float[] acc = f.clone();
                for (int p = 1; p < n; p++) {
                    float[] x = (float[]) parts.get(p).values[i];
                    for (int j = 0; j < acc.length; j++) acc[j] += x[j];
                }
                for (int j = 0; j < acc.length; j++) acc[j] /= n;
                values[i] = acc;
            } else if (v instanceof double[] d) {
                double[] acc = d.clone();
                for (int p = 1; p < n; p++) {
                    double[] x = (double[]) parts.get(p).values[i];
                    for (int j = 0; j < acc.length; j++) acc[j] += x[j];
                }
                for (int j = 0; j < acc.length; j++) acc[j] /= n;
                values[i] = acc;
            } else {
                long[] acc = ((long[]) v).clone();
                for (int p = 1; p < n; p++) {
                    long[] x = (long[]) parts.get(p).values[i];
                    for (int j = 0; j < acc.length; j++) acc[j] += x[j];
                }
                for (int j = 0; j < acc.length; j++) acc[j] /= n;
                values[i] = acc;
            }
        }
        return new TensorArrays(first.names, values, first.shapes);
    }
}
