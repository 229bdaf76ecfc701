/**
 * Charts for nabla's training and teaching tools, written as PNG or SVG files.
 *
 * <ul>
 *   <li>{@link dev.nabla.plot.LineChart}: named series of (x, y) points drawn as lines, markers or
 *       both, with optional log axes: loss curves, fitted curve over the true one, loss against
 *       learning rate, per-layer gradient norms.</li>
 *   <li>{@link dev.nabla.plot.ContourChart}: level lines of a 2-D function over a box (marching
 *       squares) with optimizer paths drawn on top.</li>
 *   <li>{@link dev.nabla.plot.ImageGrid}: a grid of small grayscale images with captions.</li>
 * </ul>
 *
 * <p>Input is plain {@code double[]}/{@code float[]} arrays; output is a file, written atomically
 * (temp file in the same folder, then a rename) with missing parent folders created. Rendering
 * runs headless: {@code java.awt.headless} is set to {@code true} unless the application already
 * chose a value. Bad input throws {@link java.lang.IllegalArgumentException} naming the chart,
 * the series and the problem.
 */
package dev.nabla.plot;
