package dev.nabla.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The one shared worker pool of nabla, sized to the cores and settable.
 *
 * <p>Work is split into chunks whose boundaries depend only on the problem size and the grain,
 * never on the number of threads, and every chunk writes its own part of the output. A kernel
 * that reduces partial results combines them in chunk order. So a program gives bitwise the same
 * numbers on 1 thread or 16.
 *
 * <p>The calling thread works too: it takes chunks from the same counter as the workers, so a
 * parallel loop starts at once instead of waiting for a parked worker to wake up (tens to
 * hundreds of microseconds here), and a worker that comes after the work is gone just leaves.
 * A worker that finished a loop waits {@value #WAIT_NANOS} ns before it parks, and a caller
 * whose chunks are done waits as long for the workers' last chunks: a training step or a run of
 * products then hands work over in about a microsecond instead of a wake-up, which is what makes
 * two threads pay off on a 256×256 product. A second caller while a loop runs computes its own
 * loop alone.
 */
public final class Parallel {
    /**
     * How long an idle thread polls before it parks. Waking a parked thread took 30–300 µs on
     * the 2-vCPU machines here; OpenMP runtimes spin similarly (libgomp's default spin count).
     */
    static final long WAIT_NANOS = 200_000;
    /**
     * How long of that it spins; after that it yields its core between polls, so that a thread
     * with work on it, such as the JIT compiler, runs, and when none has, the yield returns at
     * once. Spinning throughout kept the JIT off that core through the warm-up: the mlp
     * protocol's timed epochs, which run while C2 still compiles, took 0.88–0.94 s instead of
     * 0.73–0.75 (three alternated pairs); the cnn and dcgan steps were within their spread.
     */
    static final long SPIN_NANOS = 20_000;

    private static volatile Pool pool = new Pool(defaultThreads());

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

    /** The threads computing a parallel loop: the caller and {@code threads − 1} workers. */
    private static final class Pool {
        final int threads;
        final Worker[] workers;
        /** The loop being computed, or null; workers join it. */
        final AtomicReference<Job> current = new AtomicReference<>();
        volatile boolean shutdown;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = new Worker(this, "nabla-" + w);
                workers[w].start();
            }
        }

        void shutdown() {
            shutdown = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    /** A pool thread; a parallel loop started on one runs inline (no nested parallelism). */
    private static final class Worker extends Thread {
        final Pool pool;
        /** True while parked or about to park: a caller must unpark it. */
        volatile boolean parked;

        Worker(Pool pool, String name) {
            super(name);
            this.pool = pool;
            setDaemon(true);
        }

        // The loop last run is known by its number, not held: a worker waits, parked or not, until
        // the next loop, and a reference to the last Job kept alive what its body captured, the
        // arrays of that op. After the elementwise bench's chains (16M floats) a collection left 457
        // MB live instead of 306 (its four inputs and two dead 64 MB results), and in alternated
        // pairs of its runs the fused chain ran at 13.4–14.4 GB/s instead of 9.0–13.3, op by op
        // 8.8–9.6 instead of 7.4–8.6 (G1 marked the larger heap more often). No local of the waiting
        // frames holds a Job either: an interpreted frame keeps every local alive, and a worker that
        // parked while the caller still ran its last chunk kept the loop it had read (a heap dump
        // showed it held by Worker.run's frame).
        @Override
        public void run() {
            long last = 0;
            while (!pool.shutdown) {
                last = runIfNew(pool.current.get(), last);
                awaitLoopAfter(last);
            }
        }

        // runs job if it is not the loop last run; returns the id of the loop last run
        private static long runIfNew(Job job, long last) {
            if (!isNew(job, last)) return last;
            job.run();
            return job.id;
        }

        private static boolean isNew(Job job, long last) {
            return job != null && job.id != last;
        }

        // returns once a loop other than last is published, or the pool shuts down
        private void awaitLoopAfter(long last) {
            long idleSince = System.nanoTime();
            while (!isNew(pool.current.get(), last) && !pool.shutdown) {
                long idle = System.nanoTime() - idleSince;
                if (idle < WAIT_NANOS) {
                    pause(idle);
                } else {
                    parked = true;  // then look again: a caller publishes, then reads parked
                    if (!isNew(pool.current.get(), last) && !pool.shutdown) LockSupport.park(this);
                    parked = false;
                }
            }
        }
    }

    // one poll's pause for a thread that has waited this long: a spin, then a yield
    private static void pause(long waitedNanos) {
        if (waitedNanos < SPIN_NANOS) Thread.onSpinWait();
        else Thread.yield();
    }

    /** The number of threads a parallel loop uses (the caller included). */
    public static int threads() {
        return pool.threads;
    }

    /**
     * The threads a loop started now on this thread would use: 1 inside a parallel loop (on a worker,
     * or on a caller while its loop, or another's, holds the pool), where loops run inline; else
     * {@link #threads()}. For work split by the thread count: a GEMM inside a loop over examples cut
     * its tiles for two threads and packed its operand twice, to run them all on one.
     */
    public static int available() {
        Pool p = pool;
        return Thread.currentThread() instanceof Worker || p.current.get() != null ? 1 : p.threads;
    }

    /** Sets the number of threads (at least 1); results do not depend on it. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("Parallel.setThreads: " + threads + " threads; need at least 1");
        }
        if (threads == threads()) return;
        Pool old = pool;
        pool = new Pool(threads);
        old.shutdown();
    }

    /** The number of chunks {@link #forRange} uses for {@code n} indices and this grain. */
    public static int chunks(int n, int grain) {
        return n <= 0 ? 0 : (int) ((n + (long) Math.max(grain, 1) - 1) / Math.max(grain, 1));
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of {@code grain} indices (the last may be
     * shorter): chunk c is {@code [c*grain, min(n, (c+1)*grain))} whatever the thread count. The
     * chunks run inline, in order, when there is one chunk or one thread, when called from a
     * worker (nested parallelism), or while another caller's loop holds the pool. An exception in
     * a chunk is rethrown to the caller.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(grain, 1);
        int chunks = chunks(n, g);
        Pool p = pool;
        Job job;
        if (chunks == 1 || p.workers.length == 0 || Thread.currentThread() instanceof Worker
                || !p.current.compareAndSet(null, job = new Job(n, g, chunks, body))) {
            for (int from = 0; from < n; from += g) body.run(from, Math.min(n, from + g));
            return;
        }
        for (Worker w : p.workers) {
            if (w.parked) LockSupport.unpark(w);
        }
        try {
            job.run();
            long waitSince = System.nanoTime();
            while (job.done.get() < chunks) {
                long waited = System.nanoTime() - waitSince;
                if (waited < WAIT_NANOS) pause(waited);
                else LockSupport.park(job);
            }
        } finally {
            p.current.set(null);
        }
        Throwable e = job.error.get();
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error err) throw err;
    }

    /** One parallel loop: threads take chunk indices from a shared counter until none are left. */
    private static final class Job implements Runnable {
        private static final AtomicLong IDS = new AtomicLong();

        /** Unique, from 1 on. */
        final long id = IDS.incrementAndGet();
        final int n, grain, chunks;
        final RangeBody body;
        final Thread caller = Thread.currentThread();
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();

        Job(int n, int grain, int chunks, RangeBody body) {
            this.n = n;
            this.grain = grain;
            this.chunks = chunks;
            this.body = body;
        }

        @Override
        public void run() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    if (error.get() == null) body.run(c * grain, (int) Math.min(n, (long) (c + 1) * grain));
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                }
                if (done.incrementAndGet() == chunks) LockSupport.unpark(caller);
            }
        }
    }
}
