package gemmcost.cost;

import gemmcost.BadInputException;
import gemmcost.ToolVersion;
import gemmcost.comm.Network;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.device.Roofline;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.GetTimes;
import gemmcost.gettime.RooflineGetTime;
import gemmcost.table.CsvImport;
import gemmcost.table.Measurement;
import gemmcost.table.MeasurementCsv;
import gemmcost.table.Profile;
import gemmcost.table.ProfileJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Opens the cost model a {@code --profile} argument names: a profile file or a catalog device. */
public final class CostModels {
    /** The built-in default when no profile is given: the H100 SXM datasheet roofline, i.e. modeled numbers. */
    public static final String DEFAULT_PROFILE = "h100-sxm";

    private CostModels() {
    }

    /**
     * A cost model with where it came from: the table read (null for a catalog device's roofline), the device's
     * datasheet roofline for the dtype (null when the catalog has none) and the catalog device (null when the table's
     * device is none the catalog holds).
     */
    public record Opened(CostModel model, Profile table, Roofline roofline, Device device) {
        /** The catalog device the costs are of, where known. */
        public Optional<Device> catalogDevice() {
            return Optional.ofNullable(device);
        }

        /**
         * The device whose nodes' links the work communicates over: the catalog device; for a table of the CUDA
         * stand-in, which simulates an H100 SXM-class GPU (132 SMs, 3,350 GB/s) and none of the catalog's by name,
         * an H100 SXM's, so that a dry run costs what a run on an H100 would (its every number labelled simulated).
         */
        public Optional<Device> linksDevice() {
            return table != null && table.provenance().kind() == Profile.Kind.SIMULATED && device == null
                    ? DeviceCatalog.find("h100-sxm") : catalogDevice();
        }
    }

    /**
     * Reads a profile file once: its Get_Time, and for memory-bound ops the bandwidth measured with it, else its
     * catalog device's datasheet bandwidth.
     */
    public static CostModel open(String profile, Dtype dtype, Network network) {
        return openWithTable(profile, dtype, network).model();
    }

    /**
     * The cost model of a real model's steps on {@code device}: GEMMs from a Get_Time table of {@code gemmDtype}
     * ({@code bf16}, {@code fp8}, {@code fp8_block}) — the rows of {@code gemmCsv} whose gpu is {@code device}, or
     * the profile file {@code profile}, an imported fp8 table as a served model pays it ({@link StaticScaleFp8}) —
     * else the device's datasheet roofline for it (modeled); memory-bound ops at the table's measured bandwidth, else
     * {@link MemoryBandwidth#achievable}; attention at {@link AttentionRate#of}; communication as an engine sees it
     * ({@link Network#forDevice}).
     */
    public static Opened forServing(Device device, String gemmDtype, String profile, Path gemmCsv) {
        if (gemmCsv == null && profile == null) {
            Dtype rooflineDtype = Dtype.parse(gemmDtype).orElseThrow();
            GetTime roofline = new RooflineGetTime(device, rooflineDtype);
            return new Opened(served(device, roofline, unquantized(device, gemmDtype, null),
                    MemoryBandwidth.achievable(device)), null, device.roofline(rooflineDtype).orElse(null), device);
        }
        if (gemmCsv != null)
            return imported(device, gemmDtype, gemmCsv, MeasurementCsv.read(gemmCsv), null);
        Path file = Path.of(profile);
        if (!Files.isRegularFile(file))
            throw new BadInputException("--profile " + profile + (Files.exists(file) ? ": not a regular file"
                    : ": no such file") + " (the device is --gpu " + device.id() + "; without --profile its datasheet"
                    + " roofline costs the GEMMs)");
        return fromTable(device, gemmDtype, file, ProfileJson.read(file), unquantized(device, gemmDtype, null));
    }

    /**
     * The Get_Time of the GEMMs a quantised model keeps in bf16 (its LM head and router,
     * {@code Work.Gemm#unquantized}): none where the model's GEMMs are bf16 (they are costed as the rest); else
     * {@code table}, the bf16 rows of the file the other GEMMs come from, where it has them (null where not), or the
     * device's bf16 datasheet roofline (modeled).
     */
    private static GetTime unquantized(Device device, String gemmDtype, Supplier<GetTime> table) {
        if (gemmDtype.equals(Dtype.BF16.id()))
            return null;
        return table != null ? table.get() : new RooflineGetTime(device, Dtype.BF16);
    }

    /**
     * Like {@link #forServing}, over the rows already read from {@code csv}: those measured on {@code device} in
     * {@code dtype} (and from {@code source}, unless it is null): the rows whose GPU name may be it
     * ({@link DeviceCatalog#mayName}).
     */
    public static Opened imported(Device device, String dtype, Path csv, List<Measurement> rows, String source) {
        return imported(device, dtype, csv, rows, source, null);
    }

    /**
     * Like {@link #imported(Device, String, Path, List, String)}, with the bf16 Get_Time of the same rows where the
     * caller has made it already ({@code bf16}; null: made here where the rows have bf16 ones).
     */
    public static Opened imported(Device device, String dtype, Path csv, List<Measurement> rows, String source,
                                  GetTime bf16) {
        List<String> labels = rows.stream().map(Measurement::gpu).distinct()
                .filter(gpu -> DeviceCatalog.mayName(gpu, device)) // AIConfigurator's A100_SXM names no memory size
                .sorted().toList();
        if (labels.size() != 1)
            throw new BadInputException(csv + ": " + (labels.isEmpty() ? "no rows" : "rows of several GPU names " + labels)
                    + " of a " + device.id() + " GPU; the file has " + rows.stream().map(Measurement::gpu).distinct()
                    .sorted().toList());
        String gpu = labels.getFirst();
        Profile table = CsvImport.fromRows(csv, rows, gpu, dtype, source, device.id(), ToolVersion.current(),
                Instant.now()).profile();
        boolean bf16Rows = rows.stream().anyMatch(m -> m.gpu().equals(gpu) && m.dtype().equals(Dtype.BF16.id())
                && (source == null || m.source().equals(source)));
        // a bad bf16 row is reported as any other, not passed over for the roofline
        Supplier<GetTime> bf16Table = !bf16Rows ? null : bf16 != null ? () -> bf16
                : () -> GetTimes.fromProfile(csv, CsvImport.fromRows(csv, rows, gpu, Dtype.BF16.id(), source,
                        device.id(), ToolVersion.current(), Instant.now()).profile());
        return fromTable(device, dtype, csv, table, unquantized(device, dtype, bf16Table));
    }

    /** {@code unquantized}: the Get_Time of the GEMMs kept in bf16, null where the model's GEMMs are bf16. */
    private static Opened fromTable(Device device, String gemmDtype, Path file, Profile table,
                                    GetTime unquantized) {
        if (!table.dtype().equals(gemmDtype))
            throw new BadInputException(file + ": $.dtype: a " + table.dtype() + " table, but the model's GEMMs are "
                    + gemmDtype + " (--weights chooses the format they are costed in)");
        Optional<Device> measuredOn = GetTimes.catalogDevice(file, table);
        if (measuredOn.isPresent() && !measuredOn.get().id().equals(device.id()))
            throw new BadInputException(file + ": $.device: a table of a " + measuredOn.get().id() + " GPU ('"
                    + table.device().name() + "'), but --gpu is " + device.id()
                    + " (give a table of the GPU served on)");
        MemoryBandwidth memory = MemoryBandwidth.measured(table).orElseGet(() -> MemoryBandwidth.achievable(device));
        GetTime getTime = StaticScaleFp8.served(GetTimes.fromProfile(file, table), table, device);
        return new Opened(served(device, getTime, unquantized, memory), table,
                Dtype.parse(gemmDtype).flatMap(device::roofline).orElse(null), device);
    }

    /**
     * A served model's cost model on {@code device}: its engine's network and attention rate, the GEMMs it keeps in
     * bf16 costed by {@code unquantized} (said on the source line), or as the rest where that is null.
     */
    private static CostModel served(Device device, GetTime getTime, GetTime unquantized, MemoryBandwidth memory) {
        GetTime gemms = unquantized == null ? getTime
                : GetTimes.withNote(getTime, "the GEMMs kept in bf16 (LM head, MoE router): " + unquantized.source());
        return new CostModel(gemms, unquantized == null ? gemms : unquantized, memory, Network.forDevice(device.id()),
                AttentionRate.of(device));
    }

    /**
     * Like {@link #openWithTable}, for a deployment on {@code gpus} GPUs whose model's GEMMs are {@code dtype}: a table
     * of another dtype is refused (it would cost them at another format's speed), naming the config's field; the
     * network is the device's where the config gives none of its own ({@link #onDevice}).
     */
    public static Opened openForModel(String profile, Dtype dtype, Network network, int gpus) { // gpus: communicating
        Opened opened = openWithTable(profile, dtype, network);
        if (opened.table() != null && !opened.table().dtype().equals(dtype.id()))
            throw new BadInputException(profile + ": $.dtype: a " + opened.table().dtype() + " table, but the model's"
                    + " GEMMs are " + dtype.id() + " ($.model.dtype of the config)");
        return new Opened(opened.model().withNetwork(onDevice(network, profile, opened.linksDevice(), gpus)),
                opened.table(), opened.roofline(), opened.device());
    }

    /**
     * The network {@code gpus} GPUs (those the work communicates among) of {@code profile}'s {@code device} communicate
     * over: each tier a config writes is its own; a tier it does not write (the very instance of {@link
     * Network#h100Default} the reader gives it) is the device's nodes' ({@link Network#forDevice}'s: NVLink5 for B200),
     * with {@code configured}'s GPUs per node. On a device whose links the model lacks, or one the catalog does not
     * hold, such a tier is refused for communication among more than one GPU rather than costed on an H100's links.
     */
    public static Network onDevice(Network configured, String profile, Optional<Device> device, int gpus) {
        Network h100 = Network.h100Default();
        boolean ownIntra = configured.intraNode() != h100.intraNode();
        boolean ownInter = configured.interNode() != h100.interNode();
        if (ownIntra && ownInter || gpus < 2)
            return configured;
        String id = device.map(Device::id).orElse(null);
        if (id == null || !Network.modelsLinksOf(id))
            throw new BadInputException(Network.linksNotModeled("--profile", profile + (profile.equals(id) ? ""
                    : id == null ? " (a device the catalog does not hold)" : " (device " + id + ")"))
                    + ", so communication among " + gpus + " GPUs is not costed on it");
        Network own = Network.forDevice(id);
        return new Network(configured.gpusPerNode(), ownIntra ? configured.intraNode() : own.intraNode(),
                ownInter ? configured.interNode() : own.interNode(), configured.engineAllReduce());
    }

    /** Like {@link #open}, keeping the table (for provenance and charts) and the datasheet roofline. */
    public static Opened openWithTable(String profile, Dtype dtype, Network network) {
        Path file = Path.of(profile);
        if (!Files.isRegularFile(file)) {
            Device device = DeviceCatalog.requireForProfile(profile);
            return new Opened(new CostModel(GetTimes.open(profile, dtype), MemoryBandwidth.datasheet(device), network),
                    null, device.roofline(dtype).orElse(null), device);
        }
        Profile table = ProfileJson.read(file);
        Optional<Device> device = GetTimes.catalogDevice(file, table);
        Optional<MemoryBandwidth> measured = MemoryBandwidth.measured(table);
        GetTime getTime = GetTimes.fromProfile(file, table);
        if (measured.isEmpty()) {
            String name = table.device().name();
            Device known = device.orElseThrow(() -> new BadInputException(file + ": $.device.catalog_id: missing, no"
                    + " measured $.device.memory_bandwidth_bytes_per_s, and the name '" + name + "' matches no catalog"
                    + " device; memory-bound ops need the device's bandwidth: import the table again with --device ID"
                    + " (catalog: " + DeviceCatalog.ids() + ")"));
            if (table.device().catalogId() == null)
                getTime = GetTimes.withNote(getTime, "memory-bound ops at " + known.id() + "'s datasheet bandwidth, the"
                        + " device inferred from the name '" + name + "' (import-csv --device chooses it)");
        }
        MemoryBandwidth memory = measured.orElseGet(() -> MemoryBandwidth.datasheet(device.orElseThrow()));
        return new Opened(new CostModel(getTime, memory, network), table,
                device.flatMap(d -> Dtype.parse(table.dtype()).flatMap(d::roofline)).orElse(null), device.orElse(null));
    }
}
