package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.comm.Network;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.device.Dtype;
import gemmcost.gettime.GetTimes;
import gemmcost.model.hf.WeightFormat;
import gemmcost.model.Deployment;
import gemmcost.deploy.Parallelism;
import gemmcost.model.Phase;
import gemmcost.serving.Engine;
import gemmcost.serving.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Options and parsing shared by the commands, those of {@code gemmcost.cli.table} and {@code .claim} too. */
public final class Options {
    private Options() {
    }

    /** {@code --profile}, mixed into every command that costs a DAG or the seed's formulas. */
    public static final class Profile {
        @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = CostModels.DEFAULT_PROFILE,
                description = "A profile file, or a catalog device id for modeled roofline times. "
                        + "Default: ${DEFAULT-VALUE}.")
        public String fileOrDevice;
    }

    /** {@code --phase}, mixed into the commands that read deployment configs. */
    static final class PhaseOverride {
        @Option(names = "--phase", paramLabel = "PHASE",
                description = "prefill or decode; default: the config's phase.")
        Phase phase;

        /** The deployment in the phase asked for, or as it is. */
        Deployment apply(Deployment deployment) {
            return phase == null ? deployment : deployment.withPhase(phase);
        }
    }

    /** The dtypes' ids, for picocli's {@code ${COMPLETION-CANDIDATES}}: the help lists what the converter takes. */
    static final class DtypeIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Dtype.values()).map(Dtype::id).iterator();
        }
    }

    /** {@code --dtype}, mixed into the commands that take {@code --profile}: it applies to a catalog device only. */
    public static final class CatalogDtype {
        @Option(names = "--dtype", paramLabel = "DTYPE", completionCandidates = DtypeIds.class, description = "Dtype"
                + " for a catalog device: ${COMPLETION-CANDIDATES} (a profile file has its own). Default: bf16.")
        Dtype dtype;

        /**
         * The cost model of the {@code profile} a catalog device or file names, its file read once, in the dtype
         * asked for, for work on {@code gpus} GPUs of {@code network} ({@link CostModels#onDevice}). Given with a
         * profile file of another dtype, {@code --dtype} would change nothing, silently: refused.
         */
        public CostModel costModel(String profile, Network network, int gpus) {
            CostModels.Opened opened = CostModels.openWithTable(profile, dtype == null ? Dtype.BF16 : dtype, network);
            if (dtype != null && opened.table() != null)
                requireOwn(profile, opened.table().dtype());
            return opened.model().withNetwork(CostModels.onDevice(network, profile, opened.linksDevice(), gpus));
        }

        /** The Get_Time {@code profile} names, checked as {@link #costModel} checks it, its file read once. */
        public GetTimes.Typed open(String profile) {
            GetTimes.Typed opened = GetTimes.typed(profile, dtype == null ? Dtype.BF16 : dtype);
            if (dtype != null)
                requireOwn(profile, opened.dtype());
            return opened;
        }

        private void requireOwn(String profile, String tableDtype) {
            if (!tableDtype.equals(dtype.id()))
                throw new BadInputException("--dtype " + dtype.id() + ": " + profile + " is a " + tableDtype + " table;"
                        + " --dtype chooses a catalog device's dtype and cannot change a table's");
        }
    }

    /**
     * {@link #requireFolder}, and the output must not be one of the command's {@code inputs} (named by
     * {@code inputOptions}, e.g. {@code "--against, --profile"}): writing it would destroy what it was made from.
     */
    public static void requireOutput(String option, Path file, String inputOptions, List<Path> inputs) {
        requireFolder(option, file);
        if (file != null && inputs.stream().anyMatch(input -> sameFile(input, file)))
            throw new BadInputException(option + " " + file + ": is one of the inputs (" + inputOptions + "); write"
                    + " it elsewhere");
    }

    /** Whether {@code a} and {@code b} name one existing file (through links, or spelled differently). */
    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * An output file must not be a directory and its folder must exist: gemmcost writes files, and a mistyped path
     * should not leave directories behind wherever it points. Checked before any work, so nothing is printed first.
     */
    public static void requireFolder(String option, Path file) {
        if (file == null)
            return;
        if (Files.isDirectory(file))
            throw new BadInputException(option + " " + file + ": a directory, not a file");
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder))
            throw new BadInputException(option + " " + file + ": no folder " + folder + " (create it first)");
    }

    /** A count option that must be at least 1. */
    public static void requirePositive(String option, int value) {
        if (value < 1)
            throw new BadInputException(option + " " + value + ": must be >= 1");
    }

    /**
     * {@code --kv-dtype}'s values: a KV cache is stored in 2 or 1 byte(s) per element, bf16, fp16 or fp8 (block
     * scales are a weights' format).
     */
    static final class KvDtype implements CommandLine.ITypeConverter<Dtype> {
        @Override
        public Dtype convert(String text) {
            return Dtype.parse(text).filter(d -> d.elementBytes() <= 2 && d != Dtype.FP8_BLOCK).orElseThrow(
                    () -> new TypeConversionException(text + ": a KV cache is bf16, fp16 or fp8"));
        }
    }

    /** {@code --tp --pp --ep --dp}: how a real model is laid over the GPUs ({@link Parallelism}). */
    static final class Layout {
        @Option(names = "--tp", defaultValue = "1", description = "GPUs per pipeline stage. Default: ${DEFAULT-VALUE}.")
        int tp = 1;

        @Option(names = "--pp", defaultValue = "1", description = "Pipeline stages. Default: ${DEFAULT-VALUE}.")
        int pp = 1;

        @Option(names = "--ep", defaultValue = "1",
                description = "Expert-parallel groups within a stage (divides --tp). Default: ${DEFAULT-VALUE}.")
        int ep = 1;

        @Option(names = "--dp", defaultValue = "1",
                description = "Attention replicas within a stage (divides --tp). Default: ${DEFAULT-VALUE}.")
        int dp = 1;

        /** The layout, or the one-line reason it is not one. */
        Parallelism parallelism() {
            requirePositive("--tp", tp);
            requirePositive("--pp", pp);
            requirePositive("--ep", ep);
            requirePositive("--dp", dp);
            try {
                return new Parallelism(tp, pp, ep, dp);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
        }
    }

    /** {@code --afd ATTN:FFN}: GPUs of attention and of experts. */
    public record GpuSplit(int attention, int ffn) {
        static GpuSplit parse(String text) {
            String[] parts = text.split(":", -1);
            try {
                if (parts.length == 2)
                    return new GpuSplit(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new TypeConversionException(text + ": must be ATTN_GPUS:FFN_GPUS, e.g. 12:4");
        }

        @Override
        public String toString() {
            return attention + ":" + ffn;
        }
    }

    /** Converts option values to their types once, at the edge: a bad value is picocli's one-line refusal. */
    static void registerConverters(CommandLine root) {
        root.registerConverter(GpuSplit.class, GpuSplit::parse);
        root.registerConverter(Mode.class, text -> Mode.parse(text).orElseThrow(
                () -> new TypeConversionException(text + ": must be agg or disagg")));
        root.registerConverter(PredictCommand.Modes.class, text -> PredictCommand.Modes.parse(text).orElseThrow(
                () -> new TypeConversionException(text + ": must be agg, disagg or both")));
        root.registerConverter(Phase.class, text -> Phase.parse(text).orElseThrow(
                () -> new TypeConversionException(text + ": must be prefill or decode")));
        root.registerConverter(Dtype.class, text -> Dtype.parse(text).orElseThrow(
                () -> new TypeConversionException(text + ": unknown dtype (" + Dtype.ids() + ")")));
        root.registerConverter(Engine.class, text -> Engine.parse(text).orElseThrow(
                () -> new TypeConversionException(text + ": must be trtllm, vllm or sglang")));
        root.registerConverter(WeightFormat.class, text -> WeightFormat.parse(text).orElseThrow(
                () -> new TypeConversionException(text + ": unknown weight format (bf16, fp8, fp8_block)")));
    }
}
