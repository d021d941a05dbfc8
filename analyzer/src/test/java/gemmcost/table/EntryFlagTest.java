package gemmcost.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryFlagTest {
    @Test
    void eachFlagTheSweepWritesShouldBeReadBackAsItsKind() {
        assertThat(EntryFlag.parseAll(List.of("noise_pct=0.125", "stop=timeout", "sm_mhz=1700/1755/1980",
                "throttled=hw_slowdown+sw_thermal_slowdown", "sm_clock_drop_pct=14.1", "m_chunked", "chunk_m=65536",
                "chunks=4+37856_rows", "linearity=1.0021", "merged_gpus=8", "hot_l2")))
                .containsExactly(new EntryFlag.NoisePct(0.125), new EntryFlag.Stop("timeout"),
                        new EntryFlag.SmMhz(1700, 1755, 1980),
                        new EntryFlag.Throttled(List.of("hw_slowdown", "sw_thermal_slowdown")),
                        new EntryFlag.SmClockDropPct(14.1), new EntryFlag.MChunked(), new EntryFlag.ChunkM(65536),
                        new EntryFlag.Chunks(4, 37856), new EntryFlag.Linearity(1.0021), new EntryFlag.MergedGpus(8),
                        new EntryFlag.Other("hot_l2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"noise_pct=0.500", "stop=noise", "sm_mhz=1980/1980/1980", "throttled", "throttled=hw_slowdown",
            "sm_clock_drop_pct=11.4", "m_chunked", "chunk_m=524288", "chunks=4", "chunks=2+7_rows", "linearity=0.9990",
            "merged_gpus=2", "hot_l2", "note=by hand"})
    void aWrittenFlagShouldBeWrittenAgainUnchanged(String text) {
        assertThat(EntryFlag.parse(text).text()).isEqualTo(text);
    }

    @Test
    void aFlagShouldKeepTheDecimalsItsTextKeepsSoThatItEqualsItselfReadBack() {
        // 1 − 1755/1980 = 11.3636… % is written 11.4; the flag holds 11.4, as the table will
        EntryFlag drop = new EntryFlag.SmClockDropPct((1 - 1755.0 / 1980) * 100);
        assertThat(drop).isEqualTo(new EntryFlag.SmClockDropPct(11.4)).isEqualTo(EntryFlag.parse(drop.text()));
        assertThat(new EntryFlag.NoisePct(0.12345).text()).isEqualTo("noise_pct=0.123");
    }

    @Test
    void aKnownFlagWithAMalformedValueShouldBeRefusedNamingIt() {
        assertThatThrownBy(() -> EntryFlag.parse("noise_pct=low")).hasMessage("noise_pct: not a number in \"noise_pct=low\"");
        assertThatThrownBy(() -> EntryFlag.parse("linearity=0x1p3")).hasMessage("linearity: not a number in"
                + " \"linearity=0x1p3\"");
        assertThatThrownBy(() -> EntryFlag.parse("sm_clock_drop_pct=12d")).hasMessage("sm_clock_drop_pct: not a"
                + " number in \"sm_clock_drop_pct=12d\"");
        assertThatThrownBy(() -> EntryFlag.parse("chunks=4+")).hasMessage("chunks: must be N or N+R_rows, was \"4+\"");
        assertThatThrownBy(() -> EntryFlag.parse("stop=")).hasMessage("stop: needs a value (stop=…)");
        assertThatThrownBy(() -> EntryFlag.parse("merged_gpus=1")).hasMessage("merged_gpus: must be >= 2, was 1");
        assertThatThrownBy(() -> EntryFlag.parse("throttled=")).hasMessage("throttled: an empty reason in []");
        assertThatThrownBy(() -> EntryFlag.parse("throttled=hw+")).hasMessage("throttled: an empty reason in [hw, ]");
        assertThatThrownBy(() -> EntryFlag.parse("sm_mhz=1980/1700/1800"))
                .hasMessage("sm_mhz: must be 0 < min <= median <= max, was 1980/1700/1800");
    }
}
