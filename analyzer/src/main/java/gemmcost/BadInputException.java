package gemmcost;

import java.io.Serial;

/**
 * The user's fault: a malformed file, a bad argument, a missing device. The command line prints the message
 * as one line, {@code gemmcost: <message>}, and exits with status 2; so the message must name what is wrong
 * (file, line or JSON path, the bad value) without a stack trace.
 */
public class BadInputException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
