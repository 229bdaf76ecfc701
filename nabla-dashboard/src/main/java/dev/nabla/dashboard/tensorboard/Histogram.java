package dev.nabla.dashboard.tensorboard;

import java.util.Arrays;

/**
 * A histogram as TensorBoard's {@code HistogramProto} holds it: min, max, count, sum, sum of
 * squares, and buckets given by their right edges ({@code bucketLimits}; the first bucket starts
 * at min) with their counts.
 */
public record Histogram(double min, double max, long num, double sum, double sumSquares, double[] bucketLimits,
                        double[] bucketCounts) {

    /**
     * The histogram of values in bins equal-width buckets from min to max, binned exactly as
     * NumPy's {@code np.histogram(values, bins)} (the last bucket includes max).
     *
     * @throws IllegalArgumentException when values is empty or holds NaN or an infinity
     */
    public static Histogram of(double[] values, int bins) {
        if (bins < 1) throw new IllegalArgumentException("Histogram: " + bins + " bins, need at least 1");
        if (values.length == 0) throw new IllegalArgumentException("Histogram: no values");
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sumSquares = 0;
        for (double v : values) {
            if (!Double.isFinite(v)) throw new IllegalArgumentException("Histogram: a value is " + v + "; only finite values can be binned");
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sumSquares += v * v;
        }
        // NumPy widens an empty range by 0.5 on each side
        double lo = min == max ? min - 0.5 : min, hi = min == max ? max + 0.5 : max;
        double[] edges = new double[bins + 1];
        double step = (hi - lo) / bins;
        for (int i = 0; i < bins; i++) edges[i] = lo + i * step;
        edges[bins] = hi;
        double[] counts = new double[bins];
        double norm = bins / (hi - lo);
        for (double v : values) {
            int k = (int) ((v - lo) * norm);
            if (k == bins) k--;
            // the floating-point index can be one off at an edge: correct it against the edges, as NumPy does
            if (v < edges[k]) k--;
            else if (k + 1 < bins && v >= edges[k + 1]) k++;
            counts[k]++;
        }
        return new Histogram(min, max, values.length, sum, sumSquares, Arrays.copyOfRange(edges, 1, bins + 1), counts);
    }

    Protobuf proto() {
        return new Protobuf().fixedDouble(1, min).fixedDouble(2, max).fixedDouble(3, num).fixedDouble(4, sum)
                .fixedDouble(5, sumSquares).packedDoubles(6, bucketLimits).packedDoubles(7, bucketCounts);
    }
}
