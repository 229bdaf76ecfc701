package dev.nabla.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The bytes a training step allocates on the thread that runs it (the memory the collector has to
 * take back): the training steps of the cnn, dcgan and vgg16 protocols, once warm.
 * {@code bench/step-allocation [cnn|dcgan|vgg16]...} (default all three).
 */
final class StepAllocation {
    private StepAllocation() {}

    public static void main(String[] args) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        for (String name : args.length == 0 ? new String[] {"cnn", "dcgan", "vgg16"} : args) {
            Runnable step = switch (name) {
                case "cnn" -> CnnBench.cnnStep(4096);
                case "dcgan" -> CnnBench.dcganStep(4096);
                case "vgg16" -> CnnBench.vgg16Step();
                default -> throw new IllegalArgumentException("step-allocation: unknown protocol " + name + "; expected cnn, dcgan or vgg16");
            };
            int steps = name.equals("vgg16") ? 4 : 20; // as many again to warm up
            for (int i = 0; i < steps; i++) step.run();
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < steps; i++) step.run();
            double mb = (threads.getThreadAllocatedBytes(id) - before) / 1e6 / steps;
            System.out.printf(Locale.ROOT, "nabla %s: %.1f MB allocated a training step (mean of %d, after %d)%n", name, mb, steps, steps);
        }
    }
}
