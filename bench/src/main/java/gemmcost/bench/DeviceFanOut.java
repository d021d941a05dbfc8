package gemmcost.bench;

import gemmcost.BadInputException;
import gemmcost.ToolVersion;
import gemmcost.table.ProfileJson;
import gemmcost.table.TableMerge;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * {@code profile --devices all}: one child process per GPU, in parallel (each sees only its own GPU, and has its own
 * CUDA context, lock, journal and log), writing {@code <out>/per-gpu/gpu<N>/<slug>/<dtype>.json}; then the tables of each GPU model and
 * dtype are merged into {@code <out>/<slug>/<dtype>.json}.
 */
public final class DeviceFanOut {
    private DeviceFanOut() {
    }

    /** {@code 0}, {@code 0,2} or {@code all} (every visible device) as ordinals. */
    public static List<Integer> parse(String devices, int visible) {
        if (devices.equals("all")) {
            return IntStream.range(0, visible).boxed().toList();
        }
        List<Integer> ordinals = new ArrayList<>();
        for (String part : devices.split(",", -1)) {
            try {
                ordinals.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                throw new BadInputException("--devices: expected N, N,M,... or all, got '" + devices + "'");
            }
        }
        for (int ordinal : ordinals) {
            if (ordinal < 0 || ordinal >= visible) {
                throw new BadInputException("--devices: no device " + ordinal + " (" + visible + " visible)");
            }
            if (ordinals.indexOf(ordinal) != ordinals.lastIndexOf(ordinal)) {
                throw new BadInputException("--devices: device " + ordinal + " named twice in '" + devices + "'");
            }
        }
        return List.copyOf(ordinals);
    }

    /** {@code args} with every {@code name VALUE} and {@code name=VALUE} replaced by one {@code name value}. */
    public static List<String> withOption(List<String> args, String name, String value) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name)) {
                i++; // skip its value
            } else if (!a.startsWith(name + "=")) {
                out.add(a);
            }
        }
        out.add(name);
        out.add(value);
        return out;
    }

    /**
     * One child: its arguments, its log, and the {@code CUDA_VISIBLE_DEVICES} that shows it its GPU alone (a UUID, so
     * it is the same GPU whatever order CUDA enumerates in), or null to leave the environment as it is.
     */
    public record Child(List<String> args, Path log, String visibleDevices) {
    }

    /** Runs {@code gemmcost <args>} once per child in parallel, output to the given logs; returns the exit codes. */
    public static List<Integer> runChildren(List<Child> children, PrintWriter err) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<Process> processes = new ArrayList<>();
        try {
            for (Child child : children) {
                List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                        System.getProperty("java.class.path"), "gemmcost.cli.Main"));
                command.addAll(child.args());
                Files.createDirectories(child.log().toAbsolutePath().getParent());
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(child.log().toFile());
                if (child.visibleDevices() != null) {
                    builder.environment().put("CUDA_VISIBLE_DEVICES", child.visibleDevices());
                }
                processes.add(builder.start());
                err.println("started: " + (child.visibleDevices() == null ? ""
                        : "CUDA_VISIBLE_DEVICES=" + child.visibleDevices() + " ") + "gemmcost "
                        + String.join(" ", child.args()) + " (log: " + child.log() + ")");
                err.flush();
            }
            List<Integer> codes = new ArrayList<>();
            for (Process p : processes) {
                codes.add(p.waitFor());
            }
            return codes;
        } catch (IOException e) {
            processes.forEach(Process::destroy);
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            processes.forEach(Process::destroy);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the per-GPU profiles ran", e);
        }
    }

    /**
     * Merges the {@code <gpu>/<slug>/<dtype>.json} tables of this run's GPU folders, {@code gpus}, and its
     * {@code dtypes} into {@code out/<slug>/<dtype>.json} per slug and dtype (a single table is copied); returns the
     * tables written. Other folders and dtypes, an earlier run's, are left out.
     */
    public static List<Path> mergePerModel(List<Path> gpus, Set<String> dtypes, Path out) {
        Map<Path, List<Path>> byModelAndDtype = new TreeMap<>();
        for (Path gpu : gpus) {
            if (!Files.isDirectory(gpu))
                continue;
            try (Stream<Path> files = Files.walk(gpu, 2)) {
                files.filter(f -> gpu.relativize(f).getNameCount() == 2
                                && dtypes.contains(f.getFileName().toString().replaceFirst("\\.json$", ""))
                                && f.getFileName().toString().endsWith(".json"))
                        .sorted().forEach(f -> byModelAndDtype.computeIfAbsent(gpu.relativize(f),
                                k -> new ArrayList<>()).add(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<Path> written = new ArrayList<>();
        byModelAndDtype.forEach((relative, tables) -> {
            Path target = out.resolve(relative);
            if (tables.size() == 1) {
                copy(tables.getFirst(), target);
            } else {
                ToolVersion tool = ToolVersion.current();
                ProfileJson.write(target, TableMerge.merge(tables.stream()
                        .map(t -> new TableMerge.Input(t, ProfileJson.read(t))).toList(), tool.version(),
                        tool.gitCommit(), Instant.now().truncatedTo(ChronoUnit.SECONDS)));
            }
            written.add(target);
        });
        return written;
    }

    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.toAbsolutePath().getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
