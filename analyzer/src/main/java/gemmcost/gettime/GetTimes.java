package gemmcost.gettime;

import gemmcost.BadInputException;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.device.Roofline;
import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import gemmcost.table.ProfileJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Opens the Get_Time that a {@code --profile} argument names: a profile file, or a catalog device id. */
public final class GetTimes {
    private GetTimes() {
    }

    /**
     * A table Get_Time if {@code profile} is an existing file, else the roofline of the catalog device it names.
     *
     * @param dtype the dtype to model when {@code profile} is a catalog id (a table has its own)
     */
    public static GetTime open(String profile, Dtype dtype) {
        return typed(profile, dtype).getTime();
    }

    /**
     * A Get_Time, the dtype its answers are for (a table's own, or the roofline's), and the GPU they are of: its name
     * as the table gives it (a catalog id for a roofline) and the catalog device, where it is one.
     */
    public record Typed(GetTime getTime, String dtype, String gpu, Optional<Device> device) {
        /** The device's datasheet roofline for the dtype, where the catalog has both. */
        public Optional<Roofline> datasheet() {
            return GetTimes.datasheet(device, dtype);
        }
    }

    private static Optional<Roofline> datasheet(Optional<Device> device, String dtype) {
        return device.flatMap(d -> Dtype.parse(dtype).flatMap(d::roofline));
    }

    /** As {@link #open}, with the dtype and the GPU: a profile file is read once for all. */
    public static Typed typed(String profile, Dtype dtype) {
        Path file = Path.of(profile);
        if (Files.isRegularFile(file)) {
            Profile table = ProfileJson.read(file);
            return new Typed(fromProfile(file, table), table.dtype(), table.device().name(),
                    catalogDevice(file, table));
        }
        Device device = DeviceCatalog.requireForProfile(profile);
        return new Typed(new RooflineGetTime(device, dtype), dtype.id(), device.id(), Optional.of(device));
    }

    /**
     * A table Get_Time over a profile read from {@code file}. Entries faster than any GPU can be, by far, are refused
     * ({@link PhysicsCheck}) unless the table is simulated; those faster than the device's datasheet are counted in
     * the source line. A simulated table's every answer is labelled {@link Label#SIMULATED}, however it was derived;
     * an imported table's verbatim answers {@link Label#IMPORTED}.
     */
    public static GetTime fromProfile(Path file, Profile profile) {
        Map<GemmShape, Double> times = new HashMap<>();
        for (ProfileEntry e : profile.entries()) {
            times.put(e.shape(), e.timeUs());
        }
        Optional<Device> device = catalogDevice(file, profile);
        Roofline datasheet = datasheet(device, profile.dtype()).orElse(null);
        // the CUDA stand-in's times are no measurement (its tiniest shapes take less than any GPU could): not checked
        boolean simulated = profile.provenance().kind() == Profile.Kind.SIMULATED;
        int beyondDatasheet = simulated ? 0
                : PhysicsCheck.check(file, profile.entries(), Optional.ofNullable(datasheet));
        String source = profile.provenance().kind().jsonName() + ": " + file + " (" + profile.device().name()
                + ", " + profile.dtype() + ", " + times.size() + " shapes"
                + (datasheet != null ? "" : device.isPresent()
                        ? ", no datasheet peak for " + profile.dtype() : ", device not in the catalog")
                + (beyondDatasheet == 0 ? "" : ", " + beyondDatasheet + " faster than the datasheet allows")
                + ")";
        TableGetTime table = TableGetTime.of(times, source, Optional.ofNullable(datasheet));
        return switch (profile.provenance().kind()) {
            case SIMULATED -> new Wrapped(table, label -> Label.SIMULATED, null);
            case IMPORTED -> new Wrapped(table, label -> label == Label.MEASURED ? Label.IMPORTED : label, null);
            case MEASURED -> table;
        };
    }

    /** The label of a table entry read verbatim from a profile of {@code kind}. */
    public static Label verbatim(Profile.Kind kind) {
        return switch (kind) {
            case MEASURED -> Label.MEASURED;
            case IMPORTED -> Label.IMPORTED;
            case SIMULATED -> Label.SIMULATED;
        };
    }

    /** {@code getTime} with {@code note} added to its source line, e.g. how the cost model chose a bandwidth. */
    public static GetTime withNote(GetTime getTime, String note) {
        return new Wrapped(getTime, UnaryOperator.identity(), note);
    }

    /**
     * Another Get_Time's answers relabelled (all simulated, or the verbatim ones of an import imported), its source
     * line with a {@code note} added (none if null).
     */
    private record Wrapped(GetTime inner, UnaryOperator<Label> relabel, String note) implements GetTime {
        @Override
        public Estimate estimate(long m, long k, long n) {
            Estimate e = inner.estimate(m, k, n);
            Label label = relabel.apply(e.label());
            return label == e.label() ? e
                    : new Estimate(e.timeUs(), label, e.method(), e.octavesOutside(), e.axisOutside());
        }

        @Override
        public String source() {
            return note == null ? inner.source() : inner.source() + "; " + note;
        }
    }

    /**
     * Refuses a measured time no GPU could achieve for {@code shape} (more than 10× the fastest catalogued one's
     * FLOP/s or bandwidth): a typo or a unit mistake, named by {@code where}, as a table's entries are when it is read.
     */
    public static void requirePossible(String where, GemmShape shape, double timeUs) {
        PhysicsCheck.requirePossible(where, shape, timeUs);
    }

    /**
     * The catalog device a table was measured on: its {@code catalog_id} (refused when unknown, or when the table's
     * device name is another device's), else the device its name denotes ({@link DeviceCatalog#matchName}), else
     * none.
     */
    public static Optional<Device> catalogDevice(Path file, Profile profile) {
        String id = profile.device().catalogId();
        String name = profile.device().name();
        if (id == null)
            return DeviceCatalog.matchName(name);
        Device device = DeviceCatalog.find(id).orElseThrow(() -> new BadInputException(
                file + ": $.device.catalog_id: unknown device '" + id + "' (catalog: " + DeviceCatalog.ids() + ")"));
        if (!DeviceCatalog.mayName(name, device))
            throw new BadInputException(file + ": $.device.catalog_id: '" + id + "', but $.device.name '" + name + "' "
                    + DeviceCatalog.matchName(name).map(named -> "is a " + named.id()).orElse("is no " + id)
                    + " (the table would be judged by another GPU's datasheet)");
        return Optional.of(device);
    }
}
