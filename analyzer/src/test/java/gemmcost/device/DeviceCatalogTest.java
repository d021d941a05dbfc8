package gemmcost.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import gemmcost.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeviceCatalogTest {
    @Test
    void shouldListTheRequiredDevicesWithDensePeaks() {
        assertThat(DeviceCatalog.all()).extracting(Device::id)
                .containsExactly("a100-sxm-80gb", "h100-sxm", "h100-pcie", "h200", "l40s", "b200");
        // Dense, not the 2:4-sparse 1,979 TFLOP/s of the product page.
        assertThat(DeviceCatalog.require("h100-sxm").peakFlopsPerSec().get(Dtype.BF16)).isEqualTo(989.4e12);
        assertThat(DeviceCatalog.require("a100-sxm-80gb").roofline(Dtype.FP8)).isEmpty();
    }

    /** The datasheets' "141 GB" is binary: CUDA reported 150,109,880,320 bytes on this project's H200. */
    @Test
    void memoryShouldBeWithinOnePercentOfWhatCudaReportedOnTheMeasuredH200() {
        assertThat(DeviceCatalog.require("h200").memoryBytes()).isCloseTo(150_109_880_320L, withinPercentage(1));
        // 80 GiB; an L40S keeps 1/16 of its 48 GiB of GDDR6 for ECC codes
        assertThat(DeviceCatalog.require("h100-sxm").memoryBytes()).isEqualTo(85_899_345_920L);
        assertThat(DeviceCatalog.require("l40s").memoryBytes()).isEqualTo(45L << 30);
    }

    @Test
    void shouldBeComputeBoundForLargeCubesAndMemoryBoundForSkinnyShapes() {
        Roofline h100 = DeviceCatalog.require("h100-sxm").roofline(Dtype.BF16).orElseThrow();
        // 8192³: 2·8192³ FLOP at 989.4 TFLOP/s beats 3·8192²·2 bytes at 3.35 TB/s.
        assertThat(h100.timeUs(8192, 8192, 8192)).isCloseTo(2.0 * 8192 * 8192 * 8192 / 989.4e12 * 1e6, within(1e-9));
        // m = 16 decode GEMM: streaming the 8192×8192 weight dominates.
        double bytes = (16.0 * 8192 + 8192.0 * 8192 + 16.0 * 8192) * 2;
        assertThat(h100.timeUs(16, 8192, 8192)).isCloseTo(bytes / 3350e9 * 1e6, within(1e-9));
        assertThat(h100.ridgeFlopsPerByte()).isCloseTo(295.3, within(0.1));
    }

    @Test
    void shouldNameTheCatalogWhenADeviceIsUnknown() {
        assertThatThrownBy(() -> DeviceCatalog.require("h300"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("unknown device 'h300' (catalog: a100-sxm-80gb, h100-sxm, h100-pcie, h200, l40s, b200)");
    }

    @Test
    void aNameThatDenotesACatalogDeviceShouldBeSuggested() {
        assertThatThrownBy(() -> DeviceCatalog.require("h200-sxm")).hasMessage("unknown device 'h200-sxm': did you"
                + " mean h200? (catalog: a100-sxm-80gb, h100-sxm, h100-pcie, h200, l40s, b200)");
        assertThatThrownBy(() -> DeviceCatalog.requireForProfile("B200_SXM")).hasMessage("--profile B200_SXM: no such"
                + " file, and not a catalog device: did you mean b200? (a100-sxm-80gb, h100-sxm, h100-pcie, h200, l40s,"
                + " b200)");
        // a mistyped table's path is no device: suggesting one would swap a measured table for a roofline
        assertThatThrownBy(() -> DeviceCatalog.requireForProfile("profiles/nvidia-h200/bf16.jsn")).hasMessage(
                "--profile profiles/nvidia-h200/bf16.jsn: no such file, and not a catalog device (a100-sxm-80gb,"
                        + " h100-sxm, h100-pcie, h200, l40s, b200)");
        // a GH200 is no H200 SXM (another memory, another chip beside it)
        assertThat(DeviceCatalog.matchName("NVIDIA GH200 480GB")).isEmpty();
        assertThatThrownBy(() -> DeviceCatalog.require("gh200")).hasMessage("unknown device 'gh200' (catalog:"
                + " a100-sxm-80gb, h100-sxm, h100-pcie, h200, l40s, b200)");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
            "NVIDIA H100 80GB HBM3, h100-sxm", "NVIDIA H100 PCIe, h100-pcie", "NVIDIA H100 NVL, none",
            "NVIDIA H200, h200", "NVIDIA A100-SXM4-80GB, a100-sxm-80gb", "NVIDIA A100-PCIE-40GB, none",
            "NVIDIA L40S, l40s", "NVIDIA B200, b200", "NVIDIA GB200, none", "Tesla V100-SXM2-32GB, none"})
    void shouldMatchDeviceReportedNames(String reported, String id) {
        assertThat(DeviceCatalog.matchName(reported).map(Device::id).orElse(null)).isEqualTo(id);
    }

    /** Review: a bare H100 may be recorded as either H100; a name that says its variant only as that one. */
    @ParameterizedTest
    @CsvSource({"H100, h100-pcie, true", "h100, h100-sxm, true", "H100_SXM, h100-pcie, false",
            "NVIDIA H100 PCIe, h100-sxm, false", "A100_SXM, a100-sxm-80gb, true",
            "A100-SXM4-40GB, a100-sxm-80gb, false", "H100, h200, false", "NVIDIA H100 80GB HBM3, l40s, false"})
    void aBareChipNameMayBeRecordedAsAnyDeviceOfThatChip(String reported, String id, boolean may) {
        assertThat(DeviceCatalog.mayName(reported, DeviceCatalog.require(id))).isEqualTo(may);
    }
}
