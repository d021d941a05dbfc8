package gemmcost.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One reading of a GPU's clocks: when ({@link System#nanoTime()}), SM and memory clock in MHz, and the names of the
 * active clock-event (throttle) reasons, empty when none.
 */
public record ClockSample(long nanoTime, int smMhz, int memMhz, List<String> reasons) {
    /** NVML clocks-event reason bits (nvml.h, nvmlClocksEventReason*, formerly nvmlClocksThrottleReason*). */
    private static final Map<Long, String> REASONS = new TreeMap<>(Map.of(
            0x1L, "gpu_idle", 0x2L, "applications_clocks_setting", 0x4L, "sw_power_cap", 0x8L, "hw_slowdown",
            0x10L, "sync_boost", 0x20L, "sw_thermal_slowdown", 0x40L, "hw_thermal_slowdown",
            0x80L, "hw_power_brake_slowdown", 0x100L, "display_clock_setting"));

    public ClockSample {
        reasons = List.copyOf(reasons);
    }

    /** The names of the bits set in an NVML reason mask, in bit order. */
    static List<String> reasonNames(long bits) {
        List<String> names = new ArrayList<>();
        REASONS.forEach((bit, name) -> {
            if ((bits & bit) != 0) {
                names.add(name);
            }
        });
        return names;
    }
}
