package gemmcost.bench.cli;

import gemmcost.BadInputException;
import gemmcost.cuda.Backends;
import gemmcost.cuda.CudaProbe;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost probe}: which CUDA runtime, driver, devices and cuBLAS this node has; exit 2 if no usable GPU. */
@Command(name = "probe",
        header = "Which CUDA runtime, driver, devices and cuBLAS this node has.",
        description = {"Find and load the CUDA runtime (libcudart.so.13 or .12, via FFM), report the driver, the",
                "devices and where cuBLAS is, and whether JCuda 12.6 loads. Exits 2 with one line saying what is missing when the GPU is unusable."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost probe", "  scripts/gemmcost probe --cuda-lib-dir /usr/local/cuda/lib64"})
final class ProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cuda-lib-dir", paramLabel = "DIR", description = "Look here first for the CUDA libraries.")
    Path cudaLibDir;

    @Override
    public Integer call() {
        CudaProbe.Result result = CudaProbe.run(existing(cudaLibDir));
        PrintWriter out = spec.commandLine().getOut();
        result.describe().forEach(out::println);
        out.println("jcuda: " + Backends.jcudaProblem(cudaLibDir).map(p -> "not usable: " + p).orElse("usable"));
        out.flush();
        if (!result.available()) {
            throw new BadInputException(result.problem().orElseThrow());
        }
        return 0;
    }

    /** {@code --cuda-lib-dir}'s folder (null: none given), refused when it is not a folder. */
    static Path existing(Path cudaLibDir) {
        if (cudaLibDir != null && !Files.isDirectory(cudaLibDir)) {
            throw new BadInputException("--cuda-lib-dir: no such folder: " + cudaLibDir);
        }
        return cudaLibDir;
    }

    /** Registers this command with the gemmcost command tree. */
    public static final class Plugin implements gemmcost.cli.CommandPlugin {
        @Override
        public Object command() {
            return new ProbeCommand();
        }
    }
}
