package dev.onepipe.core.cli;

import dev.onepipe.core.config.MissingConfigurationException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A failing command prints one line saying what went wrong (and how to fix it, where we know) and exits
 * non-zero; the stack trace only with {@code --verbose}.
 */
final class CommandFailureHandler implements IExecutionExceptionHandler {

    static final int CONFIGURATION_ERROR = 2;
    static final int FAILURE = 1;

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
        commandLine.getErr().println(commandLine.getColorScheme().errorText("onepipe: " + message(exception)));
        if (Boolean.getBoolean("onepipe.verbose") || parseResult.originalArgs().contains("--verbose")) {
            exception.printStackTrace(commandLine.getErr());
        }
        return exception instanceof MissingConfigurationException || exception instanceof IllegalArgumentException
                ? CONFIGURATION_ERROR : FAILURE;
    }

    private static String message(Throwable exception) {
        Throwable root = exception;
        while (root.getMessage() == null && root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getName() : root.getMessage();
    }
}
