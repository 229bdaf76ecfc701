package dev.nabla.data;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/** Seeded splits of a dataset. */
public final class Splits {
    private Splits() {}

    /** A training part and a held-out validation part. */
    public record TrainValidation(Subset train, Subset validation) {}

    /**
     * Shuffles the indices with {@code gen} and holds out {@code round(fraction·n)} of them
     * for validation (the course holds out 30%); the same seed gives the same split.
     */
    public static TrainValidation trainValidation(Dataset data, double validationFraction, Generator gen) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("trainValidation: validation fraction " + validationFraction
                    + " must be in [0, 1)");
        }
        int n = data.size();
        int nVal = (int) Math.round(validationFraction * n);
        if (validationFraction > 0 && (nVal == 0 || nVal == n)) {
            throw new IllegalArgumentException("trainValidation: " + validationFraction + " of " + n
                    + " examples leaves an empty part; use more data or another fraction");
        }
        int[] perm = Arrays.stream(Tensor.randperm(gen, n).toLongArray()).mapToInt(x -> (int) x).toArray();
        return new TrainValidation(new Subset(data, Arrays.copyOfRange(perm, nVal, n)),
                new Subset(data, Arrays.copyOfRange(perm, 0, nVal)));
    }
}
