/**
 * The expression language of {@code nabla gd} and {@code nabla optimize}: functions of x and y
 * typed as text ({@code "(1 - x)^2 + 100*(y - x^2)^2"}), parsed by hand-written recursive
 * descent and evaluated with nabla tensor ops, so autograd differentiates them to any order.
 * See {@link dev.nabla.cli.expr.Expression}.
 */
package dev.nabla.cli.expr;
