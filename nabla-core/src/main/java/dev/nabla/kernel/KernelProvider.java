package dev.nabla.kernel;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one lookup of nabla's numeric kernels, shaped like Lucene's VectorizationProvider:
 * {@link #get()} picks, once per JVM, the Panama implementations (the JDK Vector API) when the
 * {@code jdk.incubator.vector} module is present, else the scalar ones, and logs the choice to the
 * {@code dev.nabla} logger: at INFO which one is in use, at WARNING how to get the fast one when it
 * falls back. System property {@code nabla.simd=false} chooses the scalar kernels on purpose.
 *
 * <p>Each family (GEMM, elementwise maps and reductions, pooling windows, the fused Adam step, batch
 * normalization, im2col/col2im) is an object of the provider. The Panama and scalar implementations
 * of a family are siblings that agree bitwise, with two exceptions, each deterministic: the GEMMs
 * sum each element of C in a different order (see {@link Gemm}), and batch norm's centered sums
 * ({@link Elementwise#centeredDot}) are float64 in the scalar kernels and float32 lanes in the Panama
 * ones, so float32 batch statistics differ in the last bits.
 *
 * <p>float32 and float64: GEMM's float64 kernels are generated from the float32 source
 * (scripts/generate-double-kernels; DoubleKernelsTest checks them). Elsewhere float64, which
 * serves gradchecks and teaching, runs the plain scalar loops on both providers. Loops whose float
 * and double versions differ only in their array reads and writes (im2col and col2im, the pooling
 * windows) are written once over the storage array ({@code Object}) and test its type in the
 * loop: a typed float32 copy of the max-pooling window measured no faster.
 */
public abstract sealed class KernelProvider permits ScalarKernelProvider, PanamaKernelProvider {
    private final Gemm gemm;
    private final Elementwise elementwise;
    private final Pooling pooling;
    private final Im2col im2col;
    private final AdamKernel adam;
    private final BatchNormKernel batchNorm;

    KernelProvider(Gemm gemm, Elementwise elementwise, Pooling pooling) {
        this.gemm = gemm;
        this.elementwise = elementwise;
        this.pooling = pooling;
        this.im2col = new Im2col(elementwise);
        this.adam = new AdamKernel(elementwise);
        this.batchNorm = new BatchNormKernel(elementwise);
    }

    /** The provider of this JVM, chosen and logged on first use. */
    public static KernelProvider get() {
        return Holder.INSTANCE;
    }

    /** The scalar kernels, whatever is installed (tests compare the two providers). */
    public static KernelProvider scalar() {
        return Holder.SCALAR;
    }

    /** The Panama kernels; fails with the reason when {@code jdk.incubator.vector} is absent. */
    public static KernelProvider panama() {
        if (!vectorModulePresent()) {
            throw new IllegalStateException("the Panama kernels need the module jdk.incubator.vector:"
                    + " start the JVM with --add-modules jdk.incubator.vector");
        }
        return loadPanama();
    }

    /** "scalar" or "Panama (…vector width…)". */
    public abstract String name();

    /** The matrix multiply. */
    public Gemm gemm() {
        return gemm;
    }

    /** Elementwise maps, reductions and the small fused loops (axpy, relu's backward, centered dot). */
    public Elementwise elementwise() {
        return elementwise;
    }

    /** Max and average pooling over NCHW planes. */
    public Pooling pooling() {
        return pooling;
    }

    /** Convolution's unrolling of receptive fields and its adjoint. */
    public Im2col im2col() {
        return im2col;
    }

    /** Adam's fused update. */
    public AdamKernel adam() {
        return adam;
    }

    /** Training-mode batch normalization's passes. */
    public BatchNormKernel batchNorm() {
        return batchNorm;
    }

    /** True for the Panama kernels. */
    public boolean simd() {
        return this instanceof PanamaKernelProvider;
    }

    /** One line saying which kernels this JVM uses (the CLI's about, the benchmarks' headers). */
    public static String describe() {
        KernelProvider p = get();
        if (p.simd()) return "kernels: SIMD (JDK Vector API, " + p.name() + ")";
        return vectorModulePresent() ? "kernels: scalar (-Dnabla.simd=false)"
                : "kernels: scalar (start the JVM with --add-modules jdk.incubator.vector for SIMD)";
    }

    private static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    // Loaded by name, so that no Vector API class is linked when the module is absent.
    private static KernelProvider loadPanama() {
        try {
            return (KernelProvider) Class.forName("dev.nabla.kernel.PanamaKernelProvider")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e; // the reason, not its reflective or class-initialization wrappers
            while (cause.getCause() != null) cause = cause.getCause();
            throw new IllegalStateException("cannot load the Panama kernels: " + cause, e);
        }
    }

    /** The choice, given the value of nabla.simd and whether jdk.incubator.vector is present, logged to log. */
    static KernelProvider lookup(String simdProperty, boolean vectorModulePresent, Logger log) {
        if ("false".equalsIgnoreCase(simdProperty)) {
            log.info("nabla uses the scalar kernels (-Dnabla.simd=false)");
            return Holder.SCALAR;
        }
        if (!vectorModulePresent) {
            log.warning("nabla uses the scalar kernels, several times slower than the SIMD ones, as the module"
                    + " jdk.incubator.vector is absent: start the JVM with --add-modules jdk.incubator.vector"
                    + " (results then differ in the last bits of matrix products and batch-norm statistics)");
            return Holder.SCALAR;
        }
        try {
            KernelProvider p = loadPanama();
            log.info("nabla uses the Panama (SIMD) kernels: " + p.name());
            return p;
        } catch (IllegalStateException e) {
            log.log(Level.WARNING, "nabla uses the scalar kernels: " + e.getMessage(), e);
            return Holder.SCALAR;
        }
    }

    // Lazy, thread-safe initialization by the class loader.
    private static final class Holder {
        static final KernelProvider SCALAR = new ScalarKernelProvider();
        static final KernelProvider INSTANCE =
                lookup(System.getProperty("nabla.simd"), vectorModulePresent(), Logger.getLogger("dev.nabla"));
    }
}
