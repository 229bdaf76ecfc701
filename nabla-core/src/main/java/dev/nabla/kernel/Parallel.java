package dev.nabla.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one shared worker pool of nabla, sized to the cores and settable.
 *
 * <p>Work is split into chunks whose boundaries depend only on the problem size and the grain,
 * never on the number of threads, and every chunk writes its own part of the output. A kernel
 * that reduces partial results combines them in chunk order. So a program gives bitwise the same
 * numbers on 1 thread or 16.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    private Parallel() {}

    /** A body that processes the index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static int defaultThreads() {
        String prop = System.getProperty("nabla.threads");
        if (prop != null) {
            try {
                int n = Integer.parseInt(prop.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException(
                    "nabla.threads=" + prop + ": expected a whole number >= 1");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("nabla-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** The number of worker threads. */
    public static int threads() {
        return pool.getParallelism();
    }

    /** Sets the number of worker threads (at least 1); results do not depend on it. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("Parallel.setThreads: " + threads + " threads; need at least 1");
        }
        if (threads == threads()) return;
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of {@code grain} indices (the last may be
     * shorter): chunk c is {@code [c*grain, min(n, (c+1)*grain))} whatever the thread count. The
     * chunks run inline, in order, when there is one chunk or one thread, or when called from a
     * worker (nested parallelism).
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        if (grain < 1) grain = 1;
        int chunks = (int) ((n + (long) grain - 1) / grain);
        ForkJoinPool p = pool;
        if (chunks == 1 || p.getParallelism() == 1 || ForkJoinTask.inForkJoinPool()) {
            for (int from = 0; from < n; from += grain) body.run(from, Math.min(n, from + grain));
            return;
        }
        final int g = grain;
        p.invoke(new Chunks(0, chunks, n, g, body));
    }

    /** The number of chunks {@link #forRange} uses for {@code n} indices and this grain. */
    public static int chunks(int n, int grain) {
        return n <= 0 ? 0 : (int) ((n + (long) Math.max(grain, 1) - 1) / Math.max(grain, 1));
    }

    private static final class Chunks extends RecursiveAction {
        private final int lo, hi, n, grain;
        private final RangeBody body;

        Chunks(int lo, int hi, int n, int grain, RangeBody body) {
            this.lo = lo;
            this.hi = hi;
            this.n = n;
            this.grain = grain;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int from = lo * grain;
                body.run(from, Math.min(n, from + grain));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunks(lo, mid, n, grain, body), new Chunks(mid, hi, n, grain, body));
        }
    }
}
