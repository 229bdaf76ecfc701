package dev.nabla.course;

import dev.nabla.nn.Linear;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/**
 * Without nonlinear activations, stacked layers collapse to one linear map: three Linear layers
 * equal one with W = W3·W2·W1 and b = W3(W2·b1 + b2) + b3. With a ReLU between them they do
 * not: the network is no longer affine (its value at a midpoint is not the mean of its values).
 */
public final class LinearCollapse extends CourseProgram {
    @Override
    public String name() {
        return "linear-collapse";
    }

    @Override
    public String title() {
        return "three Linear layers without activations equal one Linear layer";
    }

    @Override
    protected void compute() throws IOException {
        Generator g = new Generator(6);
        Linear a = lin(4, 8, g), b = lin(8, 6, g), c = lin(6, 2, g);
        Sequential stack = new Sequential(a, b, c);
        Linear one = lin(4, 2, g);
        try (var s = GradMode.noGrad()) {
            one.weight().copyFrom(c.weight().matmul(b.weight()).matmul(a.weight()));
            one.bias().copyFrom(c.weight().matmul(b.weight().matmul(a.bias()).add(b.bias())).add(c.bias()));
        }
        Tensor x = Tensor.randn(new Generator(7), DType.FLOAT64, 50, 4);
        double d, linDefect, reluDefect;
        Sequential relu = new Sequential(a, new ReLU(), b, new ReLU(), c);
        try (var s = GradMode.noGrad()) {
            d = stack.forward(x).sub(one.forward(x)).abs().max().item();
            linDefect = midpointDefect(stack, x);
            reluDefect = midpointDefect(relu, x);
        }
        line("Linear(4, 8) → Linear(8, 6) → Linear(6, 2): %d parameters", stack.parameterCount());
        line("one Linear(4, 2) with W = W3·W2·W1, b = W3(W2·b1 + b2) + b3: %d parameters", one.parameterCount());
        line("largest difference of their outputs on 50 random inputs: %.1e", figure("maxDifference", d));
        figure("stackedParameters", stack.parameterCount());
        figure("collapsedParameters", one.parameterCount());
        line("");
        line("affine test f((x + x')/2) = (f(x) + f(x'))/2, largest violation over 25 pairs:");
        line("  the linear stack:          %.1e (affine)", figure("linearMidpointDefect", linDefect));
        line("  the same layers with ReLU: %.1e (not affine: depth adds expressive power only with a nonlinearity)",
                figure("reluMidpointDefect", reluDefect));
    }

    private static Linear lin(int in, int out, Generator g) {
        return (Linear) new Linear(in, out, g).toType(DType.FLOAT64);
    }

    private static double midpointDefect(Layer f, Tensor x) {
        Tensor p = x.narrow(0, 0, 25), q = x.narrow(0, 25, 25);
        Tensor mid = f.forward(p.add(q).mul(0.5));
        Tensor mean = f.forward(p).add(f.forward(q)).mul(0.5);
        return mid.sub(mean).abs().max().item();
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new LinearCollapse(), args);
    }
}
