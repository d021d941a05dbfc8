package gemmcost;

import java.io.Serial;

/**
 * A fault outside gemmcost that ends this process's work but not the job: a GPU whose CUDA context is lost (a
 * sticky error) can only be used again by a fresh process, and the same command run again resumes where this one
 * stopped. The command line prints the message as one line and exits with status 3.
 */
public class ResumableFailure extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public ResumableFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
