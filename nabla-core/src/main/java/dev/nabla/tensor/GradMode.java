package dev.nabla.tensor;

/**
 * Whether operations record the graph for autograd, per thread. Turn recording off for a block
 * with try-with-resources:
 *
 * <pre>{@code try (var scope = GradMode.noGrad()) { w.subInPlace(w.grad().mul(lr)); }}</pre>
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    /** A scope that restores the previous mode when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** True when operations on this thread record the graph. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Stops recording until the returned scope is closed. */
    public static Scope noGrad() {
        return set(false);
    }

    /** Sets recording on or off until the returned scope is closed. */
    public static Scope set(boolean enabled) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = enabled;
        return () -> flag[0] = previous;
    }
}
