package dev.nabla.kernel;

import java.util.logging.Logger;

/**
 * Chooses the kernel implementations once: the SIMD ones written with the JDK Vector API when
 * the {@code jdk.incubator.vector} module is present (the launcher adds it), the scalar ones
 * otherwise. System property {@code nabla.simd=false} forces the scalar kernels. Like Lucene's
 * VectorizationProvider, the choice is logged once.
 */
public final class Kernels {
    private static final boolean SIMD = simdAvailable();
    private static final Gemm GEMM = SIMD ? load("dev.nabla.kernel.VectorGemm", Gemm.class) : new ScalarGemm();
    private static final Elementwise ELEMENTWISE =
            SIMD ? load("dev.nabla.kernel.VectorElementwise", Elementwise.class) : new ScalarElementwise();

    static {
        Logger.getLogger("dev.nabla").fine(describe());
    }

    private Kernels() {}

    private static boolean simdAvailable() {
        if ("false".equalsIgnoreCase(System.getProperty("nabla.simd"))) return false;
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    // Loaded by name so that the Vector API classes are never linked when the module is absent.
    private static <T> T load(String className, Class<T> type) {
        try {
            return type.cast(Class.forName(className).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load SIMD kernel " + className, e);
        }
    }

    /** The matrix-multiply kernel. */
    public static Gemm gemm() {
        return GEMM;
    }

    /** The elementwise and reduction kernels. */
    public static Elementwise elementwise() {
        return ELEMENTWISE;
    }

    /** True when the Vector API kernels are in use. */
    public static boolean simd() {
        return SIMD;
    }

    /** One line saying which kernels are in use and why. */
    public static String describe() {
        if (SIMD) {
            return "kernels: SIMD (JDK Vector API, " + ELEMENTWISE.name() + ")";
        }
        return "kernels: scalar (start the JVM with --add-modules jdk.incubator.vector for SIMD)";
    }
}
