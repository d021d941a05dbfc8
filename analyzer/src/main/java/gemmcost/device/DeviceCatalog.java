package gemmcost.device;

import static gemmcost.device.Dtype.BF16;
import static gemmcost.device.Dtype.FP16;
import static gemmcost.device.Dtype.FP32;
import static gemmcost.device.Dtype.FP8;
import static gemmcost.device.Dtype.TF32;

import gemmcost.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Datasheet limits of the GPUs gemmcost can model without a measured table. All tensor-core numbers are
 * dense. Where sources disagree, the larger peak is kept: a speed-of-light bound must never be slower than
 * the hardware can be.
 */
public final class DeviceCatalog {
    private static final double T = 1e12;

    private static final List<Device> DEVICES = List.of(
            // NVIDIA A100 datasheet / Ampere whitepaper: 108 SMs, 80 GB HBM2e at 2,039 GB/s; dense TC 312 (bf16/fp16),
            // 156 (tf32), 19.5 fp32 (stas00/ml-engineering compute/accelerator/README.md @744d01e). No FP8 on Ampere.
            new Device("a100-sxm-80gb", "NVIDIA A100 SXM4 80GB", 108, 80 * Device.GIB, 2039e9,
                    Map.of(BF16, 312 * T, FP16, 312 * T, TF32, 156 * T, FP32, 19.5 * T),
                    "NVIDIA A100 datasheet; Ampere whitepaper; stas00/ml-engineering @744d01e"),
            // NVIDIA H100 datasheet (sparse figures halved), H100 whitepaper: 132 SMs, 80 GB HBM3 at 3,350 GB/s;
            // 989.4 dense bf16 = 1830 MHz x 528 TC x 512 FMA x 2; fp32 66.9 at 1980 MHz.
            new Device("h100-sxm", "NVIDIA H100 SXM5 80GB", 132, 80 * Device.GIB, 3350e9,
                    Map.of(BF16, 989.4 * T, FP16, 989.4 * T, TF32, 494.7 * T, FP32, 66.9 * T, FP8, 1978.9 * T),
                    "NVIDIA H100 datasheet and whitepaper; stas00/ml-engineering @744d01e"),
            // NVIDIA H100 datasheet, PCIe column (sparse figures halved): 114 SMs, 80 GB at 2,000 GB/s.
            new Device("h100-pcie", "NVIDIA H100 PCIe 80GB", 114, 80 * Device.GIB, 2000e9,
                    Map.of(BF16, 756 * T, FP16, 756 * T, TF32, 378 * T, FP32, 51 * T, FP8, 1513 * T),
                    "NVIDIA H100 datasheet (PCIe); glennklockwood.com H100 notes"),
            // H200: same compute as H100 SXM (stas00/ml-engineering TFLOPS table), 141 GB HBM3e at 4.8 TB/s.
            new Device("h200", "NVIDIA H200 SXM 141GB", 132, 141 * Device.GIB, 4800e9,
                    Map.of(BF16, 989.4 * T, FP16, 989.4 * T, TF32, 494.7 * T, FP32, 67 * T, FP8, 1979 * T),
                    "NVIDIA H200 product brief; stas00/ml-engineering @744d01e"),
            // NVIDIA L40S datasheet ("* With Sparsity", halved): 362 bf16, 183 tf32, 733 fp8, 91.6 fp32,
            // 48 GB GDDR6 at 864 GB/s, ECC on by default, which keeps 1/16 of GDDR6 for its codes: 45 GiB;
            // 142 SMs from third-party listings (142 x 128 x 2 x 2.52 GHz = 91.6 TF).
            new Device("l40s", "NVIDIA L40S 48GB", 142, 48 * Device.GIB / 16 * 15, 864e9,
                    Map.of(BF16, 362 * T, FP16, 362 * T, TF32, 183 * T, FP32, 91.6 * T, FP8, 733 * T),
                    "NVIDIA L40S datasheet; third-party SM count"),
            // HGX B200 spec table (sparse halved) and stas00/ml-engineering: 2,250 bf16, 1,100-1,125 tf32 (upper
            // kept), 4,500 fp8, 75-80 fp32 (upper kept), 180 GB HBM3e, 7.7-8.0 TB/s (upper kept), 148 SMs
            // device-reported (ai-bot-pro/achatbot device dump).
            new Device("b200", "NVIDIA B200 180GB", 148, 180 * Device.GIB, 8000e9,
                    Map.of(BF16, 2250 * T, FP16, 2250 * T, TF32, 1125 * T, FP32, 80 * T, FP8, 4500 * T),
                    "NVIDIA HGX B200 spec table; stas00/ml-engineering @744d01e"));

    private DeviceCatalog() {
    }

    /**
     * The catalog device a {@code --profile} value names when it is no file; a one-line refusal naming what it is
     * instead (a directory, another kind of file such as a device, or neither a file nor a catalog id).
     */
    public static Device requireForProfile(String profile) {
        return find(profile).orElseThrow(() -> new BadInputException("--profile " + profile
                + (Files.isDirectory(Path.of(profile)) ? ": a directory, not a profile file"
                : Files.exists(Path.of(profile)) ? ": not a regular file (a profile is a table's .json)"
                : ": no such file, and not a catalog device" + (looksLikeAPath(profile) ? "" : didYouMean(profile))
                + " (" + ids() + ")")));
    }

    /** Every catalog device, in a stable order. */
    public static List<Device> all() {
        return DEVICES;
    }

    /** The device with this catalog id, if any. */
    public static Optional<Device> find(String id) {
        return DEVICES.stream().filter(d -> d.id().equals(id)).findFirst();
    }

    /**
     * The catalog device a device-reported name denotes, e.g. {@code NVIDIA H100 80GB HBM3} → {@code h100-sxm},
     * {@code NVIDIA H100 PCIe} → {@code h100-pcie}; empty for anything the catalog does not hold.
     */
    public static Optional<Device> matchName(String reportedName) {
        String name = reportedName.toUpperCase(Locale.ROOT);
        String id;
        if (name.contains("H100")) {
            id = name.contains("PCIE") ? "h100-pcie" : name.contains("NVL") ? null : "h100-sxm";
        } else if (name.contains("H200")) {
            id = name.contains("NVL") || name.contains("GH200") ? null : "h200";
        } else if (name.contains("A100")) {
            id = name.contains("SXM") && name.contains("80GB") ? "a100-sxm-80gb" : null;
        } else if (name.contains("L40S")) {
            id = "l40s";
        } else if (name.contains("B200") && !name.contains("GB200")) {
            id = "b200";
        } else {
            id = null;
        }
        return id == null ? Optional.empty() : find(id);
    }

    /**
     * Whether rows measured on a GPU reported as {@code reportedName} may be recorded as {@code device}: the device the
     * name denotes ({@link #matchName}), or, for a bare chip name that says no variant ({@code A100},
     * {@code A100_SXM}), a device of that chip; a name of another chip or variant (a {@code T4},
     * {@code A100-SXM4-40GB}, {@code H100 NVL}) none.
     */
    public static boolean mayName(String reportedName, Device device) {
        String chip = device.id().split("-")[0].toUpperCase(Locale.ROOT);
        String name = reportedName.toUpperCase(Locale.ROOT);
        if (name.equals(chip)) // matchName reads a bare H100 as the SXM one; it may be any H100
            return true;
        Optional<Device> named = matchName(reportedName);
        if (named.isPresent())
            return named.get().id().equals(device.id());
        return name.matches(Pattern.quote(chip) + "([-_ ]SXM\\d?)?");
    }

    /** The device with this catalog id; bad input naming the known ids otherwise. */
    public static Device require(String id) {
        return find(id).orElseThrow(() -> new BadInputException(
                "unknown device '" + id + "'" + didYouMean(id) + " (catalog: " + ids() + ")"));
    }

    private static boolean looksLikeAPath(String profile) {
        return profile.contains("/") || profile.contains(java.io.File.separator) || profile.endsWith(".json");
    }

    /** {@code ": did you mean h200?"} where a name the catalog does not hold denotes one it does ({@code h200-sxm}). */
    public static String didYouMean(String name) {
        return matchName(name).map(d -> ": did you mean " + d.id() + "?").orElse("");
    }

    /** The catalog ids, comma-separated. */
    public static String ids() {
        return DEVICES.stream().map(Device::id).collect(Collectors.joining(", "));
    }
}
