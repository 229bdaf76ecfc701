package dev.nabla;

import dev.nabla.kernel.KernelProvider;
import dev.nabla.kernel.Parallel;

/**
 * nabla's process-wide settings, the public face of the (unexported) kernel package: the number of
 * threads of the shared worker pool (results do not depend on it) and which kernels are in use.
 */
public final class Nabla {
    private Nabla() {}

    /** The threads a parallel loop uses, the caller included (default: the cores, or -Dnabla.threads). */
    public static int threads() {
        return Parallel.threads();
    }

    /** Sets the number of threads (at least 1); results do not depend on it. */
    public static void setThreads(int threads) {
        Parallel.setThreads(threads);
    }

    /** True when the SIMD kernels (JDK Vector API) are in use, false for the scalar ones. */
    public static boolean simd() {
        return KernelProvider.get().simd();
    }

    /** One line saying which kernels are in use and, for the scalar ones, how to get the SIMD ones. */
    public static String kernels() {
        return KernelProvider.describe();
    }
}
