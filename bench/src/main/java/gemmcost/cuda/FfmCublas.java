package gemmcost.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Map;

/** The cuBLAS calls gemmcost needs, bound with FFM to {@code libcublas.so.13} or {@code .so.12} by exported name. */
@SuppressWarnings("restricted") // native calls are this class's purpose; the jar enables native access
final class FfmCublas {
    private static final int STATUS_ALLOC_FAILED = 3;
    private static final Map<Integer, String> STATUS = Map.of(1, "CUBLAS_STATUS_NOT_INITIALIZED",
            3, "CUBLAS_STATUS_ALLOC_FAILED", 7, "CUBLAS_STATUS_INVALID_VALUE", 8, "CUBLAS_STATUS_ARCH_MISMATCH",
            11, "CUBLAS_STATUS_MAPPING_ERROR", 13, "CUBLAS_STATUS_EXECUTION_FAILED", 14, "CUBLAS_STATUS_INTERNAL_ERROR",
            15, "CUBLAS_STATUS_NOT_SUPPORTED", 16, "CUBLAS_STATUS_LICENSE_ERROR");

    private final Path file;
    final MethodHandle create;
    final MethodHandle destroy;
    final MethodHandle setStream;
    final MethodHandle setMathMode;
    final MethodHandle getVersion;
    final MethodHandle gemmEx;

    private FfmCublas(Path file, SymbolLookup lib) {
        this.file = file;
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor intOfPointer = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        create = linker.downcallHandle(symbol(lib, "cublasCreate_v2"), intOfPointer);
        destroy = linker.downcallHandle(symbol(lib, "cublasDestroy_v2"), intOfPointer);
        setStream = linker.downcallHandle(symbol(lib, "cublasSetStream_v2"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setMathMode = linker.downcallHandle(symbol(lib, "cublasSetMathMode"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        getVersion = linker.downcallHandle(symbol(lib, "cublasGetVersion_v2"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo
        gemmEx = linker.downcallHandle(symbol(lib, "cublasGemmEx"), FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    static FfmCublas load(Path file) {
        return new FfmCublas(file, SymbolLookup.libraryLookup(file, Arena.global()));
    }

    Path file() {
        return file;
    }

    private MemorySegment symbol(SymbolLookup lib, String name) {
        return FfmCudaRuntime.symbol(lib, file, name);
    }

    void check(int status, String call) {
        if (status != 0) {
            throw new GpuException(call + ": " + STATUS.getOrDefault(status, "cublasStatus") + " (" + status + ")",
                    status == STATUS_ALLOC_FAILED);
        }
    }
}
