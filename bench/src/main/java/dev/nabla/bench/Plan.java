package dev.nabla.bench;

/**
 * The sizes and repetitions of BENCH.md's protocols ({@link #FULL}), or a smoke test of the same
 * code paths whose figures mean nothing ({@link #QUICK}, {@code bench/run --quick}). The rival
 * scripts hold the same numbers (bench/rival_common.py, its {@code quick()}).
 */
record Plan(
        boolean quick,
        int[] gemmSizes,
        int reps,
        int elementwiseN,
        int reduceN,
        int copyN,
        int mlpN,
        int mlpEpochs,
        double[] rungeLrs,
        int rungeSeeds,
        int rungeEpochs,
        int cnnWarm,
        int cnnSteps,
        int cnnReps,
        int train,
        int dcganWarm,
        int dcganSteps,
        int dcganReps,
        int vggReps) {

    static final Plan FULL = new Plan(false, new int[] {256, 512, 1024, 2048}, 5, 16 << 20, 64 << 20, 64 << 20, 60_000, 3,
            new double[] {1e-2, 1e-3}, 5, 300, 20, 20, 5, 60_000, 3, 5, 3, 3);
    static final Plan QUICK = new Plan(true, new int[] {256}, 2, 1 << 20, 1 << 22, 1 << 22, 6_000, 1,
            new double[] {1e-2}, 1, 10, 2, 2, 1, 1_024, 1, 1, 1, 1);
}
