package gemmcost.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableMergeTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final GemmShape SQUARE = new GemmShape(4096, 4096, 4096);
    private static final GemmShape DECODE = new GemmShape(1, 4096, 4096);

    private static Profile gpu(String host, String cublas, int smStart, List<ProfileEntry> entries) {
        Profile f = ExampleProfiles.full();
        Profile.Device d = f.device();
        Profile.Device device = new Profile.Device(d.name(), d.catalogId(), d.computeCapability(), d.smCount(),
                d.memoryBytes(), d.l2Bytes(), new Profile.Clocks(smStart, smStart - 100, 2619, 2619,
                List.of(host.equals("a") ? "SwPowerCap" : "None")), "550." + host, d.cudaRuntimeVersion(), cublas,
                3.0e12 + 0.1e12 * (host.charAt(0) - 'a'));
        return new Profile(device, new Profile.Host(host, null, null), f.timing(), "bf16", "fp32", f.provenance(),
                entries);
    }

    private static TableMerge.Input input(String file, Profile p) {
        return new TableMerge.Input(Path.of(file), p);
    }

    @Test
    void shouldTakeTheMedianOfMediansAndTheWidestSpreadOfAShapeMeasuredOnSeveralGpus() {
        Profile a = gpu("a", "12.4.5.8", 1980, List.of(new ProfileEntry(SQUARE, 180, 179, 181, 40, List.of()),
                new ProfileEntry(DECODE, 11.5, 11, 12, 200, List.of())));
        Profile b = gpu("b", "12.4.5.8", 1900, List.of(new ProfileEntry(SQUARE, 184, 182, 190, 30, List.of(new EntryFlag.Throttled(List.of())))));
        Profile c = gpu("c", "12.4.5.8", 1950, List.of(new ProfileEntry(SQUARE, 181, 180, 183, 20, List.of())));

        Profile merged = TableMerge.merge(List.of(input("a.json", a), input("b.json", b), input("c.json", c)),
                "0.2.0", "abc1234", NOW);

        // SQUARE: medians 180, 184, 181 → 181; p10 = min(179, 182, 180); p90 = max(181, 190, 183); samples 90
        assertThat(merged.entries()).containsExactly(
                new ProfileEntry(DECODE, 11.5, 11, 12, 200, List.of()),
                new ProfileEntry(SQUARE, 181, 179, 190, 90, List.of(new EntryFlag.MergedGpus(3), new EntryFlag.Throttled(List.of()))));
        assertThat(merged.device().clocks()).isEqualTo(new Profile.Clocks(1900, 1800, 2619, 2619,
                List.of("None", "SwPowerCap")));
        assertThat(merged.host().hostname()).isEqualTo("a, b, c");
        assertThat(merged.device().driverVersion()).isEqualTo("550.a, 550.b, 550.c");
        // measured bandwidths 3.0, 3.1 and 3.2 TB/s: the median
        assertThat(merged.device().memoryBandwidthBytesPerSec()).isEqualTo(3.1e12);
        assertThat(merged.provenance()).isEqualTo(new Profile.Provenance(Profile.Kind.MEASURED,
                "merged by gemmcost merge from 3 tables: a.json, b.json, c.json", "0.2.0", "abc1234", NOW));
    }

    @Test
    void shouldRefuseToMixCublasVersionsNamingBothFiles() {
        List<ProfileEntry> one = List.of(new ProfileEntry(SQUARE, 180, 1));
        assertThatThrownBy(() -> TableMerge.merge(List.of(input("a.json", gpu("a", "12.4.5.8", 1980, one)),
                input("b.json", gpu("b", "13.0.2", 1980, one))), "0.2.0", null, NOW))
                .isInstanceOf(BadInputException.class)
                .hasMessage("merge: b.json: device.cublas_version is 13.0.2 but a.json has 12.4.5.8;"
                        + " tables measured differently cannot be merged");
    }

    /** Review: a merged table merged again would count its GPUs as one and say merged_gpus=2 of three GPUs. */
    @Test
    void shouldRefuseATableThatIsItselfMerged() {
        Profile a = gpu("a", "12.4.5.8", 1980, List.of(new ProfileEntry(SQUARE, 180.25, 1)));
        Profile b = gpu("b", "12.4.5.8", 1980, List.of(new ProfileEntry(SQUARE, 198.275, 1)));
        Profile c = gpu("c", "12.4.5.8", 1980, List.of(new ProfileEntry(SQUARE, 237.93, 1)));
        Profile ab = TableMerge.merge(List.of(input("a.json", a), input("b.json", b)), "0.2.0", null, NOW);

        assertThatThrownBy(() -> TableMerge.merge(List.of(input("ab.json", ab), input("c.json", c)), "0.2.0", null,
                NOW)).isInstanceOf(BadInputException.class).hasMessage("merge: ab.json is itself a merged table (its"
                + " entries carry merged_gpus): merge the per-GPU tables it was made from, so that each GPU counts"
                + " once");
        // the three per-GPU tables: the median of the three, flagged as three
        assertThat(TableMerge.merge(List.of(input("a.json", a), input("b.json", b), input("c.json", c)), "0.2.0",
                null, NOW).entries()).containsExactly(new ProfileEntry(SQUARE, 198.275, Double.NaN, Double.NaN, 3,
                List.of(new EntryFlag.MergedGpus(3))));
    }

    @Test
    void shouldRefuseTablesRecordedAsDifferentCatalogDevices() {
        Profile a = gpu("a", "12.4.5.8", 1980, List.of(new ProfileEntry(SQUARE, 180, 1)));
        Profile.Device d = a.device();
        Profile pcie = new Profile(new Profile.Device(d.name(), "h100-pcie", d.computeCapability(), d.smCount(),
                d.memoryBytes(), d.l2Bytes(), d.clocks(), d.driverVersion(), d.cudaRuntimeVersion(), d.cublasVersion(),
                d.memoryBandwidthBytesPerSec()), a.host(), a.timing(), a.dtype(), a.computeType(), a.provenance(),
                List.of(new ProfileEntry(SQUARE, 181, 1)));

        assertThatThrownBy(() -> TableMerge.merge(List.of(input("a.json", a), input("p.json", pcie)), "0.2.0", null,
                NOW)).hasMessage("merge: p.json: device.catalog_id is h100-pcie but a.json has " + d.catalogId()
                + "; tables measured differently cannot be merged");
    }

    @Test
    void shouldRefuseToMixDtypes() {
        Profile bf16 = ExampleProfiles.full();
        Profile fp16 = new Profile(bf16.device(), bf16.host(), bf16.timing(), "fp16", "fp32", bf16.provenance(),
                bf16.entries());
        assertThatThrownBy(() -> TableMerge.merge(List.of(input("x.json", bf16), input("y.json", fp16)), "0.2.0", null,
                NOW)).hasMessage("merge: y.json: dtype is fp16 but x.json has bf16; tables measured differently cannot"
                + " be merged");
    }

    @Test
    void anEntryWithoutASpreadShouldNotEraseTheOthersSpread() {
        Profile a = gpu("a", "12.4.5.8", 1980, List.of(new ProfileEntry(SQUARE, 180, 179, 181, 40, List.of())));
        Profile b = gpu("b", "12.4.5.8", 1980, List.of(new ProfileEntry(SQUARE, 184, 1)));
        Profile merged = TableMerge.merge(List.of(input("a.json", a), input("b.json", b)), "0.2.0", null, NOW);
        // medians 180, 184 → 182; the spread is a's, widened to the median: p10 179, p90 max(181, 182)
        assertThat(merged.entries()).containsExactly(new ProfileEntry(SQUARE, 182, 179, 182, 41,
                List.of(new EntryFlag.MergedGpus(2))));
        Profile c = gpu("c", "12.4.5.8", 1980, List.of(new ProfileEntry(SQUARE, 184, 1)));
        assertThat(TableMerge.merge(List.of(input("b.json", b), input("c.json", c)), "0.2.0", null, NOW).entries()
                .getFirst().hasSpread()).isFalse();
    }

    @Test
    void shouldRefuseToMixProvenancesNamingEachFilesKind() {
        Profile measured = ExampleProfiles.full();
        Profile.Provenance p = measured.provenance();
        Profile simulated = new Profile(measured.device(), measured.host(), measured.timing(), measured.dtype(),
                measured.computeType(), new Profile.Provenance(Profile.Kind.SIMULATED, p.source(), p.toolVersion(),
                p.gitCommit(), p.createdUtc()), measured.entries());
        assertThatThrownBy(() -> TableMerge.merge(List.of(input("m.json", measured), input("s.json", simulated)),
                "0.2.0", null, NOW)).isInstanceOf(BadInputException.class)
                .hasMessage("merge: cannot merge tables of different provenance: m.json is measured, s.json is"
                        + " simulated");
    }

    @Test
    void shouldNeedTwoTables() {
        assertThatThrownBy(() -> TableMerge.merge(List.of(input("x.json", ExampleProfiles.full())), "0.2.0", null, NOW))
                .hasMessage("merge: need at least two tables, got 1");
    }
}
