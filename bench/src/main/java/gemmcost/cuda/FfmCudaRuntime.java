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
    }

    private MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError(file + ": no symbol " + name));
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
