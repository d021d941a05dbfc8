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

    public static CostModel open(String profile, Dtype dtype, Network network) {
        return new CostModel(GetTimes.open(profile, dtype), device(profile).bandwidthBytesPerSec(), network);
    }

    /** The catalog device whose memory bandwidth prices memory-bound ops. */
    static Device device(String profile) {
        Path file = Path.of(profile);
        if (!Files.isRegularFile(file))
            return DeviceCatalog.find(profile).orElseThrow(() -> new BadInputException("--profile " + profile
                    + ": no such file, and not a catalog device (" + DeviceCatalog.ids() + ")"));
        Profile table = ProfileJson.read(file);
        String id = table.device().catalogId();
        if (id == null)
            throw new BadInputException(file + ": $.device.catalog_id: missing; memory-bound ops need the device's"
                    + " bandwidth (catalog: " + DeviceCatalog.ids() + ")");
        return DeviceCatalog.find(id).orElseThrow(() -> new BadInputException(file
                + ": $.device.catalog_id: unknown device '" + id + "' (catalog: " + DeviceCatalog.ids() + ")"));
    }
}
