package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private static void onThreads(int threads, Runnable r) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            r.run();
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void chunksAreFixedByNAndGrainWhateverTheThreadCount() {
        for (int threads : new int[] {1, 2, 3}) {
            onThreads(threads, () -> {
                Set<String> chunks = ConcurrentHashMap.newKeySet();
                Parallel.forRange(1000, 64, (from, to) -> chunks.add(from + "-" + to));
                assertEquals(16, chunks.size());
                for (int c = 0; c < 16; c++) assertEquals(true, chunks.contains(c * 64 + "-" + Math.min(1000, c * 64 + 64)));
            });
        }
    }

    @Test
    void insideALoopOnlyOneThreadIsAvailable() {
        onThreads(3, () -> {
            assertEquals(3, Parallel.available());
            Set<Integer> inside = ConcurrentHashMap.newKeySet();
            Parallel.forRange(64, 1, (from, to) -> inside.add(Parallel.available()));
            assertEquals(Set.of(1), inside, "on the caller and on the workers alike");
            assertEquals(3, Parallel.available(), "after the loop");
        });
        onThreads(1, () -> assertEquals(1, Parallel.available()));
    }

    @Test
    void everyIndexRunsOnceAndNestedLoopsRunInline() {
        onThreads(2, () -> {
            AtomicInteger sum = new AtomicInteger();
            Parallel.forRange(100, 7, (from, to) -> Parallel.forRange(to - from, 1, (a, b) -> sum.addAndGet(b - a)));
            assertEquals(100, sum.get());
        });
    }

    @Test
    void anExceptionInAnyChunkReachesTheCaller() {
        onThreads(2, () -> {
            var e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(1000, 10, (from, to) -> {
                if (from == 990) throw new IllegalStateException("chunk " + from);
            }));
            assertEquals("chunk 990", e.getMessage());
        });
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }

    @Test
    void concurrentCallersEachGetTheirWholeLoop() {
        onThreads(2, () -> {
            ExecutorService callers = Executors.newFixedThreadPool(3);
            try {
                Future<?>[] runs = new Future<?>[3];
                for (int c = 0; c < runs.length; c++) {
                    runs[c] = callers.submit(() -> {
                        for (int rep = 0; rep < 200; rep++) {
                            long[] sums = new long[50];
                            Parallel.forRange(1000, 20, (from, to) -> {
                                long s = 0;
                                for (int i = from; i < to; i++) s += i;
                                sums[from / 20] = s;
                            });
                            long total = 0;
                            for (long s : sums) total += s;
                            assertEquals(999L * 1000 / 2, total);
                        }
                    });
                }
                for (Future<?> f : runs) f.get();
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                callers.shutdown();
            }
        });
    }

    @Test
    void aFinishedLoopKeepsNothingItsBodyCaptured() {
        onThreads(2, () -> {
            WeakReference<float[]> captured = loopCapturingAnArray();
            for (int i = 0; i < 50 && captured.get() != null; i++) {
                System.gc();
                sleep(10);
            }
            assertTrue(captured.get() == null, "an idle worker still holds the last loop's body, and the array it captured");
        });
    }

    // a loop on the caller and a worker whose body reads an array that nothing else holds afterwards
    // (run again, a few times at most, if a loaded machine woke the worker only after the caller
    // had taken every chunk)
    private static WeakReference<float[]> loopCapturingAnArray() {
        for (int attempt = 0; attempt < 10; attempt++) {
            float[] array = new float[1 << 20];
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            Parallel.forRange(8, 1, (from, to) -> {
                ran.add(Thread.currentThread());
                sleep(2);  // long enough for the worker to wake up and take chunks
                array[from] = to;
            });
            if (ran.size() == 2) return new WeakReference<>(array);
        }
        throw new AssertionError("the worker took no chunk of 10 loops of 8 chunks of 2 ms");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
