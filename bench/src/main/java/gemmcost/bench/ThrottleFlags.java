package gemmcost.bench;

import gemmcost.cuda.ClockReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Flags for a shape whose samples may have run on a slowed GPU, from a clock reading taken as the shape finished:
 * hardware/thermal slowdown or power-brake reasons (timing-method §6: reject or retry such samples), and an SM clock
 * more than 10 % below the sweep's starting clock. Steady software power capping is the card's real sustained
 * behaviour on large GEMMs and is not flagged.
 */
final class ThrottleFlags {
    private static final Set<String> SLOWDOWNS = Set.of("hw_slowdown", "sw_thermal_slowdown", "hw_thermal_slowdown",
            "hw_power_brake_slowdown");
    static final double CLOCK_DROP_LIMIT = 0.10;

    private ThrottleFlags() {
    }

    static List<String> of(Optional<ClockReader.Sample> atStart, Optional<ClockReader.Sample> now) {
        List<String> flags = new ArrayList<>();
        now.ifPresent(sample -> {
            List<String> slowdowns = sample.reasons().stream().filter(SLOWDOWNS::contains).toList();
            if (!slowdowns.isEmpty()) {
                flags.add("throttled=" + String.join("+", slowdowns));
            }
            atStart.ifPresent(start -> {
                double drop = 1 - (double) sample.smMhz() / start.smMhz();
                if (drop > CLOCK_DROP_LIMIT) {
                    flags.add(String.format(Locale.ROOT, "sm_clock_drop_pct=%.1f", drop * 100));
                }
            });
        });
        return flags;
    }
}
