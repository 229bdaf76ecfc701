package dev.nabla.nn;

/** How a loss combines its per-element values: MEAN (the default, the batch average), SUM, or NONE (keep them). */
public enum Reduction { MEAN, SUM, NONE }
