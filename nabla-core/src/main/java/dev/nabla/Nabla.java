package dev.nabla;

import dev.nabla.kernel.KernelProvider;
import dev.nabla.kernel.Parallel;
import dev.nabla.kernel.Winograd;

/**
 * nabla's process-wide settings, the public face of the (unexported) kernel package: the number of
 * threads of the shared worker pool (results do not depend on it), which kernels are in use, and
 * whether float32 3×3 convolutions take Winograd's algorithm.
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

    /**
     * True while float32 3×3 stride-1 convolutions with 16 channels or more on planes 24 wide or more
     * take Winograd's F(4×4, 3×3) (the default; -Dnabla.winograd=false starts without): 4× fewer
     * multiply-adds, results within 1e-5 of the sum of |w·x| over each output's terms (2e-5 for
     * weight gradients) instead of im2col's ~1e-6.
     */
    public static boolean winograd() {
        return Winograd.enabled();
    }

    /**
     * Turns Winograd's algorithm on or off for the convolutions that follow (off: im2col, rounding
     * as PyTorch's CPU convolutions do, at 4× the multiply-adds); float64 always takes im2col.
     */
    public static void setWinograd(boolean on) {
        Winograd.setEnabled(on);
    }

    /** One line saying which kernels are in use and, for the scalar ones, how to get the SIMD ones. */
    public static String kernels() {
        return KernelProvider.describe();
    }
}
