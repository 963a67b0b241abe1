package dev.onepipe.core.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

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
        FileSystemException fileProblem = fileProblem(exception);
        String message = fileProblem != null ? fileSentence(fileProblem) : message(exception);
        commandLine.getErr().println(commandLine.getColorScheme().errorText("onepipe: " + message));
        if (Boolean.getBoolean("onepipe.verbose") || parseResult.originalArgs().contains("--verbose")) {
            exception.printStackTrace(commandLine.getErr());
        }
        return exception instanceof MissingConfigurationException || exception instanceof IllegalArgumentException
                || fileProblem != null ? CONFIGURATION_ERROR : FAILURE;
    }

    /**
     * A file the user named that vanished or became unreadable after {@link ReadableFile} checked it, anywhere in the
     * cause chain: still a usage error, said as a sentence rather than the bare file name Java's message gives.
     */
    private static FileSystemException fileProblem(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof FileSystemException) {
                return (FileSystemException) cause;
            }
        }
        return null;
    }

    private static String fileSentence(FileSystemException problem) {
        if (problem instanceof NoSuchFileException) {
            return "file '" + problem.getFile() + "' does not exist";
        }
        if (problem instanceof AccessDeniedException) {
            return "file '" + problem.getFile() + "' cannot be read: permission denied";
        }
        return "file '" + problem.getFile() + "' cannot be used: "
                + (problem.getReason() != null ? problem.getReason() : problem.getClass().getSimpleName());
    }

    private static String message(Throwable exception) {
        Throwable root = exception;
        while (root.getMessage() == null && root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getName() : root.getMessage();
    }
}
