package gemmcost.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The few CUDA runtime calls gemmcost needs, bound with the Foreign Function &amp; Memory API to
 * {@code libcudart.so.13} or {@code .so.12} (dlopen/dlsym take the default symbol version, so one binding serves
 * both majors, and aarch64 too). Only exported names are used; no struct layouts.
 */
@SuppressWarnings("restricted") // native calls are this class's purpose; the jar enables native access
final class FfmCudaRuntime {
    private final Path file;
    private final MethodHandle runtimeGetVersion;
    private final MethodHandle driverGetVersion;
    private final MethodHandle getDeviceCount;
    private final MethodHandle getErrorName;
    private final MethodHandle getErrorString;
    final MethodHandle malloc;
    final MethodHandle free;
    final MethodHandle memcpy;
    final MethodHandle memsetAsync;
    final MethodHandle memGetInfo;
    final MethodHandle setDevice;
    final MethodHandle deviceGetAttribute;
    final MethodHandle deviceGetPciBusId;
    final MethodHandle streamCreate;
    final MethodHandle streamDestroy;
    final MethodHandle eventCreate;
    final MethodHandle eventDestroy;
    final MethodHandle eventRecord;
    final MethodHandle eventSynchronize;
    final MethodHandle eventElapsedTime;

    private FfmCudaRuntime(Path file, SymbolLookup lib) {
        this.file = file;
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor intOfPointer = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        FunctionDescriptor stringOfInt = FunctionDescriptor.of(ADDRESS, JAVA_INT);
        runtimeGetVersion = linker.downcallHandle(symbol(lib, "cudaRuntimeGetVersion"), intOfPointer);
        driverGetVersion = linker.downcallHandle(symbol(lib, "cudaDriverGetVersion"), intOfPointer);
        getDeviceCount = linker.downcallHandle(symbol(lib, "cudaGetDeviceCount"), intOfPointer);
        getErrorName = linker.downcallHandle(symbol(lib, "cudaGetErrorName"), stringOfInt);
        getErrorString = linker.downcallHandle(symbol(lib, "cudaGetErrorString"), stringOfInt);
        FunctionDescriptor intOfTwoPointers = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        malloc = linker.downcallHandle(symbol(lib, "cudaMalloc"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        free = linker.downcallHandle(symbol(lib, "cudaFree"), intOfPointer);
        memcpy = linker.downcallHandle(symbol(lib, "cudaMemcpy"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
        memsetAsync = linker.downcallHandle(symbol(lib, "cudaMemsetAsync"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
        memGetInfo = linker.downcallHandle(symbol(lib, "cudaMemGetInfo"), intOfTwoPointers);
        setDevice = linker.downcallHandle(symbol(lib, "cudaSetDevice"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        deviceGetAttribute = linker.downcallHandle(symbol(lib, "cudaDeviceGetAttribute"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        deviceGetPciBusId = linker.downcallHandle(symbol(lib, "cudaDeviceGetPCIBusId"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        streamCreate = linker.downcallHandle(symbol(lib, "cudaStreamCreate"), intOfPointer);
        streamDestroy = linker.downcallHandle(symbol(lib, "cudaStreamDestroy"), intOfPointer);
        eventCreate = linker.downcallHandle(symbol(lib, "cudaEventCreate"), intOfPointer);
        eventDestroy = linker.downcallHandle(symbol(lib, "cudaEventDestroy"), intOfPointer);
        eventRecord = linker.downcallHandle(symbol(lib, "cudaEventRecord"), intOfTwoPointers);
        eventSynchronize = linker.downcallHandle(symbol(lib, "cudaEventSynchronize"), intOfPointer);
        eventElapsedTime = linker.downcallHandle(symbol(lib, "cudaEventElapsedTime"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    }

    /** Throws a {@link GpuException} naming the call when {@code error} is not cudaSuccess. */
    void check(int error, String call) {
        if (error != 0) {
            throw new GpuException(call + ": " + describeError(error), error == CUDA_ERROR_MEMORY_ALLOCATION);
        }
    }

    static final int CUDA_ERROR_MEMORY_ALLOCATION = 2;

    private MemorySegment symbol(SymbolLookup lib, String name) {
        return symbol(lib, file, name);
    }

    /** An exported symbol of the library at {@code file}; a missing one is a link error naming both. */
    static MemorySegment symbol(SymbolLookup lib, Path file, String name) {
        return lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError(file + ": no symbol " + name));
    }

    /** CUDA's integer version as text: 13000 → {@code 13.0}, 12060 → {@code 12.6}. */
    static String versionText(int cudaVersion) {
        return cudaVersion / 1000 + "." + cudaVersion % 1000 / 10;
    }

    /** cuBLAS's integer version as text: 130002 → {@code 13.0.2}. */
    static String cublasVersionText(int cublasVersion) {
        return cublasVersion / 10000 + "." + cublasVersion / 100 % 100 + "." + cublasVersion % 100;
    }

    /** Binds the library at {@code file} for the lifetime of the global arena (a process loads CUDA once). */
    static FfmCudaRuntime load(Path file) {
        return new FfmCudaRuntime(file, SymbolLookup.libraryLookup(file, Arena.global()));
    }

    Path file() {
        return file;
    }

    /** An int out-parameter call's error code and value. */
    record Result(int error, int value) {
    }

    Result runtimeVersion() {
        return intOut(runtimeGetVersion);
    }

    Result driverVersion() {
        return intOut(driverGetVersion);
    }

    Result deviceCount() {
        return intOut(getDeviceCount);
    }

    /** {@code cudaErrorInsufficientDriver (35): CUDA driver version is insufficient …}. */
    String describeError(int error) {
        return cString(getErrorName, error) + " (" + error + "): " + cString(getErrorString, error);
    }

    private static Result intOut(MethodHandle call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            int error = (int) call.invokeExact(out);
            return new Result(error, out.get(JAVA_INT, 0));
        } catch (Throwable t) {
            throw new IllegalStateException("CUDA runtime call failed: " + t, t);
        }
    }

    private static String cString(MethodHandle call, int arg) {
        try {
            MemorySegment text = (MemorySegment) call.invokeExact(arg);
            return text.equals(MemorySegment.NULL) ? "?" : text.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("CUDA runtime call failed: " + t, t);
        }
    }
}
