package dev.nabla.course;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * The exercise sheet's activation identities, checked on 4001 points of [−20, 20] with the
 * derivatives taken by autograd: σ(−x) = 1 − σ(x), tanh(x) = 2σ(2x) − 1, σ' = σ(1 − σ) =
 * σ(−x)σ(x), tanh'(x) = 4(1 − σ(2x))σ(2x), 0 &lt; σ' ≤ 1/4 and 0 &lt; tanh' ≤ 1: why deep
 * sigmoid networks have vanishing gradients.
 */
public final class Activations extends CourseProgram {
    @Override
    public String name() {
        return "activations";
    }

    @Override
    public String title() {
        return "sigmoid and tanh identities, their derivatives by autograd, σ' ≤ 1/4 and tanh' ≤ 1";
    }

    private static Tensor derivative(UnaryOperator<Tensor> f, Tensor x) {
        Tensor at = x.detach().requiresGrad(true);
        f.apply(at).sum().backward();
        return at.grad();
    }

    private static double maxAbs(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item();
    }

    @Override
    protected void compute() throws IOException {
        Tensor x = Tensor.linspace(DType.FLOAT64, -20, 20, 4001);
        Tensor s = x.sigmoid(), s2 = x.mul(2).sigmoid();
        Tensor ds = derivative(Tensor::sigmoid, x), dt = derivative(Tensor::tanh, x);
        line("On 4001 points of [-20, 20], float64, derivatives by autograd; largest |left − right|:");
        line("  σ(−x) = 1 − σ(x)                 %.1e", figure("sigmoidSymmetry", maxAbs(x.neg().sigmoid(), s.rsub(1))));
        line("  tanh(x) = 2σ(2x) − 1             %.1e", figure("tanhFromSigmoid", maxAbs(x.tanh(), s2.mul(2).sub(1))));
        line("  σ'(x) = σ(x)(1 − σ(x))           %.1e", figure("sigmoidPrime", maxAbs(ds, s.mul(s.rsub(1)))));
        line("  σ'(x) = σ(−x)σ(x)                %.1e", figure("sigmoidPrimeSymmetric", maxAbs(ds, x.neg().sigmoid().mul(s))));
        line("  tanh'(x) = 4(1 − σ(2x))σ(2x)     %.1e", figure("tanhPrime", maxAbs(dt, s2.rsub(1).mul(s2).mul(4))));
        double maxS = figure("maxSigmoidPrime", ds.max().item()), minS = figure("minSigmoidPrime", ds.min().item());
        double maxT = figure("maxTanhPrime", dt.max().item());
        Tensor inner = Tensor.linspace(DType.FLOAT64, -15, 15, 3001);
        double minT = figure("minTanhPrime", derivative(Tensor::tanh, inner).min().item());
        line("  σ' ranges over [%.3e, %.4f]: 0 < σ' ≤ 1/4, the maximum at x = 0", minS, maxS);
        line("  tanh' ranges over [%.3e, %.4f] on [-15, 15]: 0 < tanh' ≤ 1 (beyond |x| ≈ 18.7, tanh rounds to ±1 in float64)", minT, maxT);
        line("");
        line("Backprop multiplies one σ' per layer: through 10 sigmoid layers the gradient shrinks by at least");
        line("(1/4)^10 = %.2e (times the weights): vanishing gradients. ReLU's derivative is 1 for positive inputs.",
                figure("quarterToTheTenth", Math.pow(0.25, 10)));
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new Activations(), args);
    }
}
