package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Gradcheck;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ConvTranspose2d layer: its output sizes, that it is the adjoint of Conv2d with the same
 * weight, PyTorch's initialization bounds, gradients in float64 and errors. The op itself is
 * compared with PyTorch fixtures in TorchConvFixtureTest.
 */
class ConvTranspose2dTest {
    @Test
    void upsamplesAsThePyTorchFormulaSays() {
        Generator g = new Generator(1);
        ConvTranspose2d up = ConvTranspose2d.builder(8, 4, 4).stride(2).padding(1).generator(g).build();
        assertArrayEquals(new int[] {3, 4, 14, 14}, up.forward(Tensor.randn(g, 3, 8, 7, 7)).shape());
        ConvTranspose2d odd = ConvTranspose2d.builder(2, 6, 3, 2).stride(2, 3).padding(1, 0).outputPadding(1, 2)
                .dilation(1, 2).groups(2).generator(g).build();
        int[] expected = {6, (5 - 1) * 2 - 2 + 2 + 1 + 1, (4 - 1) * 3 + 2 * 1 + 2 + 1};
        assertArrayEquals(expected, odd.outputShape(new int[] {2, 5, 4}));
        assertArrayEquals(expected, odd.forward(Tensor.randn(g, 2, 5, 4)).shape());
        assertEquals("ConvTranspose2d(2, 6, kernel_size=(3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2),"
                + " dilation=(1, 2), groups=2)", odd.toString());
        assertEquals(2 * 3 * 3 * 2 + 6, odd.parameters().stream().mapToInt(Tensor::numel).sum());
    }

    /** ⟨convT(y), x⟩ = ⟨y, conv(x)⟩ for the Conv2d from x's channels to y's with the same weight. */
    @Test
    void isTheAdjointOfConv2dWithTheSameWeight() {
        Generator g = new Generator(2);
        ConvTranspose2d t = ConvTranspose2d.builder(5, 3, 3).stride(2).padding(1).bias(false).generator(g).build();
        t.toType(DType.FLOAT64);
        Tensor y = Tensor.randn(g, DType.FLOAT64, 2, 5, 6, 6);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 2, 3, 11, 11);
        double lhs = t.forward(y).mul(x).sum().item();
        double rhs = y.mul(x.conv2d(t.weight(), null, 2, 1)).sum().item();
        assertEquals(rhs, lhs, 1e-10 * Math.abs(rhs));
    }

    @Test
    void initializesAsPyTorchWithTheFanInOfItsWeightShape() {
        ConvTranspose2d t = ConvTranspose2d.builder(64, 16, 4).groups(2).generator(new Generator(3)).build();
        assertArrayEquals(new int[] {64, 8, 4, 4}, t.weight().shape());
        double bound = 1 / Math.sqrt(8 * 4 * 4);  // fan_in = out/groups·kh·kw, as PyTorch computes it
        for (Tensor p : List.of(t.weight(), t.bias())) {
            double max = p.abs().max().item();
            assertTrue(max <= bound && max > 0.9 * bound, p.shape().length + "-d: max |value| " + max + ", bound " + bound);
        }
    }

    @Test
    void gradcheckInFloat64() {
        Generator g = new Generator(4);
        ConvTranspose2d t = ConvTranspose2d.builder(2, 4, 3, 2).stride(2, 1).padding(1, 0).outputPadding(1, 0)
                .groups(2).generator(g).build();
        t.toType(DType.FLOAT64);
        Tensor y = Tensor.randn(g, DType.FLOAT64, 2, 2, 4, 3).requiresGrad(true);
        Gradcheck.assertGradients(xs -> t.forward(xs.get(0)), List.of(y, t.weight(), t.bias()), true);
    }

    @Test
    void badSettingsAndInputsAreRefusedWithTheFix() {
        ConvTranspose2d t = ConvTranspose2d.builder(8, 4, 4).stride(2).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.forward(Tensor.zeros(1, 3, 5, 5)));
        assertTrue(e.getMessage().contains("has 3 channels, expected 8") && e.getMessage().contains("ConvTranspose2d(3, 4"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvTranspose2d.builder(8, 4, 3).stride(2).outputPadding(2).build());
        assertTrue(e.getMessage().contains("output padding (2, 2) must be smaller than the stride (2, 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvTranspose2d.builder(6, 4, 3).groups(4).build());
        assertTrue(e.getMessage().contains("groups 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvTranspose2d.builder(2, 2, 3).padding(3).build().forward(Tensor.zeros(1, 2, 1, 1)));
        assertTrue(e.getMessage().contains("gives an output of"), e.getMessage());
    }
}
