package gemmcost.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CUDA runtime calls gemmcost needs, bound with FFM to {@code libcudart.so.13} or {@code .so.12}. Only exported
 * names are used, no struct layouts ({@code cudaDeviceProp} changed between majors).
 */
final class FfmCudaRuntime {
    /** The symbol gemmcost's CUDA stand-in exports: a library that has it is a simulation, never a GPU. */
    static final String STANDIN_SYMBOL = "gemmcostStandinDescription";

    private static final FunctionDescriptor INT_OF_POINTER = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor INT_OF_TWO_POINTERS = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private final Ffm lib;
    private final MethodHandle runtimeGetVersion;
    private final MethodHandle driverGetVersion;
    private final MethodHandle getDeviceCount;
    private final MethodHandle getErrorName;
    private final MethodHandle getErrorString;
    private final Optional<MethodHandle> standinDescription;
    final MethodHandle malloc;
    final MethodHandle free;
    final MethodHandle memcpy;
    final MethodHandle memcpyAsync;
    final MethodHandle memsetAsync;
    final MethodHandle memGetInfo;
    final MethodHandle setDevice;
    final MethodHandle deviceSynchronize;
    final MethodHandle deviceGetAttribute;
    final MethodHandle deviceGetPciBusId;
    final MethodHandle streamCreate;
    final MethodHandle streamDestroy;
    final MethodHandle eventCreate;
    final MethodHandle eventDestroy;
    final MethodHandle eventRecord;
    final MethodHandle eventSynchronize;
    final MethodHandle eventElapsedTime;

    private FfmCudaRuntime(Ffm lib) {
        this.lib = lib;
        FunctionDescriptor stringOfInt = FunctionDescriptor.of(ADDRESS, JAVA_INT);
        runtimeGetVersion = lib.function("cudaRuntimeGetVersion", INT_OF_POINTER);
        driverGetVersion = lib.function("cudaDriverGetVersion", INT_OF_POINTER);
        getDeviceCount = lib.function("cudaGetDeviceCount", INT_OF_POINTER);
        getErrorName = lib.function("cudaGetErrorName", stringOfInt);
        getErrorString = lib.function("cudaGetErrorString", stringOfInt);
        standinDescription = lib.optional(STANDIN_SYMBOL, FunctionDescriptor.of(ADDRESS));
        malloc = lib.function("cudaMalloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        free = lib.function("cudaFree", INT_OF_POINTER);
        memcpy = lib.function("cudaMemcpy", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
        memcpyAsync = lib.function("cudaMemcpyAsync",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS));
        memsetAsync = lib.function("cudaMemsetAsync",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
        memGetInfo = lib.function("cudaMemGetInfo", INT_OF_TWO_POINTERS);
        setDevice = lib.function("cudaSetDevice", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        deviceSynchronize = lib.function("cudaDeviceSynchronize", FunctionDescriptor.of(JAVA_INT));
        deviceGetAttribute = lib.function("cudaDeviceGetAttribute",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        deviceGetPciBusId = lib.function("cudaDeviceGetPCIBusId",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        streamCreate = lib.function("cudaStreamCreate", INT_OF_POINTER);
        streamDestroy = lib.function("cudaStreamDestroy", INT_OF_POINTER);
        eventCreate = lib.function("cudaEventCreate", INT_OF_POINTER);
        eventDestroy = lib.function("cudaEventDestroy", INT_OF_POINTER);
        eventRecord = lib.function("cudaEventRecord", INT_OF_TWO_POINTERS);
        eventSynchronize = lib.function("cudaEventSynchronize", INT_OF_POINTER);
        eventElapsedTime = lib.function("cudaEventElapsedTime",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    }

    private static final Map<Path, FfmCudaRuntime> LOADED = new ConcurrentHashMap<>();

    /**
     * Binds the library at {@code file}, once per process (the probe, the fan-out and the backend all ask); a
     * missing symbol is an {@link UnsatisfiedLinkError} naming it, and nothing is kept.
     */
    static FfmCudaRuntime load(Path file) {
        return LOADED.computeIfAbsent(file, f -> new FfmCudaRuntime(Ffm.load(f)));
    }

    /** Throws a {@link GpuException} naming the call when {@code error} is not cudaSuccess. */
    void check(int error, String call) {
        if (error != 0) {
            throw GpuException.ofCudaError(call + ": " + describeError(error), error);
        }
    }

    /** The stand-in's description when this runtime is gemmcost's CUDA stand-in; empty for a real one. */
    Optional<String> standin() {
        return standinDescription.map(h -> Ffm.string(h));
    }

    /** CUDA's integer version as text: 13000 → {@code 13.0}, 12060 → {@code 12.6}. */
    static String versionText(int cudaVersion) {
        return cudaVersion / 1000 + "." + cudaVersion % 1000 / 10;
    }

    /** cuBLAS's integer version as text: 130002 → {@code 13.0.2}. */
    static String cublasVersionText(int cublasVersion) {
        return cublasVersion / 10000 + "." + cublasVersion / 100 % 100 + "." + cublasVersion % 100;
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

    /** A device attribute (cudaDeviceAttr), e.g. 16 = SM count. */
    int attribute(int attribute, int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check(Ffm.call(deviceGetAttribute, out, attribute, ordinal), "cudaDeviceGetAttribute(" + attribute + ")");
            return out.get(JAVA_INT, 0);
        }
    }

    /** {@code 0000:3B:00.0}: needs no context, so a GPU can be locked by it before cudaSetDevice. */
    String pciBusId(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_BYTE, 64);
            check(Ffm.call(deviceGetPciBusId, out, 64, ordinal), "cudaDeviceGetPCIBusId(" + ordinal + ")");
            return out.getString(0);
        }
    }

    /** {@code cudaErrorInsufficientDriver (35): CUDA driver version is insufficient …}. */
    String describeError(int error) {
        return Ffm.string(getErrorName, error) + " (" + error + "): " + Ffm.string(getErrorString, error);
    }

    private static Result intOut(MethodHandle call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            int error = Ffm.call(call, out);
            return new Result(error, out.get(JAVA_INT, 0));
        }
    }
}
