/** nabla's charts: line charts, contours, image grids and legends to PNG or SVG, drawn by XChart. */
module dev.nabla.plot {
    requires transitive dev.nabla.core;
    requires transitive java.desktop;
    requires org.knowm.xchart;

    exports dev.nabla.plot;
}
