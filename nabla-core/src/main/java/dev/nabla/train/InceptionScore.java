package dev.nabla.train;

import dev.nabla.nn.Layer;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * The Inception score of generated images (Salimans et al. 2016) with any classifier:
 * exp(E_x[KL(p(y|x) ‖ p(y))]), where p(y|x) is the classifier's softmax on image x and p(y) its
 * mean over the images. It is high (at most the number of classes) when each image is classified
 * confidently and the classes are evenly used; 1 when every image gets the same distribution.
 * The histogram of predicted classes shows mode collapse directly (a few classes take all).
 */
public final class InceptionScore {
    private InceptionScore() {}

    /** The score and how many images were predicted in each class (argmax). */
    public record Result(double score, long[] classCounts) {
        /** The counts as one line, e.g. "0:1012 1:987 …". */
        public String histogram() {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < classCounts.length; c++) sb.append(c == 0 ? "" : " ").append(c).append(':').append(classCounts[c]);
            return sb.toString();
        }
    }

    /** The score of class probabilities p(y|x) [n, classes] (each row sums to 1). */
    public static Result of(Tensor probabilities) {
        int[] s = probabilities.shape();
        if (s.length != 2 || s[0] == 0) {
            throw new IllegalArgumentException("InceptionScore: expects probabilities [n, classes] with n >= 1, got shape "
                    + Arrays.toString(s));
        }
        int n = s[0], k = s[1];
        double[] p = probabilities.toDoubleArray();
        double[] marginal = new double[k];
        long[] counts = new long[k];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 0; c < k; c++) {
                double v = p[i * k + c];
                if (!(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException("InceptionScore: probability " + v + " of image " + i + ", class " + c
                            + " is not in [0, 1]; pass softmax outputs, not logits");
                }
                marginal[c] += v / n;
                if (v > p[i * k + best]) best = c;
            }
            counts[best]++;
        }
        double kl = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                double v = p[i * k + c];
                if (v > 0) kl += v * Math.log(v / marginal[c]); // 0 · log 0 = 0
            }
        }
        return new Result(Math.exp(kl / n), counts);
    }

    /** The score of images [n, …] under a classifier giving logits [n, classes] (run in eval mode, in batches). */
    public static Result of(Layer classifier, Tensor images, int batchSize) {
        try (var scope = GradMode.noGrad()) {
            return of(Trainer.predict(classifier, images, batchSize).softmax(1));
        }
    }
}
