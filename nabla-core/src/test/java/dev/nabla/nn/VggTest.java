package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The VGG configurations against the course's VGG16 table and torchvision's parameter counts. */
class VggTest {
    /** The course's per-layer counts for VGG16 with a 2-class head, in order. */
    private static final long[] COURSE_VGG16_2 = {1792, 36928, 73856, 147584, 295168, 590080, 590080, 1180160,
            2359808, 2359808, 2359808, 2359808, 2359808, 102764544, 16781312, 8194};

    private record Row(String layer, String shape, long params) {}

    private static List<Row> rows(String summary) {
        List<Row> rows = new ArrayList<>();
        for (String line : summary.split("\n")) {
            if (!line.matches("\\d+ \\(.*")) continue;
            String[] cols = line.trim().split("\\s{2,}");
            rows.add(new Row(cols[0], cols[1], Long.parseLong(cols[2].replace(",", ""))));
        }
        return rows;
    }

    @Test
    void vgg16SummaryHasTheCoursesCountsAndShapes() {
        Sequential net = Vgg.vgg16(2);
        long start = System.nanoTime();
        String s = net.summary(3, 224, 224);
        assertTrue(System.nanoTime() - start < 5e9, "the summary computes shapes, not a forward pass");
        List<Row> rows = rows(s);
        List<Long> counts = new ArrayList<>();
        for (Row r : rows) if (r.params() != 0) counts.add(r.params());
        assertEquals(COURSE_VGG16_2.length, counts.size(), s);
        for (int i = 0; i < COURSE_VGG16_2.length; i++) assertEquals(COURSE_VGG16_2[i], counts.get(i), "layer " + i + " of\n" + s);
        assertTrue(s.contains("\nTotal params: 134,268,738\n"), s);
        assertTrue(s.contains("\nTrainable params: 134,268,738\n"), s);
        assertTrue(s.contains("\nNon-trainable params: 0\n"), s);
        // shapes, channels first: (None, 64, 224, 224) ... (None, 512, 7, 7), flatten 25088
        assertEquals(new Row("0 (Conv2d)", "(None, 64, 224, 224)", 1792), rows.get(0));
        Row lastPool = rows.stream().filter(r -> r.layer().contains("MaxPool2d")).reduce((a, b) -> b).orElseThrow();
        assertEquals("(None, 512, 7, 7)", lastPool.shape());
        Row flatten = rows.stream().filter(r -> r.layer().contains("Flatten")).findFirst().orElseThrow();
        assertEquals("(None, 25088)", flatten.shape());
        assertEquals("(None, 2)", rows.get(rows.size() - 1).shape());
        assertEquals(13, rows.stream().filter(r -> r.layer().contains("Conv2d")).count());
        assertEquals(5, rows.stream().filter(r -> r.layer().contains("MaxPool2d")).count());
    }

    @Test
    void vgg16With1000Classes() {
        assertEquals(138_357_544L, Vgg.vgg16(1000).parameterCount());
    }

    /**
     * The other configurations, against torchvision's totals for 1000 classes (vgg11 132,863,336,
     * vgg13 133,047,848, vgg19 143,667,240, vgg16_bn 138,365,992) and the paper's C (VGG16 with
     * 1×1 convolutions): the convolutional part is built on small inputs with a small head, and
     * the classifier of the 224×224 network (identical for all: 123,642,856) added.
     */
    @Test
    void configurationsAToE() {
        long classifier224 = 25088L * 4096 + 4096 + 4096L * 4096 + 4096 + 4096L * 1000 + 1000;
        long smallHead = 512L * 16 + 16 + 16 * 16 + 16 + 16 * 1000 + 1000;
        String[] configs = {"A", "vgg13", "C", "vgg16", "E"};
        long[] torchvision = {132_863_336L, 133_047_848L, 133_638_952L, 138_357_544L, 143_667_240L};
        for (int i = 0; i < configs.length; i++) {
            Sequential net = Vgg.builder(configs[i]).input(3, 32, 32).hidden(16).generator(new Generator(i)).build();
            assertEquals(torchvision[i], net.parameterCount() - smallHead + classifier224, configs[i]);
            assertArrayEquals(new int[] {2, 1000}, net.outputShape(new int[] {2, 3, 32, 32}), configs[i]);
        }
        Sequential bn = Vgg.builder("D").input(3, 32, 32).hidden(16).batchNorm(true).build();
        assertEquals(138_365_992L, bn.trainableParameterCount() - smallHead + classifier224, "vgg16_bn");
        long running = bn.namedBuffers().values().stream().filter(b -> b.dtype().isFloating()).mapToLong(Tensor::numel).sum();
        assertEquals(2 * 4224, running, "running mean and variance of the 13 batch norms: non-trainable");
    }

    @Test
    void aSmallVggTrainsOneStepAndRejectsTinyInputs() {
        Sequential net = Vgg.builder("A").input(1, 32, 32).classes(3).hidden(8).batchNorm(true).generator(new Generator(1)).build();
        Tensor x = Tensor.randn(new Generator(2), 2, 1, 32, 32);
        Tensor loss = Losses.crossEntropy(net.forward(x), Tensor.of(new long[] {0, 2}));
        loss.backward();
        for (Tensor p : net.parameters()) assertTrue(p.grad() != null, "every parameter gets a gradient");
        var e = assertThrows(IllegalArgumentException.class, () -> Vgg.builder("D").input(3, 16, 16).build());
        assertTrue(e.getMessage().contains("at least 32x32"), e.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class, () -> Vgg.builder("F"));
        assertTrue(unknown.getMessage().contains("vgg16"), unknown.getMessage());
    }
}
