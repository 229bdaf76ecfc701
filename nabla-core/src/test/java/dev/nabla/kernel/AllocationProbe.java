package dev.nabla.kernel;

import java.lang.management.ManagementFactory;

/**
 * Run by {@link KernelAllocationTest} in a JVM of its own: tanh and sigmoid in turn on 768 floats
 * (or, with the argument "staged", {@link StagedLoopsTest#TWO_TANH}'s compiled loop), in rounds of
 * 4,000 calls, each round's bytes per call on this thread printed. It stops once at least 40 rounds
 * and 2 s have passed and the last 10 rounds allocated nothing, or after 20 s. The old code
 * allocated nothing for a few rounds, once C2 had compiled the loops, and boxed from round 10 or
 * so on, when C2 compiled their caller.
 */
public final class AllocationProbe {
    private AllocationProbe() {}

    public static void main(String[] args) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId(), start = System.nanoTime();
        int n = 768;
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) x[i] = (i % 97) * 0.03f - 1.5f;
        boolean staged = args.length > 0 && args[0].equals("staged");
        FusedLoop loop = staged ? StagedLoops.compile(StagedLoopsTest.TWO_TANH) : null;
        float[][] inputs = {x, x, x, x};
        int[] offsets = new int[4];
        for (int round = 0, clean = 0; ; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int r = 0; r < 2000; r++) {
                if (staged) {
                    loop.run(inputs, offsets, y, 0, 0, n);
                    loop.run(inputs, offsets, x, 0, 0, n);
                    continue;
                }
                VectorTranscendentals.tanh(x, 0, y, 0, n);
                VectorTranscendentals.sigmoid(x, 0, y, 0, n);
            }
            long perCall = (threads.getThreadAllocatedBytes(id) - before) / 4000;
            System.out.println("bytes per call: " + perCall);
            clean = perCall == 0 ? clean + 1 : 0;
            double seconds = (System.nanoTime() - start) / 1e9;
            if (round >= 40 && seconds >= 2 && clean >= 10 || seconds >= 20) return;
        }
    }
}
