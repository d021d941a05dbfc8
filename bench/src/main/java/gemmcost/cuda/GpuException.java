package gemmcost.cuda;

/** A CUDA or cuBLAS call failed on a working device (e.g. out of memory); the sweep records it and goes on. */
public class GpuException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean outOfMemory;

    public GpuException(String message, boolean outOfMemory) {
        super(message);
        this.outOfMemory = outOfMemory;
    }

    /** Whether a smaller allocation might succeed. */
    public boolean outOfMemory() {
        return outOfMemory;
    }
}
