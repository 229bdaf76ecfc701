package dev.nabla.dashboard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** PNG encoding in memory, for image summaries and the page. */
public final class Images {
    private Images() {}

    /** The image as PNG bytes. */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", b)) throw new IllegalStateException("no PNG writer in this JDK");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return b.toByteArray();
    }
}
