package dev.nabla.bench;

import dev.nabla.nn.Layer;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Vgg;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The memory a training step's tape holds: VGG16 (configuration D, 2 classes, no dropout) on
 * 224×224×3 images, the heap in use after the forward pass and the loss less the heap in use
 * before it (each after full collections: the live bytes); bench/torch_saved_activations.py counts
 * PyTorch's saved tensors for the same net. {@code bench/saved-activations [BATCH...]} runs both.
 */
final class SavedActivations {
    private SavedActivations() {}

    public static void main(String[] args) {
        for (String arg : args.length == 0 ? new String[] {"2", "8"} : args) {
            int batch = Integer.parseInt(arg);
            Generator g = new Generator(0);
            Layer model = Vgg.builder("D").classes(2).dropout(0).generator(g).build();
            Tensor x = Tensor.rand(g, batch, 3, 224, 224), y = Tensor.randint(g, 0, 2, batch);
            long before = liveBytes();
            Tensor loss = Losses.crossEntropy(model.forward(x), y);
            long held = liveBytes() - before;
            loss.backward();
            System.out.printf(Locale.ROOT, "nabla VGG16 batch %d: activations held after the forward pass %.0f MB%n", batch, held / 1e6);
        }
    }

    private static long liveBytes() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
