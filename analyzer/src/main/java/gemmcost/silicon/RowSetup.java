package gemmcost.silicon;

import gemmcost.BadInputException;
import gemmcost.Numbers;
import gemmcost.deploy.Fit;
import gemmcost.deploy.Layout;
import gemmcost.deploy.Parallelism;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.UnmodeledException;
import gemmcost.model.hf.WeightFormat;
import gemmcost.serving.Engine;
import gemmcost.serving.Mode;
import gemmcost.serving.Request;
import gemmcost.serving.ServingModel;
import gemmcost.serving.Workers;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@code predict} needs to model one measured run, or why the run cannot be expressed. */
sealed interface RowSetup {
    /**
     * Systems of the serving data and the catalog devices they are: those whose interconnect the network model knows
     * (NVLink 4 and 5). {@code DeviceCatalog.matchName} would also take an L40S, whose PCIe it does not model.
     */
    Map<String, String> DEVICES = Map.of("h100_sxm", "h100-sxm", "h200_sxm", "h200", "b200_sxm", "b200");

    String NO_DEVICE = "system not in the device catalog";
    String ARCHITECTURE = "architecture or config field not modeled";
    String CONFIG_UNREADABLE = "model config missing or unreadable";
    String QUANTIZATION = "quantization not modeled";
    String PLAN = "plan not expressible";
    String MEMORY = "weights and KV cache do not fit the GPU memory";
    String WORKERS = "disagg run without worker counts";
    String BAD_ROW = "bad row";
    String NOT_MEASURED = "measured TTFT or TPOT missing or invalid";

    /**
     * Refusals that put a run outside what predict models (rather than a plan or a row it cannot express), or
     * outside what its accuracy can be judged on.
     */
    Set<String> OUT_OF_SCOPE = Set.of(NO_DEVICE, ARCHITECTURE, QUANTIZATION, NOT_MEASURED);

    /** A run gemmcost does not model: {@code reason} is what the count is kept by, {@code detail} the particulars. */
    record Refused(String reason, String detail) implements RowSetup {
    }

    /** A run as predict models it: GEMMs from a table of {@code gemmDtype}, ideally measured under {@code engine}. */
    record Setup(Architecture model, Device device, String gemmDtype, Engine engine, int kvBytes, Mode mode,
                 Workers prefill, Workers decode, Request request) implements RowSetup {
    }

    /**
     * The setup of {@code row}, its model read by {@code models} from {@code DIR/<org>--<name>.config.json}. An MoE
     * model is costed in its experts' format ({@code moe_quant_mode}: they hold nearly all its weights), a dense one
     * in {@code gemm_quant_mode}; {@code fp8} on a checkpoint whose config declares 128×128 block scales is
     * {@code fp8_block}: engines run such a checkpoint's GEMMs with its block scales (vLLM's and SGLang's block fp8
     * path, TensorRT-LLM's fp8 block-scale kernels) rather than requantising it per tensor. The KV cache is fp8 where
     * TensorRT-LLM serves an fp8 checkpoint (ModelOpt's fp8 checkpoints quantise it) and bf16 otherwise (vLLM's and
     * SGLang's {@code auto}). The row's engine ({@code backend}) sets the prompt tokens of a prefill step, the KV
     * cache a running sequence holds and how prefills share the steps ({@link Engine}). The run is taken as
     * AIConfigurator's benchmark script makes it: {@link Request#AICONFIGURATOR_ROUNDS} rounds after a warm-up.
     */
    static RowSetup of(SiliconRow row, Path modelDir, Function<Path, Architecture> models) {
        try {
            row.ttftMs();
            row.tpotMs();
            if (Numbers.isDecimal(row.text("osl")) && Double.parseDouble(row.text("osl")) == 1)
                return new Refused(NOT_MEASURED, row.where() + ": osl 1 has no TPOT"); // another bad osl: a bad row
        } catch (BadInputException e) {
            return new Refused(NOT_MEASURED, e.getMessage());
        }
        // what puts a run out of scope (its GPU, format or architecture) is judged before what makes it a bad row
        String device = DEVICES.get(row.text("system"));
        if (device == null)
            return new Refused(NO_DEVICE, row.text("system"));
        String gemmQuant = row.text("gemm_quant_mode");
        String moeQuant = row.text("moe_quant_mode");
        // neither format is modeled: refused whichever of them the model's config would choose
        if (dtype(gemmQuant, WeightFormat.BF16).isEmpty() && dtype(moeQuant, WeightFormat.BF16).isEmpty())
            return new Refused(QUANTIZATION, "gemm_quant_mode " + gemmQuant + ", moe_quant_mode " + moeQuant);
        Architecture model;
        try {
            model = models.apply(modelDir.resolve(row.text("model_path").replace("/", "--") + ".config.json"));
        } catch (UnmodeledException e) {
            return new Refused(e.kind() == UnmodeledException.Kind.QUANTIZATION ? QUANTIZATION : ARCHITECTURE,
                    e.getMessage());
        } catch (BadInputException e) {
            return new Refused(CONFIG_UNREADABLE, e.getMessage());
        }
        String quant = model.experts() != null ? moeQuant : gemmQuant;
        Optional<String> format = dtype(quant, model.weights());
        if (format.isEmpty())
            return new Refused(QUANTIZATION, quant);
        String dtype = format.get();
        model = model.withWeights(WeightFormat.parse(dtype).orElseThrow());
        Engine engine = Engine.parse(row.text("backend")).orElse(null);
        if (engine == null)
            return new Refused(BAD_ROW, row.where() + ": column backend: must be one of trtllm, vllm, sglang: '"
                    + row.text("backend") + "'");
        boolean fp8Kv = engine == Engine.TRTLLM && !dtype.equals("bf16");
        try {
            return setup(row, engine, model, DeviceCatalog.require(device), dtype, fp8Kv ? Dtype.FP8 : Dtype.BF16);
        } catch (Fit.Refused e) {
            return new Refused(e.memory() ? MEMORY : PLAN, e.getMessage());
        } catch (PlanRefused e) {
            return new Refused(PLAN, e.getMessage());
        } catch (BadInputException e) {
            return new Refused(BAD_ROW, e.getMessage());
        } catch (IllegalArgumentException | ArithmeticException e) {
            return new Refused(PLAN, row.where() + ": plan: " + e.getMessage());
        }
    }

    /**
     * The GEMM format a {@code gemm_quant_mode} or {@code moe_quant_mode} value names for a checkpoint of
     * {@code weights}: empty (bf16), fp8 and fp8_block are modeled, nothing else.
     */
    private static Optional<String> dtype(String quant, WeightFormat weights) {
        return switch (quant) {
            case "" -> Optional.of("bf16");
            case "fp8" -> Optional.of(weights == WeightFormat.FP8_BLOCK ? "fp8_block" : quant);
            case "fp8_block" -> Optional.of(quant);
            default -> Optional.empty();
        };
    }

    private static RowSetup setup(SiliconRow row, Engine engine, Architecture model, Device device, String dtype,
                                  Dtype kv) {
        int isl = row.positiveInt("isl");
        int osl = row.positiveInt("osl"); // 1 refused as not measured before
        Mode mode = Mode.parse(row.text("mode")).orElseThrow(() -> new BadInputException(row.where()
                + ": column mode: must be agg or disagg: '" + row.text("mode") + "'"));
        boolean agg = mode == Mode.AGG;
        model = engine.windowCaches(model, mode);
        String p = agg ? "" : "prefill_";
        String d = agg ? "" : "decode_";
        OptionalInt recorded = recordedConcurrency(row);
        boolean counted = !row.text("prefill_num_workers").isEmpty() && !row.text("decode_num_workers").isEmpty();
        if (!agg && !counted && recorded.orElse(0) != 1)
            return new Refused(WORKERS, row.where() + ": prefill_num_workers or decode_num_workers is empty and "
                    + (recorded.isPresent() ? recorded.getAsInt() + " requests run at a time"
                    : "the concurrency is not recorded") + ": the decode workers' batch, which sets TPOT, is not"
                    + " determined");
        Layout decodeLayout = layout(row, engine, d, model);
        // without the counts, one request at a time meets one prefill and one decode worker, however many there are
        int decodeWorkers = agg ? 1 : row.intOr("decode_num_workers", 1);
        int concurrency = recorded.orElseGet(() -> Math.multiplyExact(row.positiveInt(d + "batch_size"),
                decodeWorkers));
        Path config = Path.of(row.text("model_path"));
        int wanted = Math.ceilDiv(concurrency, decodeWorkers);
        long held = engine.kvTokensHeld(isl, osl);
        int stepTokens = engine.stepTokens(device, decodeLayout.attentionReplicas());
        int room = Fit.room(model, decodeLayout, device,
                Math.min(wanted, engine.maxRunning(device, decodeLayout, stepTokens)), held, kv);
        if (room == 0)
            Fit.check(config, model, device, decodeLayout, 1, held, kv); // says why in one line
        Optional<String> release = release(row);
        Optional<LocalDate> measured = measured(row);
        Workers decode = engine.workers(decodeLayout, decodeWorkers, 1, room, stepTokens, release, measured);
        Workers prefill = decode;
        if (!agg) {
            Layout prefillLayout = layout(row, engine, p, model);
            int batch = row.intOr("prefill_batch_size", 1);
            int workers = row.intOr("prefill_num_workers", 1);
            int prefillStep = engine.stepTokens(device, prefillLayout.attentionReplicas());
            int perStep = engine.prefillBatch(prefillLayout, batch, prefillStep, isl);
            Fit.checkPrefill(config, model, device, prefillLayout, ServingModel.promptsPerStep(
                    prefillLayout.attentionReplicas(), perStep, concurrency, workers), isl, kv);
            prefill = engine.workers(prefillLayout, workers, perStep, Integer.MAX_VALUE, prefillStep, release,
                    measured);
        }
        return new Setup(model, device, dtype, engine, kv.elementBytes(), mode,
                prefill, decode, new Request(concurrency, isl, osl, Request.AICONFIGURATOR_ROUNDS));
    }

    /**
     * The client's concurrency as the row records it: the {@code silicon_concurrency=N} of the source column, else
     * {@code batch_size} times {@code attention_dp_size}: {@code batch_size} is one attention replica's (in 72 of
     * the 73 public runs with attention replicas, TensorRT-LLM's and vLLM's, the source column's concurrency is that
     * product). Where neither is given it is the decode workers' batch times their count.
     */
    private static OptionalInt recordedConcurrency(SiliconRow row) {
        Optional<String> recorded = sourceField(row, SOURCE_CONCURRENCY);
        if (recorded.isPresent()) {
            if (!row.text("batch_size").isEmpty())
                row.positiveInt("batch_size"); // not used then, but a bad value is a bad row
            Matcher integer = POSITIVE_INT.matcher(recorded.get());
            if (!integer.matches())
                throw badSource(row, "silicon_concurrency", recorded.get(), "an integer from 1 to " + MAX_CONCURRENCY);
            return OptionalInt.of(Integer.parseInt(integer.group(1)));
        }
        if (row.text("batch_size").isEmpty())
            return OptionalInt.empty();
        long batch = row.positiveInt("batch_size");
        long replicas = unsetIsOne(row, "attention_dp_size");
        if (batch * replicas > MAX_CONCURRENCY)
            throw new BadInputException(row.where() + ": columns batch_size x attention_dp_size: " + batch + " x "
                    + replicas + " is more than " + MAX_CONCURRENCY + " requests");
        return OptionalInt.of((int) (batch * replicas));
    }

    Pattern POSITIVE_INT = Pattern.compile("0*([1-9]\\d{0,8})");

    /** The most requests a row may run at once: {@link #POSITIVE_INT}'s nine digits. */
    long MAX_CONCURRENCY = 999_999_999;

    /** The engine's release the row names in {@code backend_version}, if any. */
    private static Optional<String> release(SiliconRow row) {
        return Optional.of(row.text("backend_version")).filter(version -> !version.isEmpty());
    }

    /**
     * The day the run was made: the {@code measured=YYYY-MM-DD} (a time may follow, {@code T08:01:51Z}) the source
     * column records, if any.
     */
    private static Optional<LocalDate> measured(SiliconRow row) {
        Optional<String> recorded = sourceField(row, SOURCE_MEASURED);
        if (recorded.isEmpty())
            return Optional.empty();
        Matcher day = MEASURED_DAY.matcher(recorded.get());
        try {
            if (day.matches())
                return Optional.of(LocalDate.parse(day.group(1)));
        } catch (DateTimeParseException e) {
            // a day that does not exist: refused below
        }
        throw badSource(row, "measured", recorded.get(), "a day YYYY-MM-DD, a time after it or not");
    }

    Pattern MEASURED_DAY = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})(T[0-9:.]+Z?)?");

    /** {@code key=value} in the source column ({@code key=value; key=value}): the value runs to a {@code ;} or space. */
    Pattern SOURCE_CONCURRENCY = Pattern.compile("(?:^|[;\\s])silicon_concurrency=([^;\\s]*)");
    Pattern SOURCE_MEASURED = Pattern.compile("(?:^|[;\\s])measured=([^;\\s]*)");

    /** The value {@code field} finds in the source column; empty where its key is not there. */
    private static Optional<String> sourceField(SiliconRow row, Pattern field) {
        Matcher m = field.matcher(row.text("silicon_data_source"));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static BadInputException badSource(SiliconRow row, String key, String value, String what) {
        return new BadInputException(row.where() + ": column silicon_data_source: " + key + " must be " + what + ": '"
                + value + "'");
    }

    /**
     * The row's plan columns (with {@code prefix} {@code prefill_} or {@code decode_} in disagg) as a layout: the
     * data's {@code tp_size} is one attention replica's GPUs, {@code attention_dp_size} the replicas (empty or 0: one,
     * as 0 is unset in the MoE columns too), and
     * {@code moe_tp_size × moe_ep_size} must be all of a stage's GPUs; with neither MoE column set, the experts are
     * tensor-parallel over all of them. Where a vLLM row's {@code attention_dp_size} is empty and its MoE columns span
     * more GPUs than {@code tp_size}, the others are attention replicas: vLLM's {@code --data-parallel-size} runs the
     * experts tensor-parallel over every replica's GPUs unless expert parallelism is on, so tp 1 with moe_tp 2 is
     * read as two replicas of one GPU (235 GB of Qwen3-235B-A22B-FP8 cannot be on one H200). One known slip of the
     * data is read as N GPUs: {@code tp_size} = N², {@code moe_tp_size} = {@code moe_ep_size} = N with an id
     * naming {@code _tpN_epN}, or where the N² GPUs are a plan no engine loads (their fp8 scale blocks cut).
     */
    private static Layout layout(SiliconRow row, Engine engine, String prefix, Architecture model) {
        int tp = row.positiveInt(prefix + "tp_size");
        int dp = unsetIsOne(row, prefix + "attention_dp_size");
        int pp = row.intOr(prefix + "pp_size", 1);
        int moeTp = unsetIsOne(row, prefix + "moe_tp_size"); // read (a bad value refused) even where not used
        int moeEp = unsetIsOne(row, prefix + "moe_ep_size");
        // dense (the data write its MoE columns as 1 or tp_size), or no MoE split recorded: the experts
        // tensor-parallel over all of the stage's GPUs
        if (model.experts() == null || unset(row, prefix + "moe_tp_size") && unset(row, prefix + "moe_ep_size"))
            return checked(row, new Parallelism(Math.multiplyExact(tp, dp), pp, 1, dp), model);
        if (moeTp == moeEp && moeTp > 1 && (long) tp * dp == (long) moeTp * moeEp
                && (row.id().contains("_tp" + moeTp + "_ep" + moeEp)
                || new Parallelism(Math.multiplyExact(tp, dp), pp, moeEp, dp).misfit(model) != null)) {
            // the collector wrote N² into tp_size (or attention_dp_size) and N into both moe columns for these runs;
            // their ids name tp N and ep N, or the N² GPUs are a plan no engine loads: N GPUs, attention over them
            // (or N replicas), experts expert-parallel
            if (dp == 1)
                tp = moeEp;
            else
                dp = moeEp;
            moeTp = 1;
        }
        long moeGpus = (long) moeTp * moeEp;
        if (engine == Engine.VLLM && unset(row, prefix + "attention_dp_size") && moeGpus > tp
                && moeGpus % tp == 0)
            dp = Math.toIntExact(moeGpus / tp); // vLLM's data parallelism without expert parallelism
        if (moeGpus != (long) tp * dp)
            throw new PlanRefused(String.format(Locale.ROOT, "%s: plan: moe_tp %d x moe_ep %d is not tp %d x"
                    + " attention_dp %d GPUs", row.where(), moeTp, moeEp, tp, dp));
        return checked(row, new Parallelism(Math.multiplyExact(tp, dp), pp, moeEp, dp), model);
    }

    private static Parallelism checked(SiliconRow row, Parallelism layout, Architecture model) {
        String misfit = layout.misfit(model);
        if (misfit != null)
            throw new PlanRefused(row.where() + ": plan: " + misfit);
        return layout;
    }

    /** A MoE plan column, where 0 (as some rows write it, or 0.0) or empty means no split: 1. */
    private static int unsetIsOne(SiliconRow row, String column) {
        return unset(row, column) ? 1 : row.intOr(column, 1);
    }

    private static boolean unset(SiliconRow row, String column) {
        return row.text(column).matches("(0+(\\.0*)?)?");
    }

    /** A row whose plan columns gemmcost cannot lay out. */
    final class PlanRefused extends BadInputException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        PlanRefused(String message) {
            super(message);
        }
    }
}
