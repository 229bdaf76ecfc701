package dev.nabla.data;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransformsTest {
    /** n images [c, h, w] whose value at (i, ch, r, col) is i·1000 + ch·100 + r·10 + col + 1. */
    static Tensor images(int n, int c, int h, int w) {
        float[] x = new float[n * c * h * w];
        int k = 0;
        for (int i = 0; i < n; i++) for (int ch = 0; ch < c; ch++) for (int r = 0; r < h; r++) for (int col = 0; col < w; col++) {
            x[k++] = i * 1000 + ch * 100 + r * 10 + col + 1;
        }
        return Tensor.of(x, n, c, h, w);
    }

    @Test
    void normalizeIsPerChannel() {
        Tensor x = images(2, 2, 1, 2);
        Tensor y = Transforms.normalize(new double[] {1, 100}, new double[] {2, 4}).apply(x, new Generator(0));
        assertArrayEquals(new float[] {0, 0.5f, 0.25f, 0.5f, 500, 500.5f, 250.25f, 250.5f}, y.toFloatArray());
        Tensor flat = Transforms.normalize(new double[] {1}, new double[] {2}).apply(Tensor.of(new float[] {1, 3, 5, 7}, 2, 2), null);
        assertArrayEquals(new float[] {0, 1, 2, 3}, flat.toFloatArray());
        assertArrayEquals(images(2, 2, 1, 2).toFloatArray(), x.toFloatArray(), "input unchanged");
        assertThrows(IllegalArgumentException.class, () -> Transforms.normalize(new double[] {0, 0, 0}, new double[] {1, 1, 1})
                .apply(x, null));
        assertThrows(IllegalArgumentException.class, () -> Transforms.normalize(new double[] {0}, new double[] {0}));
    }

    @Test
    void randomCropShiftsEachImageWithZeroPadding() {
        Tensor x = images(50, 2, 5, 6);
        Tensor y = Transforms.randomCrop(2).apply(x, new Generator(3));
        assertArrayEquals(x.shape(), y.shape());
        float[] a = x.toFloatArray(), b = y.toFloatArray();
        int shifted = 0;
        for (int i = 0; i < 50; i++) {
            // find the shift from a pixel known to be inside: the window always covers the centre
            int found = 0;
            for (int dy = -2; dy <= 2; dy++) {
                for (int dx = -2; dx <= 2; dx++) {
                    boolean ok = true;
                    for (int ch = 0; ch < 2 && ok; ch++) for (int r = 0; r < 5 && ok; r++) for (int c = 0; c < 6 && ok; c++) {
                        int sr = r + dy, sc = c + dx;
                        float expected = sr < 0 || sr >= 5 || sc < 0 || sc >= 6 ? 0 : a[((i * 2 + ch) * 5 + sr) * 6 + sc];
                        ok = b[((i * 2 + ch) * 5 + r) * 6 + c] == expected;
                    }
                    if (ok) {
                        found++;
                        if (dy != 0 || dx != 0) shifted++;
                    }
                }
            }
            assertEquals(1, found, "image " + i + " is the original shifted by one (dy, dx) in [-2, 2]²");
        }
        assertTrue(shifted > 40, "most images are shifted: " + shifted);
        assertContentEquals(x, Transforms.randomCrop(0).apply(x, new Generator(1)));
        assertContentEquals(y, Transforms.randomCrop(2).apply(x, new Generator(3)), "same seed, same crops");
    }

    @Test
    void horizontalFlipMirrorsWholeImagesWithTheGivenProbability() {
        Tensor x = images(400, 2, 2, 3);
        Tensor all = Transforms.randomHorizontalFlip(1).apply(x, new Generator(0));
        assertArrayEquals(new float[] {3, 2, 1, 13, 12, 11, 103, 102, 101}, java.util.Arrays.copyOf(all.toFloatArray(), 9));
        assertContentEquals(x, Transforms.randomHorizontalFlip(0).apply(x, new Generator(0)));
        Tensor half = Transforms.randomHorizontalFlip(0.5).apply(x, new Generator(7));
        int flipped = 0;
        for (int i = 0; i < 400; i++) {
            Tensor img = half.select(0, i);
            if (img.contentEquals(all.select(0, i))) flipped++;
            else assertContentEquals(x.select(0, i), img);
        }
        assertTrue(flipped > 160 && flipped < 240, "about half flipped: " + flipped);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transforms.randomHorizontalFlip(0.5).apply(Tensor.zeros(4, 784), new Generator(0)));
        assertTrue(e.getMessage().contains("[4, 784]") && e.getMessage().contains("flatten layer"), e.getMessage());
    }

    @Test
    void augmentingTheTrainingPartLeavesValidationAlone() {
        TensorDataset data = new TensorDataset(images(20, 1, 4, 4), Tensor.arange(20));
        Splits.TrainValidation split = Splits.trainValidation(data, 0.25, new Generator(0));
        Transform augment = Transforms.compose(Transforms.randomCrop(1), Transforms.randomHorizontalFlip(0.5));
        Dataset train = new TransformedDataset(split.train(), augment, 42);
        int[] all = new int[15];
        for (int i = 0; i < 15; i++) all[i] = i;
        Batch raw = split.train().get(all), aug = train.get(all);
        assertContentEquals(raw.targets(), aug.targets());
        assertFalse(raw.inputs().contentEquals(aug.inputs()));
        // the same seed replays the same augmentations; the next batch gets new ones
        TransformedDataset again = new TransformedDataset(split.train(), augment, 42);
        assertContentEquals(aug.inputs(), again.get(all).inputs());
        assertFalse(aug.inputs().contentEquals(again.get(all).inputs()));
        // the validation part is served unchanged, batch after batch
        List<Batch> v = List.of(split.validation().get(new int[] {0, 1, 2, 3, 4}));
        assertContentEquals(data.get(split.validation().indices()).inputs(), v.get(0).inputs());
    }

    @Test
    void channelStatsMatchTheDirectComputation() {
        Tensor x = images(3, 2, 2, 2);
        double[][] s = Transforms.channelStats(new TensorDataset(x, null));
        Tensor c0 = x.select(1, 0).toType(dev.nabla.tensor.DType.FLOAT64);
        assertEquals(c0.mean().item(), s[0][0], 1e-9);
        assertEquals(c0.std(new int[] {0, 1, 2}, 0, false).item(), s[1][0], 1e-9);
        assertEquals(x.select(1, 1).toType(dev.nabla.tensor.DType.FLOAT64).mean().item(), s[0][1], 1e-9);
    }
}
