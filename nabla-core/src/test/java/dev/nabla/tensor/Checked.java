package dev.nabla.tensor;

import java.util.List;
import java.util.function.Supplier;

/**
 * One checked computation of a test table (a gradcheck case, a PyTorch fixture case): its
 * differentiable inputs and how to compute its outputs from them, so that
 * {@link PrimitiveCoverageTest} can see which primitives the table exercises.
 */
public record Checked(String name, List<Tensor> inputs, Supplier<List<Tensor>> outputs) {}
