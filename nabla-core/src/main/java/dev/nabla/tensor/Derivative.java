package dev.nabla.tensor;

/**
 * The local derivative of an op with respect to one of its inputs, as a map from the gradient of
 * the op's output to the gradient of that input (a vector-Jacobian product). Written with
 * differentiable tensor ops, so the derivative can itself be differentiated.
 */
@FunctionalInterface
public interface Derivative {
    Tensor apply(Tensor gradOutput);
}
