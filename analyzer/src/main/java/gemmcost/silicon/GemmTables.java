package gemmcost.silicon;

import gemmcost.comm.Network;
import gemmcost.cost.CostModels;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.table.Measurement;
import gemmcost.table.MeasurementCsv;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The GEMM tables of {@code --gemm-csv} files, as cost models per device, dtype and engine: a row's table is the one
 * of its engine's framework ({@code aiconfigurator-trtllm} for TensorRT-LLM, and so on) where a file has it, else
 * the first {@code --gemm-csv} file with rows of the device and dtype (the report names the table each row used).
 * Each cost model is made once per device, dtype and engine and shared, Get_Time cache included.
 */
final class GemmTables {
    private final Map<Path, List<Measurement>> files = new LinkedHashMap<>();
    private final Map<Path, Set<String>> keys = new HashMap<>();
    private final Map<String, Optional<CostModels.Opened>> opened = new HashMap<>();
    GemmTables(List<Path> csvs) {
        for (Path csv : csvs) {
            List<Measurement> rows = MeasurementCsv.read(csv);
            files.put(csv, rows);
            keys.put(csv, rows.stream().map(m -> key(m.source(), deviceId(m.gpu()), m.dtype()))
                    .collect(Collectors.toSet()));
        }
    }

    private static String deviceId(String gpu) {
        return DeviceCatalog.matchName(gpu).map(Device::id).orElse("?" + gpu);
    }

    private static String key(String source, String device, String dtype) {
        return source + "|" + device + "|" + dtype;
    }

    /** The cost model of {@code device}'s {@code dtype} GEMMs, preferring the rows measured under {@code backend}. */
    Optional<CostModels.Opened> costs(Device device, String dtype, String backend) {
        return opened.computeIfAbsent(device.id() + "|" + dtype + "|" + backend, k -> open(device, dtype, backend));
    }

    private Optional<CostModels.Opened> open(Device device, String dtype, String backend) {
        String preferred = "aiconfigurator-" + backend;
        for (var file : files.entrySet())
            if (keys.get(file.getKey()).contains(key(preferred, device.id(), dtype)))
                return Optional.of(CostModels.imported(device, dtype, file.getKey(), file.getValue(), preferred,
                        Network.forDevice(device.id())));
        for (var file : files.entrySet())
            for (String k : keys.get(file.getKey()))
                if (k.endsWith("|" + device.id() + "|" + dtype))
                    return Optional.of(CostModels.imported(device, dtype, file.getKey(), file.getValue(),
                            k.substring(0, k.indexOf('|')), Network.forDevice(device.id())));
        return Optional.empty();
    }
}
