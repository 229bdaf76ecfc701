package dev.nabla.data;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * The usual image transforms, as in torchvision, for batches of float images
 * [batch, channels, height, width]: {@link #normalize} (per channel), {@link #randomCrop} with
 * zero padding and {@link #randomHorizontalFlip}; each random choice is drawn per image. Apply
 * the augmentations to the training data only (validation and test data stay as they are) and
 * normalize last, so that the crop's zero padding is black, as torchvision's
 * {@code Compose([RandomCrop(28, padding=2), RandomHorizontalFlip(), ToTensor(), Normalize(m, s)])}.
 */
public final class Transforms {
    private Transforms() {}

    /** Applies the transforms in order. */
    public static Transform compose(Transform... transforms) {
        Transform[] ts = transforms.clone();
        return (batch, gen) -> {
            Tensor x = batch;
            for (Transform t : ts) x = t.apply(x, gen);
            return x;
        };
    }

    /**
     * (x − mean[c]) / std[c] for every channel c of [batch, channels, …]; one mean and std apply
     * to every value of any batch (e.g. flattened images [batch, features]).
     */
    public static Transform normalize(double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalize: " + mean.length + " means and " + std.length
                    + " standard deviations; give one of each per channel");
        }
        for (double s : std) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("normalize: standard deviations " + Arrays.toString(std) + " must be positive and finite");
            }
        }
        double[] m = mean.clone(), sd = std.clone();
        return (batch, gen) -> {
            int[] shape = batch.shape();
            int channels = m.length;
            if (channels > 1 && (shape.length < 2 || shape[1] != channels)) {
                throw new IllegalArgumentException("normalize: " + channels + " channel means for a batch of shape "
                        + Shape.str(shape) + "; it needs [batch, " + channels + ", …]");
            }
            float[] x = batch.toFloatArray();
            if (x.length == 0) return Tensor.of(x, shape);
            int perChannel = channels == 1 ? x.length : x.length / (shape[0] * channels);
            for (int start = 0, c = 0; start < x.length; start += perChannel, c = (c + 1) % channels) {
                float mu = (float) m[c], inv = (float) (1.0 / sd[c]);
                for (int p = start; p < start + perChannel; p++) x[p] = (x[p] - mu) * inv;
            }
            return Tensor.of(x, shape);
        };
    }

    /**
     * Pads each image by {@code padding} zeros on every side and cuts a window of the original
     * size at a random position (torchvision's RandomCrop(size, padding)): shifts of up to
     * ±padding pixels.
     */
    public static Transform randomCrop(int padding) {
        if (padding < 0) throw new IllegalArgumentException("randomCrop: padding " + padding + " must be >= 0");
        return (batch, gen) -> {
            int[] s = images("randomCrop", batch);
            int n = s[0], c = s[1], h = s[2], w = s[3];
            float[] x = batch.toFloatArray(), out = new float[x.length];
            for (int i = 0; i < n; i++) {
                // the window's top-left corner in the padded image, in [0, 2·padding]
                int dy = (int) gen.nextLong(2L * padding + 1) - padding, dx = (int) gen.nextLong(2L * padding + 1) - padding;
                for (int ch = 0; ch < c; ch++) {
                    int base = (i * c + ch) * h * w;
                    for (int r = 0; r < h; r++) {
                        int sr = r + dy;
                        if (sr < 0 || sr >= h) continue; // padding row: stays 0
                        int c0 = Math.max(0, -dx), c1 = Math.min(w, w - dx);
                        if (c1 > c0) System.arraycopy(x, base + sr * w + c0 + dx, out, base + r * w + c0, c1 - c0);
                    }
                }
            }
            return Tensor.of(out, s);
        };
    }

    /** Mirrors each image left to right with probability p (torchvision's RandomHorizontalFlip(p)). */
    public static Transform randomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("randomHorizontalFlip: probability " + p + " must be in [0, 1]");
        return (batch, gen) -> {
            int[] s = images("randomHorizontalFlip", batch);
            int n = s[0], c = s[1], h = s[2], w = s[3];
            float[] x = batch.toFloatArray();
            for (int i = 0; i < n; i++) {
                if (!(gen.nextDouble() < p)) continue;
                for (int row = 0; row < c * h; row++) {
                    int base = (i * c * h + row) * w;
                    for (int a = base, b = base + w - 1; a < b; a++, b--) {
                        float t = x[a];
                        x[a] = x[b];
                        x[b] = t;
                    }
                }
            }
            return Tensor.of(x, s);
        };
    }

    private static int[] images(String op, Tensor batch) {
        if (batch.dim() != 4) {
            throw new IllegalArgumentException(op + ": needs images [batch, channels, height, width], got " + Shape.str(batch.shape())
                    + "; apply it to unflattened images and flatten in the model (a flatten layer)");
        }
        return batch.shape();
    }

    /** Per-channel mean and standard deviation of a dataset's inputs [n, channels, …], over every example. */
    public static double[][] channelStats(Dataset data) {
        double[] sum = null, sumSq = null;
        long perChannel = 0;
        int n = data.size();
        for (int from = 0; from < n; from += 1024) {
            int[] idx = new int[Math.min(1024, n - from)];
            for (int k = 0; k < idx.length; k++) idx[k] = from + k;
            Tensor x = data.get(idx).inputs();
            int channels = x.dim() >= 2 ? x.size(1) : 1;
            if (sum == null) {
                sum = new double[channels];
                sumSq = new double[channels];
            }
            float[] v = x.toFloatArray();
            int block = v.length / (idx.length * channels);
            for (int i = 0; i < v.length; i++) {
                int c = (i / block) % channels;
                sum[c] += v[i];
                sumSq[c] += (double) v[i] * v[i];
            }
            perChannel += (long) idx.length * block;
        }
        if (sum == null) throw new IllegalArgumentException("channelStats: the dataset is empty");
        double[] mean = new double[sum.length], std = new double[sum.length];
        for (int c = 0; c < sum.length; c++) {
            mean[c] = sum[c] / perChannel;
            std[c] = Math.sqrt(Math.max(0, sumSq[c] / perChannel - mean[c] * mean[c]));
        }
        return new double[][] {mean, std};
    }
}
