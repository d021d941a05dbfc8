package gemmcost;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;

/**
 * Which gemmcost wrote something: the Maven project version and the git commit it was built from
 * ({@code "unknown"} when built outside a git work tree; suffixed {@code -dirty} when the tree had changes).
 */
public record ToolVersion(String version, String gitCommit) {
    private static final String RESOURCE = "/gemmcost-version.properties";

    public ToolVersion {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(gitCommit, "gitCommit");
    }

    /** The version written into this build's {@value #RESOURCE} by Maven resource filtering. */
    public static ToolVersion current() {
        try (InputStream in = ToolVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null)
                return new ToolVersion("unknown", "unknown");
            Properties p = new Properties();
            p.load(in);
            String commit = p.getProperty("git.commit", "unknown");
            if (commit.isBlank() || commit.startsWith("${"))
                commit = "unknown";
            else if (Boolean.parseBoolean(p.getProperty("git.dirty")))
                commit += "-dirty";
            return new ToolVersion(p.getProperty("version", "unknown"), commit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return version + " (git " + gitCommit + ")";
    }
}
