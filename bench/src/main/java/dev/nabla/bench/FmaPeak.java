package dev.nabla.bench;

import dev.nabla.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 multiply-add rate the cores give right now: on each of nabla's threads a loop of
 * independent vector FMAs on registers alone (12 chains, enough for two FMA pipes of latency 4 to
 * 6), its GFLOP/s summed over the threads. The cores of this shared host run at 45–90 GFLOP/s in
 * spells of 1–3 s, so a product's rate is read beside the peak measured just before it
 * ({@link NablaProtocols#gemm}, {@link GemmShapes}): their quotient is the fraction of the peak it
 * reached then. The spells slow a product more than this loop (README, bench/gemm-shapes), so the
 * fraction is lower in a slow one: compare it over rounds.
 */
final class FmaPeak {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Loop iterations a thread runs per measure: 12 FMAs each, about half a millisecond at 90 GFLOP/s. */
    private static final int ITERATIONS = 200_000;
    /** Keeps the sums observable, so that the loop is not optimized away. */
    private static volatile float sink;

    private FmaPeak() {}

    /** Runs the loop until C2 has compiled it (its first calls run interpreted, many times slower). */
    static void warmUp(int threads) {
        for (int i = 0; i < 100; i++) gflops(threads);
    }

    /** GFLOP/s of threads threads at once (the pool's), the best of 3 measures. */
    static double gflops(int threads) {
        double best = 0;
        for (int r = 0; r < 3; r++) {
            double[] rates = new double[threads];
            Parallel.forRange(threads, 1, (t0, t1) -> {
                for (int t = t0; t < t1; t++) rates[t] = coreGflops();
            });
            double sum = 0;
            for (double rate : rates) sum += rate;
            best = Math.max(best, sum);
        }
        return best;
    }

    // one thread's rate: the time of ITERATIONS steps of 12 FMAs of whole vectors
    private static double coreGflops() {
        FloatVector m = FloatVector.broadcast(F, 0.999f), c = FloatVector.broadcast(F, 1e-3f);
        FloatVector a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        long t0 = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c);
            a4 = a4.fma(m, c); a5 = a5.fma(m, c); a6 = a6.fma(m, c); a7 = a7.fma(m, c);
            a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
        }
        long ns = System.nanoTime() - t0;
        sink = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
        return 2.0 * 12 * F.length() * ITERATIONS / Math.max(1, ns);
    }
}
