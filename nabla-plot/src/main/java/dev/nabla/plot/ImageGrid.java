package dev.nabla.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A PNG of small grayscale images laid out in a grid, each with a caption underneath: sample
 * inputs with their predicted and true labels, filters, reconstructions.
 *
 * <pre>{@code
 * ImageGrid.save(Path.of("out/samples.png"), images, 28, 28,
 *         new String[] {"pred: Shirt\ntrue: T-shirt", ...}, 8);
 * }</pre>
 *
 * <p>Each image is {@code height * width} values in row-major order. If every value of every
 * image lies in [0, 1], values are intensities (0 black, 1 white); otherwise each image is
 * scaled from its own minimum (black) to its maximum (white), which suits raw 0..255 pixels and
 * standardized inputs alike. Small images are enlarged by an integer factor (nearest neighbour)
 * to about 112 pixels. A caption may have several lines ({@code '\n'}); lines too wide for the
 * cell are cut with an ellipsis. The file is always PNG, written atomically. Bad input (wrong
 * image length, NaN pixels, caption count mismatch) throws {@link IllegalArgumentException}.
 */
public final class ImageGrid {

    static {
        ChartFiles.ensureHeadless(); // before any AWT class starts a toolkit
    }

    private static final int TARGET = 112;
    private static final int PAD = 8;
    private static final Color MARKED = new Color(0xc62828);

    private ImageGrid() {}

    /**
     * Writes the grid as a PNG.
     *
     * @param images   one array of {@code height * width} values per image
     * @param captions one caption per image, or null for none
     * @param columns  images per row (the last row may be shorter)
     */
    public static void save(Path file, float[][] images, int height, int width, String[] captions, int columns)
            throws IOException {
        save(file, images, height, width, captions, null, columns);
    }

    /**
     * Writes the grid as a PNG; captions of images with {@code marked[k]} set are drawn in red
     * (for example the misclassified ones).
     *
     * @param marked one flag per image, or null for none
     */
    public static void save(Path file, float[][] images, int height, int width, String[] captions, boolean[] marked,
                            int columns) throws IOException {
        BufferedImage img = render(images, height, width, captions, marked, columns);
        ChartFiles.writeAtomically(file, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("ImageGrid: no PNG writer available in this JDK");
            }
        });
    }

    /** Draws the grid into an image, as {@link #save} writes it (for image summaries and web pages). */
    public static BufferedImage render(float[][] images, int height, int width, String[] captions, boolean[] marked,
                                int columns) {
        ChartFiles.ensureHeadless();
        check(images, height, width, captions, marked, columns);
        int n = images.length;
        int cols = Math.min(columns, n);
        int rows = (n + cols - 1) / cols;
        int scale = Math.max(1, Math.round(TARGET / (float) Math.max(height, width)));
        int imgW = width * scale;
        int imgH = height * scale;

        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        int maxLines = 0;
        int widest = 0;
        if (captions != null) {
            for (String c : captions) {
                String[] lines = lines(c);
                maxLines = Math.max(maxLines, lines.length);
                for (String l : lines) widest = Math.max(widest, fm.stringWidth(l));
            }
        }
        pg.dispose();
        int cellW = Math.max(imgW, Math.min(widest, Math.max(2 * imgW, 160)));
        int lineH = fm.getHeight();
        int capH = maxLines == 0 ? 0 : maxLines * lineH + 4;
        int cellH = imgH + capH;
        int outW = cols * cellW + (cols + 1) * PAD;
        int outH = rows * cellH + (rows + 1) * PAD;

        BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, outW, outH);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            boolean unit = allInUnitRange(images);
            for (int k = 0; k < n; k++) {
                int cx = PAD + (k % cols) * (cellW + PAD);
                int cy = PAD + (k / cols) * (cellH + PAD);
                int ix = cx + (cellW - imgW) / 2;
                BufferedImage tile = gray(images[k], height, width, unit);
                g.drawImage(tile, ix, cy, imgW, imgH, null);
                g.setColor(new Color(0xbbbbbb));
                g.drawRect(ix - 1, cy - 1, imgW + 1, imgH + 1);
                if (captions != null && captions[k] != null) {
                    g.setColor(marked != null && marked[k] ? MARKED : Color.BLACK);
                    String[] lines = lines(captions[k]);
                    for (int l = 0; l < lines.length; l++) {
                        String text = fit(lines[l], fm, cellW);
                        int tx = cx + (cellW - fm.stringWidth(text)) / 2;
                        int ty = cy + imgH + 2 + l * lineH + fm.getAscent();
                        g.drawString(text, tx, ty);
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void check(float[][] images, int height, int width, String[] captions, boolean[] marked, int columns) {
        if (images == null || images.length == 0) {
            throw new IllegalArgumentException("ImageGrid: no images to draw");
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("ImageGrid: image size " + height + "x" + width + " must be positive");
        }
        if ((long) height * width > 4096L * 4096L) {
            throw new IllegalArgumentException("ImageGrid: images of " + height + "x" + width + " are too large for a grid");
        }
        if (columns < 1) {
            throw new IllegalArgumentException("ImageGrid: columns must be at least 1, got " + columns);
        }
        if (captions != null && captions.length != images.length) {
            throw new IllegalArgumentException("ImageGrid: " + images.length + " images but " + captions.length
                    + " captions; give one caption per image (or null for none)");
        }
        if (marked != null && marked.length != images.length) {
            throw new IllegalArgumentException("ImageGrid: " + images.length + " images but " + marked.length
                    + " marks; give one flag per image (or null for none)");
        }
        for (int k = 0; k < images.length; k++) {
            float[] im = images[k];
            if (im == null) {
                throw new IllegalArgumentException("ImageGrid: image " + k + " is null");
            }
            if (im.length != height * width) {
                throw new IllegalArgumentException("ImageGrid: image " + k + " has " + im.length + " values, expected "
                        + height + "x" + width + " = " + height * width);
            }
            for (int p = 0; p < im.length; p++) {
                if (!Float.isFinite(im[p])) {
                    throw new IllegalArgumentException("ImageGrid: image " + k + " has " + im[p] + " at pixel (row "
                            + p / width + ", column " + p % width + "); pixels must be finite");
                }
            }
        }
    }

    private static boolean allInUnitRange(float[][] images) {
        for (float[] im : images) {
            for (float v : im) {
                if (v < 0f || v > 1f) return false;
            }
        }
        return true;
    }

    private static BufferedImage gray(float[] im, int height, int width, boolean unit) {
        float lo = 0f, hi = 1f;
        if (!unit) {
            lo = Float.POSITIVE_INFINITY;
            hi = Float.NEGATIVE_INFINITY;
            for (float v : im) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        float span = hi - lo;
        BufferedImage tile = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((java.awt.image.DataBufferByte) tile.getRaster().getDataBuffer()).getData();
        for (int p = 0; p < im.length; p++) {
            float t = span > 0 ? (im[p] - lo) / span : 0.5f;
            px[p] = (byte) Math.round(Math.max(0f, Math.min(1f, t)) * 255f);
        }
        return tile;
    }

    private static String[] lines(String caption) {
        return caption == null || caption.isEmpty() ? new String[0] : caption.split("\n", -1);
    }

    private static String fit(String text, FontMetrics fm, int maxWidth) {
        if (fm.stringWidth(text) <= maxWidth) return text;
        String cut = text;
        while (!cut.isEmpty() && fm.stringWidth(cut + "…") > maxWidth) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "…";
    }
}
