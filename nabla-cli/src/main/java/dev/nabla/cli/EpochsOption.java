package dev.nabla.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code --epochs N} option of the training commands: replaces the spec's epochs; at least 1. */
final class EpochsOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    Integer epochs;

    @Option(names = "--epochs", paramLabel = "N", description = "train N epochs instead of the spec's")
    void epochs(int n) {
        if (n < 1) throw new ParameterException(command.commandLine(), "--epochs " + n + ": give at least 1 epoch");
        epochs = n;
    }

    /** --epochs, or the spec's number. */
    int orElse(int specEpochs) {
        return epochs != null ? epochs : specEpochs;
    }
}
