package dev.nabla.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;

/**
 * Reading the PyTorch fixture files (scripts/torch_*fixtures.py) and comparing nabla's results
 * with them: float64 to 1e-10 relative, float32 to 1e-5 relative plus a small absolute floor
 * (widened only where the fixture says PyTorch's own float32 value is that far off).
 */
public final class TorchFixtures {
    private TorchFixtures() {}

    /** The ints of a JSON array. */
    public static int[] ints(JsonNode arr) {
        int[] r = new int[arr.size()];
        for (int i = 0; i < r.length; i++) r[i] = arr.get(i).asInt();
        return r;
    }

    /** A value written with full precision, read in the fixture's type. */
    public static double parse(JsonNode v, DType dtype) {
        String s = v.asText();
        return dtype == DType.FLOAT32 ? Float.parseFloat(s) : Double.parseDouble(s);
    }

    /** A tensor of the fixture's shape (0-d allowed) and type (int64 when marked so, else dtype). */
    public static Tensor tensor(JsonNode t, DType dtype) {
        int[] shape = ints(t.get("shape"));
        JsonNode vals = t.get("values");
        int n = vals.size();
        Tensor r;
        if ("int64".equals(t.path("dtype").asText())) {
            long[] l = new long[n];
            for (int i = 0; i < n; i++) l[i] = vals.get(i).asLong();
            r = Tensor.of(l);
        } else if (dtype == DType.FLOAT32) {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = Float.parseFloat(vals.get(i).asText());
            r = Tensor.of(f);
        } else {
            double[] dv = new double[n];
            for (int i = 0; i < n; i++) dv[i] = Double.parseDouble(vals.get(i).asText());
            r = Tensor.of(dv);
        }
        return r.reshape(shape);
    }

    /** Adds to problems a line naming what differs (shape, dtype, or the count and the first value). */
    public static void compare(List<String> problems, String what, Tensor actual, JsonNode expected, DType dtype) {
        int[] shape = ints(expected.get("shape"));
        if (!Arrays.equals(actual.shape(), shape)) {
            problems.add(what + ": shape " + Arrays.toString(actual.shape()) + ", PyTorch " + Arrays.toString(shape));
            return;
        }
        boolean isIndex = "int64".equals(expected.path("dtype").asText());
        if (isIndex ? actual.dtype() != DType.INT64 : actual.dtype() != dtype) {
            problems.add(what + ": dtype " + actual.dtype() + ", PyTorch " + (isIndex ? "int64" : dtype));
            return;
        }
        double[] a = actual.toDoubleArray();
        JsonNode vals = expected.get("values");
        double atol = Math.max(1e-6, expected.path("atol").asDouble(0));
        int bad = 0;
        String first = null;
        for (int i = 0; i < a.length; i++) {
            double b = isIndex ? vals.get(i).asLong() : parse(vals.get(i), dtype);
            double tol = isIndex ? 0 : dtype == DType.FLOAT64 ? 1e-10 * Math.max(1, Math.abs(b)) : 1e-5 * Math.abs(b) + atol;
            if (a[i] == b || Math.abs(a[i] - b) <= tol) continue;
            if (bad++ == 0) {
                first = String.format("index %d %s: nabla %s, PyTorch %s (|diff| %.3g > tol %.3g)", i,
                        Arrays.toString(unravel(i, shape)), a[i], b, Math.abs(a[i] - b), tol);
            }
        }
        if (bad > 0) problems.add(what + ": " + bad + " of " + a.length + " values differ; first at " + first);
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            idx[k] = flat % shape[k];
            flat /= shape[k];
        }
        return idx;
    }
}
