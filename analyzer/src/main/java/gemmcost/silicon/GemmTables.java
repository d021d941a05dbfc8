package gemmcost.silicon;

import gemmcost.BadInputException;
import gemmcost.cost.CostModels;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.gettime.GetTime;
import gemmcost.table.Measurement;
import gemmcost.table.MeasurementCsv;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The GEMM tables of {@code --gemm-csv} files, as cost models per device, dtype and engine: a row's table is the one
 * of its engine's framework ({@code aiconfigurator-trtllm} for TensorRT-LLM, and so on) where a file has it, else
 * the first {@code --gemm-csv} file with rows of the device and dtype (the report names the table each row used).
 * Each cost model is made once per file, source, device and dtype and shared, Get_Time cache included (engines that
 * fall back to the same rows share it).
 */
final class GemmTables {
    /** The rows of one source, GPU (a catalog device id, or the file's name for it) and dtype. */
    private record Key(String source, String device, String dtype) {
    }

    private final Map<Path, List<Measurement>> files = new LinkedHashMap<>();
    private final Map<Path, Set<Key>> keys = new HashMap<>();
    private final Map<Wanted, Optional<CostModels.Opened>> opened = new HashMap<>();
    private final Map<Table, Built> built = new HashMap<>();

    /** What a row asks for: its device's dtype GEMMs, preferably as its engine measured them. */
    private record Wanted(String device, String dtype, String backend) {
    }

    /** One table: the rows of one file, source, device and dtype. */
    private record Table(Path csv, String source, String device, String dtype) {
    }

    /** A table's cost model, or why it could not be made: a bad table is imported once, not once per row. */
    private record Built(CostModels.Opened costs, BadInputException failure) {
        CostModels.Opened get() {
            if (failure != null)
                throw failure;
            return costs;
        }
    }

    GemmTables(List<Path> csvs) {
        for (Path csv : csvs) {
            List<Measurement> rows = MeasurementCsv.read(csv);
            Set<Key> present = new LinkedHashSet<>();
            for (Measurement m : rows)
                present.add(new Key(m.source(), DeviceCatalog.matchName(m.gpu()).map(Device::id).orElse(m.gpu()),
                        m.dtype()));
            files.put(csv, rows);
            keys.put(csv, present);
        }
    }

    /** The cost model of {@code device}'s {@code dtype} GEMMs, preferring the rows measured under {@code backend}. */
    Optional<CostModels.Opened> costs(Device device, String dtype, String backend) {
        return opened.computeIfAbsent(new Wanted(device.id(), dtype, backend), k -> open(device, dtype, backend));
    }

    private Optional<CostModels.Opened> open(Device device, String dtype, String backend) {
        Key preferred = new Key("aiconfigurator-" + backend, device.id(), dtype);
        for (var file : files.entrySet())
            if (keys.get(file.getKey()).contains(preferred))
                return Optional.of(open(device, dtype, file.getKey(), file.getValue(), preferred.source()));
        for (var file : files.entrySet())
            for (Key k : keys.get(file.getKey()))
                if (k.device().equals(device.id()) && k.dtype().equals(dtype))
                    return Optional.of(open(device, dtype, file.getKey(), file.getValue(), k.source()));
        return Optional.empty();
    }

    private CostModels.Opened open(Device device, String dtype, Path csv, List<Measurement> rows, String source) {
        // an fp8 model's LM head is bf16: the same rows' bf16 table, made once (and before, not inside, the
        // computeIfAbsent below, which must not add to the map it computes for)
        GetTime bf16 = !dtype.equals(Dtype.BF16.id()) && keys.get(csv).contains(new Key(source, device.id(),
                Dtype.BF16.id())) ? open(device, Dtype.BF16.id(), csv, rows, source).model().getTime() : null;
        return built.computeIfAbsent(new Table(csv, source, device.id(), dtype), table -> {
            try {
                return new Built(CostModels.imported(device, dtype, csv, rows, source, bf16), null);
            } catch (BadInputException e) {
                return new Built(null, e);
            }
        }).get();
    }
}
