package gemmcost.cuda;

import java.util.Set;

/**
 * A CUDA or cuBLAS call failed on a working device. Out of memory: a smaller allocation may succeed. Sticky: the
 * CUDA context is lost (an illegal address, a failed launch), every later call in this process fails too, and only a
 * fresh process can go on.
 */
public class GpuException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Every error whose comment in CUDA 13.0's {@code driver_types.h} says "the process must be terminated and
     * relaunched": cudaErrorContained (226, Hopper's error containment of NVLink and hardware faults),
     * IllegalAddress, LaunchTimeout, Assert (a device-side assert), HardwareStackError … LaunchFailure (700–719),
     * TensorMemoryLeak (721), MpsClientTerminated (810), ExternalDevice (911); and ECCUncorrectable (214).
     */
    static final Set<Integer> STICKY_CUDA_ERRORS = Set.of(214, 226, 700, 702, 710, 714, 715, 716, 717, 718, 719, 721,
            810, 911);

    private final boolean outOfMemory;
    private final boolean sticky;

    public GpuException(String message, boolean outOfMemory) {
        this(message, outOfMemory, false);
    }

    public GpuException(String message, boolean outOfMemory, boolean sticky) {
        super(message);
        this.outOfMemory = outOfMemory;
        this.sticky = sticky;
    }

    /** cudaErrorMemoryAllocation. */
    static final int CUDA_ERROR_MEMORY_ALLOCATION = 2;

    /** The exception for a failed CUDA runtime call's error code. */
    static GpuException ofCudaError(String message, int error) {
        return new GpuException(message, error == CUDA_ERROR_MEMORY_ALLOCATION, STICKY_CUDA_ERRORS.contains(error));
    }

    /** Whether a smaller allocation might succeed. */
    public boolean outOfMemory() {
        return outOfMemory;
    }

    /** Whether the CUDA context is lost for the rest of this process. */
    public boolean sticky() {
        return sticky;
    }
}
