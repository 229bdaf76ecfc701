package dev.nabla.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What the commands that run a spec and write into a folder share (train, diagnose, lr-find,
 * curves): the SPEC.json parameter, {@code --out DIR}, and the command's picocli model for its
 * streams.
 */
abstract class SpecCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    SpecFile specFile;

    @Mixin
    OutputFolder out;
}
