package gemmcost.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One native library bound with FFM by exported name (dlopen/dlsym take the default symbol version, so one binding
 * serves several majors). Calls that are not on a timed path go through {@link #call}; the few that are use
 * {@code invokeExact} in place.
 */
@SuppressWarnings("restricted") // native calls are this class's purpose; the jar enables native access
final class Ffm {
    private static final Linker LINKER = Linker.nativeLinker();

    private final Path file;
    private final SymbolLookup lookup;

    private Ffm(Path file, SymbolLookup lookup) {
        this.file = file;
        this.lookup = lookup;
    }

    /** Loads {@code file} for the lifetime of the process (a process loads each CUDA library once). */
    static Ffm load(Path file) {
        return new Ffm(file, SymbolLookup.libraryLookup(file, Arena.global()));
    }

    Path file() {
        return file;
    }

    /** A downcall to an exported function; a missing one is a link error naming the file and the symbol. */
    MethodHandle function(String name, FunctionDescriptor descriptor) {
        return optional(name, descriptor).orElseThrow(() -> new UnsatisfiedLinkError(file + ": no symbol " + name));
    }

    Optional<MethodHandle> optional(String name, FunctionDescriptor descriptor) {
        return lookup.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor));
    }

    /** Calls a function returning a status code. */
    static int call(MethodHandle function, Object... args) {
        try {
            return (int) function.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** A C string returned by a function, or {@code ?} for NULL. */
    static String string(MethodHandle function, Object... args) {
        try {
            MemorySegment text = (MemorySegment) function.invokeWithArguments(args);
            return text.equals(MemorySegment.NULL) ? "?" : text.reinterpret(4096).getString(0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
