package gemmcost.bench;

import gemmcost.cuda.ClockSample;
import gemmcost.table.EntryFlag;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Flags for a shape from the clock samples taken while its timed launches ran: the SM clock's min/median/max
 * (timing-method §9.7), hardware/thermal slowdown or power-brake reasons (§6: such samples are suspect), and a
 * minimum SM clock more than 10 % below the baseline taken under load during the device warm-up. Steady software
 * power capping is the card's real sustained behaviour on large GEMMs and is not flagged.
 */
final class ThrottleFlags {
    private static final Set<String> SLOWDOWNS = Set.of("hw_slowdown", "sw_thermal_slowdown", "hw_thermal_slowdown",
            "hw_power_brake_slowdown");
    static final double CLOCK_DROP_LIMIT = 0.10;

    private ThrottleFlags() {
    }

    static List<EntryFlag> of(OptionalInt baselineSmMhz, List<ClockSample> window) {
        List<EntryFlag> flags = new ArrayList<>();
        if (window.isEmpty()) {
            return flags;
        }
        int[] sm = window.stream().mapToInt(ClockSample::smMhz).sorted().toArray();
        flags.add(new EntryFlag.SmMhz(sm[0], sm[sm.length / 2], sm[sm.length - 1]));
        Set<String> slowdowns = new LinkedHashSet<>();
        window.forEach(s -> s.reasons().stream().filter(SLOWDOWNS::contains).forEach(slowdowns::add));
        if (!slowdowns.isEmpty()) {
            flags.add(new EntryFlag.Throttled(List.copyOf(slowdowns)));
        }
        baselineSmMhz.ifPresent(base -> {
            double drop = 1 - (double) sm[0] / base;
            if (drop > CLOCK_DROP_LIMIT) {
                flags.add(new EntryFlag.SmClockDropPct(drop * 100));
            }
        });
        return flags;
    }
}
