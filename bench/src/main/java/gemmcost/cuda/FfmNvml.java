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
 * The read-only NVML calls gemmcost makes ({@code libnvidia-ml.so.1}, the driver's): name, UUID, clocks and
 * clock-event reasons of a GPU addressed by PCI bus id, which is the same GPU whatever {@code CUDA_VISIBLE_DEVICES}
 * or {@code CUDA_DEVICE_ORDER} say. Never sets anything. Thread-safe (NVML is).
 */
final class FfmNvml {
    private static final int NVML_CLOCK_SM = 1;
    private static final int NVML_CLOCK_MEM = 2;
    private static final int TEXT_BYTES = 96;

    private final MethodHandle handleByPciBusId;
    private final MethodHandle name;
    private final MethodHandle uuid;
    private final MethodHandle clockInfo;
    private final MethodHandle eventReasons;
    private final MethodHandle errorString;

    private FfmNvml(Ffm lib) {
        FunctionDescriptor text = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
        handleByPciBusId = lib.function("nvmlDeviceGetHandleByPciBusId_v2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        name = lib.function("nvmlDeviceGetName", text);
        uuid = lib.function("nvmlDeviceGetUUID", text);
        clockInfo = lib.function("nvmlDeviceGetClockInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        FunctionDescriptor reasons = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        // renamed in driver 535; older drivers have only the "throttle" name
        eventReasons = lib.optional("nvmlDeviceGetCurrentClocksEventReasons", reasons)
                .orElseGet(() -> lib.function("nvmlDeviceGetCurrentClocksThrottleReasons", reasons));
        errorString = lib.function("nvmlErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        int status = Ffm.call(lib.optional("nvmlInit_v2", FunctionDescriptor.of(JAVA_INT))
                .orElseGet(() -> lib.function("nvmlInit", FunctionDescriptor.of(JAVA_INT))));
        if (status != 0) {
            throw new IllegalStateException("nvmlInit: " + Ffm.string(errorString, status));
        }
    }

    private static final Map<Path, FfmNvml> LOADED = new ConcurrentHashMap<>();

    /**
     * NVML from the first place the locator finds it, or empty (no driver, or a container without it); bound and
     * initialised once per process and file.
     */
    static Optional<FfmNvml> find(LibraryLocator locator) {
        for (Path file : locator.find("libnvidia-ml.so.1")) {
            try {
                return Optional.of(LOADED.computeIfAbsent(file, f -> new FfmNvml(Ffm.load(f))));
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                // an unusable copy: try the next
            }
        }
        return Optional.empty();
    }

    /** The GPU at {@code pciBusId}, or empty when NVML does not know it. */
    Optional<Device> device(String pciBusId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            if (Ffm.call(handleByPciBusId, arena.allocateFrom(pciBusId), out) != 0) {
                return Optional.empty();
            }
            return Optional.of(new Device(out.get(ADDRESS, 0)));
        }
    }

    /** One GPU's NVML handle. */
    final class Device {
        private final MemorySegment handle;

        private Device(MemorySegment handle) {
            this.handle = handle;
        }

        Optional<String> name() {
            return text(FfmNvml.this.name);
        }

        Optional<String> uuid() {
            return text(FfmNvml.this.uuid);
        }

        /** SM and memory clock in MHz and the active clock-event reasons, or empty when NVML cannot say. */
        Optional<ClockSample> sample(long nanoTime) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sm = arena.allocate(JAVA_INT);
                MemorySegment mem = arena.allocate(JAVA_INT);
                MemorySegment reasons = arena.allocate(JAVA_LONG);
                if (Ffm.call(clockInfo, handle, NVML_CLOCK_SM, sm) != 0
                        || Ffm.call(clockInfo, handle, NVML_CLOCK_MEM, mem) != 0
                        || Ffm.call(eventReasons, handle, reasons) != 0) {
                    return Optional.empty();
                }
                return Optional.of(new ClockSample(nanoTime, sm.get(JAVA_INT, 0), mem.get(JAVA_INT, 0),
                        ClockSample.reasonNames(reasons.get(JAVA_LONG, 0))));
            }
        }

        private Optional<String> text(MethodHandle call) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(JAVA_BYTE, TEXT_BYTES);
                return Ffm.call(call, handle, out, TEXT_BYTES) == 0 ? Optional.of(out.getString(0)) : Optional.empty();
            }
        }
    }
}
