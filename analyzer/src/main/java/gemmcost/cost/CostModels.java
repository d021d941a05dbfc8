package gemmcost.cost;

import gemmcost.BadInputException;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.gettime.GetTimes;
import gemmcost.table.Profile;
import gemmcost.table.ProfileJson;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the cost model a {@code --profile} argument names: a profile file or a catalog device. */
public final class CostModels {
    /** The built-in default when no profile is given: the H100 SXM datasheet roofline, i.e. modeled numbers. */
    public static final String DEFAULT_PROFILE = "h100-sxm";

    private CostModels() {
    }

    /** Reads a profile file once: its Get_Time, and its catalog device's bandwidth for memory-bound ops. */
    public static CostModel open(String profile, Dtype dtype, Network network) {
        Path file = Path.of(profile);
        if (!Files.isRegularFile(file)) {
            Device device = DeviceCatalog.find(profile).orElseThrow(() -> new BadInputException("--profile " + profile
                    + ": no such file, and not a catalog device (" + DeviceCatalog.ids() + ")"));
            return new CostModel(GetTimes.open(profile, dtype), device.bandwidthBytesPerSec(), network);
        }
        Profile table = ProfileJson.read(file);
        String id = table.device().catalogId();
        if (id == null)
            throw new BadInputException(file + ": $.device.catalog_id: missing; memory-bound ops need the device's"
                    + " bandwidth (catalog: " + DeviceCatalog.ids() + ")");
        Device device = DeviceCatalog.find(id).orElseThrow(() -> new BadInputException(file
                + ": $.device.catalog_id: unknown device '" + id + "' (catalog: " + DeviceCatalog.ids() + ")"));
        return new CostModel(GetTimes.fromProfile(file, table), device.bandwidthBytesPerSec(), network);
    }
}
