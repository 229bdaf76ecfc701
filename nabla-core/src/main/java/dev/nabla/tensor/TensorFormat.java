package dev.nabla.tensor;

import java.util.Locale;

/** Prints tensors the way PyTorch does, summarizing large ones with "...". */
final class TensorFormat {
    private static final int SUMMARIZE_ABOVE = 1000;
    private static final int EDGE = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        double[] v = t.toDoubleArray();
        boolean summarize = v.length > SUMMARIZE_ABOVE;
        Style style = Style.of(t.dtype(), v);
        StringBuilder sb = new StringBuilder("tensor(");
        String indent = " ".repeat("tensor(".length());
        int width = 0;
        for (double x : v) if (Double.isFinite(x)) width = Math.max(width, style.fmt(x).length()); // as PyTorch: inf/nan do not widen
        if (t.dim() == 0) {
            sb.append(style.fmt(v.length == 0 ? 0 : v[0]));
        } else {
            appendDim(sb, t, 0, 0, v, style, width, summarize, indent);
        }
        // float32 and int64 are the default types, printed without a suffix, as in PyTorch
        if (t.dtype() == DType.FLOAT64) sb.append(", dtype=").append(t.dtype());
        if (t.gradFn() != null) sb.append(", grad_fn=<").append(t.gradFn()).append(">");
        else if (t.requiresGrad()) sb.append(", requires_grad=True");
        return sb.append(')').toString();
    }

    private static void appendDim(StringBuilder sb, Tensor t, int dim, int base, double[] v, Style style,
                                  int width, boolean summarize, String indent) {
        int n = t.shape[dim];
        int stride = 1;
        for (int d = dim + 1; d < t.dim(); d++) stride *= t.shape[d];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == t.dim() - 1 ? " ..., " : "...," + "\n".repeat(t.dim() - dim - 1) + indent + " ".repeat(dim + 1));
                i = n - EDGE;
            }
            if (dim == t.dim() - 1) {
                String s = style.fmt(v[base + i]);
                sb.append(" ".repeat(Math.max(0, width - s.length()))).append(s);
            } else {
                appendDim(sb, t, dim + 1, base + i * stride, v, style, width, summarize, indent);
            }
            if (i < n - 1) {
                sb.append(dim == t.dim() - 1 ? ", " : "," + "\n".repeat(t.dim() - dim - 1) + indent + " ".repeat(dim + 1));
            }
        }
        sb.append(']');
    }

    /** Integer-valued ("1."), fixed with 4 decimals, or scientific, chosen from the values. */
    private record Style(boolean integer, boolean scientific, boolean isIndex) {
        static Style of(DType dtype, double[] v) {
            if (dtype == DType.INT64) return new Style(true, false, true);
            boolean integer = true;
            double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
            for (double x : v) {
                if (!Double.isFinite(x)) continue;
                if (x != Math.rint(x)) integer = false;
                double a = Math.abs(x);
                if (a != 0) {
                    maxAbs = Math.max(maxAbs, a);
                    minAbs = Math.min(minAbs, a);
                }
            }
            boolean sci = maxAbs > 0 && (integer ? maxAbs > 1e8 : (maxAbs / minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4));
            return new Style(integer && !sci, sci, false);
        }

        String fmt(double x) {
            if (isIndex) return Long.toString((long) x);
            if (Double.isNaN(x)) return "nan";
            if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
            if (scientific) return String.format(Locale.ROOT, "%.4e", x);
            if (integer) return String.format(Locale.ROOT, "%.0f.", x);
            return String.format(Locale.ROOT, "%.4f", x);
        }
    }
}
