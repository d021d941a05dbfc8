package gemmcost.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The cuBLAS calls gemmcost needs, bound with FFM to {@code libcublas.so.13} or {@code .so.12} by exported name. */
final class FfmCublas {
    private static final int STATUS_ALLOC_FAILED = 3;
    private static final Map<Integer, String> STATUS = Map.of(1, "CUBLAS_STATUS_NOT_INITIALIZED",
            3, "CUBLAS_STATUS_ALLOC_FAILED", 7, "CUBLAS_STATUS_INVALID_VALUE", 8, "CUBLAS_STATUS_ARCH_MISMATCH",
            11, "CUBLAS_STATUS_MAPPING_ERROR", 13, "CUBLAS_STATUS_EXECUTION_FAILED", 14, "CUBLAS_STATUS_INTERNAL_ERROR",
            15, "CUBLAS_STATUS_NOT_SUPPORTED", 16, "CUBLAS_STATUS_LICENSE_ERROR");

    final MethodHandle create;
    final MethodHandle destroy;
    final MethodHandle setStream;
    final MethodHandle setMathMode;
    final MethodHandle setWorkspace;
    final MethodHandle getVersion;
    final MethodHandle gemmEx;

    private FfmCublas(Ffm lib) {
        FunctionDescriptor intOfPointer = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        create = lib.function("cublasCreate_v2", intOfPointer);
        destroy = lib.function("cublasDestroy_v2", intOfPointer);
        setStream = lib.function("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setMathMode = lib.function("cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        setWorkspace = lib.function("cublasSetWorkspace_v2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        getVersion = lib.function("cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo
        gemmEx = lib.function("cublasGemmEx", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /**
     * Loads cuBLAS at {@code file} after its own {@code libcublasLt} from the same folder, when there is one: the
     * loader would otherwise satisfy cuBLAS's dependency from {@code LD_LIBRARY_PATH} first, possibly with an Lt of
     * another version.
     */
    static FfmCublas load(Path file) {
        Path lt = siblingLt(file);
        if (Files.isRegularFile(lt)) {
            Ffm.load(lt);
        }
        return new FfmCublas(Ffm.load(file));
    }

    /** {@code …/libcublas.so.13} → {@code …/libcublasLt.so.13}. */
    static Path siblingLt(Path cublas) {
        return cublas.resolveSibling(cublas.getFileName().toString().replace("libcublas.", "libcublasLt."));
    }

    void check(int status, String call) {
        if (status != 0) {
            throw new GpuException(call + ": " + STATUS.getOrDefault(status, "cublasStatus") + " (" + status + ")",
                    status == STATUS_ALLOC_FAILED);
        }
    }
}
