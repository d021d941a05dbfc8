package gemmcost.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where to look for a CUDA library such as {@code libcudart.so.13}, in order: {@code --cuda-lib-dir}, then the
 * folders of {@code LD_LIBRARY_PATH} (where containers put the driver's libraries), then
 * {@code CUDA_HOME}/{@code CUDA_PATH} ({@code lib64}, {@code lib}), then the loader cache ({@code ldconfig -p}),
 * then the {@code nvidia/<pkg>/lib} folders of pip's NVIDIA wheels (GPU nodes often have cuBLAS only there,
 * beside PyTorch) under {@code VIRTUAL_ENV}, {@code CONDA_PREFIX}, the environment of the first {@code python3} on
 * {@code PATH} (a virtual environment nobody activated) and the usual site-packages folders.
 * Not thread-safe.
 */
final class LibraryLocator {
    private final Path explicitDir;
    private final Map<String, String> env;
    private final Supplier<String> ldconfig;
    private String loaderCache; // ldconfig -p, run at most once per locator
    private final List<Path> sitePackages;

    LibraryLocator(Path explicitDir, Map<String, String> env, Supplier<String> ldconfig, List<Path> sitePackages) {
        this.explicitDir = explicitDir;
        this.env = Map.copyOf(env);
        this.ldconfig = ldconfig;
        this.sitePackages = List.copyOf(sitePackages);
    }

    private static String processLoaderCache; // ldconfig -p, run at most once per process: every locator shares it

    /** The locator of this process: its environment, the real loader cache and site-packages. */
    static LibraryLocator system(Path explicitDir) {
        return new LibraryLocator(explicitDir, System.getenv(), LibraryLocator::processLoaderCache,
                defaultSitePackages(System.getenv()));
    }

    private static synchronized String processLoaderCache() {
        if (processLoaderCache == null) {
            processLoaderCache = ldconfigOutput();
        }
        return processLoaderCache;
    }

    /** Existing files named {@code fileName} (e.g. {@code libcublas.so.13}), most preferred first, no duplicates. */
    List<Path> find(String fileName) {
        Set<Path> found = new LinkedHashSet<>();
        if (explicitDir != null) {
            addIfFile(found, explicitDir.resolve(fileName));
        }
        for (String folder : env.getOrDefault("LD_LIBRARY_PATH", "").split(":")) {
            if (!folder.isBlank()) {
                addIfFile(found, Path.of(folder, fileName));
            }
        }
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(var);
            if (home != null && !home.isBlank()) {
                addIfFile(found, Path.of(home, "lib64", fileName));
                addIfFile(found, Path.of(home, "lib", fileName));
            }
        }
        if (loaderCache == null) {
            loaderCache = ldconfig.get();
        }
        for (String line : loaderCache.split("\n")) {
            String trimmed = line.strip();
            int arrow = trimmed.indexOf("=>");
            if (trimmed.startsWith(fileName + " ") && arrow > 0) {
                addIfFile(found, Path.of(trimmed.substring(arrow + 2).strip()));
            }
        }
        for (Path site : sitePackages) {
            for (Path lib : wheelLibDirs(site.resolve("nvidia"))) {
                addIfFile(found, lib.resolve(fileName));
            }
        }
        return List.copyOf(found);
    }

    private static void addIfFile(Set<Path> found, Path file) {
        if (Files.isRegularFile(file)) {
            found.add(file.toAbsolutePath().normalize());
        }
    }

    private static List<Path> wheelLibDirs(Path nvidia) {
        List<Path> dirs = new ArrayList<>();
        if (!Files.isDirectory(nvidia)) {
            return dirs;
        }
        try (DirectoryStream<Path> packages = Files.newDirectoryStream(nvidia)) {
            for (Path pkg : packages) {
                dirs.add(pkg.resolve("lib"));
            }
        } catch (IOException e) {
            return dirs;
        }
        dirs.sort(null);
        return dirs;
    }

    private static String ldconfigOutput() {
        for (String exe : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
            try {
                Process p = new ProcessBuilder(exe, "-p").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() == 0) {
                    return out;
                }
            } catch (IOException e) {
                // try the next location
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }
        return "";
    }

    static List<Path> defaultSitePackages(Map<String, String> env) {
        List<Path> roots = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String prefix = env.get(var);
            if (prefix != null && !prefix.isBlank()) {
                roots.add(Path.of(prefix, "lib"));
            }
        }
        firstPython(env.getOrDefault("PATH", ""))
                .ifPresent(python -> roots.add(python.getParent().resolveSibling("lib")));
        roots.add(Path.of(System.getProperty("user.home"), ".local", "lib"));
        roots.add(Path.of("/usr/local/lib"));
        roots.add(Path.of("/usr/lib"));
        roots.add(Path.of("/opt/conda/lib"));
        List<Path> sites = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (DirectoryStream<Path> pythons = Files.newDirectoryStream(root, "python3*")) {
                for (Path python : pythons) {
                    sites.add(python.resolve("site-packages"));
                    sites.add(python.resolve("dist-packages"));
                }
            } catch (IOException e) {
                // unreadable: nothing there for us
            }
        }
        return sites;
    }

    /** The first {@code python3} on {@code path}, e.g. {@code /opt/torch/.venv/bin/python3}. */
    private static Optional<Path> firstPython(String path) {
        for (String folder : path.split(":")) {
            if (folder.isBlank()) {
                continue;
            }
            Path python = Path.of(folder, "python3");
            if (Files.isExecutable(python)) {
                // a venv's python3 links to the system one: the venv is where the link is, not where it points
                return Optional.of(python.toAbsolutePath().normalize());
            }
        }
        return Optional.empty();
    }
}
