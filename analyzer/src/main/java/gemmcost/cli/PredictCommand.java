package gemmcost.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gemmcost.BadInputException;
import gemmcost.Numbers;
import gemmcost.comm.Network;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.dag.WorkKind;
import gemmcost.deploy.Afd;
import gemmcost.deploy.Fit;
import gemmcost.deploy.Layout;
import gemmcost.deploy.MemoryFootprint;
import gemmcost.deploy.Parallelism;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.gettime.Label;
import gemmcost.model.Phase;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.HfConfigReader;
import gemmcost.model.hf.WeightFormat;
import gemmcost.report.HtmlReport;
import gemmcost.search.ServingPlans;
import gemmcost.serving.Batching;
import gemmcost.serving.Engine;
import gemmcost.serving.Mode;
import gemmcost.serving.Request;
import gemmcost.serving.ServingModel;
import gemmcost.serving.StepCost;
import gemmcost.serving.StepCosts;
import gemmcost.serving.Workers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost predict}: TTFT, TPOT and tokens/s/GPU of a HuggingFace model served on a plan. */
@Command(name = "predict",
        header = "TTFT, TPOT and output tokens/s/GPU of a model served on N GPUs with a plan, or every plan ranked.",
        description = {
                "Read a HuggingFace config.json, lay it out (TP x PP with expert parallelism and attention DP, or",
                "attention-FFN disaggregation), build the operator DAGs of a decode step and a prefill, cost them",
                "(GEMMs from a Get_Time table of the model's GEMM dtype, or the datasheet roofline; attention and",
                "memory-bound ops from bytes and FLOPs; communication from the alpha-beta model) and turn them into",
                "what a benchmark client keeping --concurrency requests in flight measures. Every number carries its",
                "labels; the equations are in the README (How predict models serving). With --gpus N instead of a",
                "plan, every plan of --mode on N GPUs is predicted and ranked by output tokens/s/GPU."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  scripts/gemmcost predict --model ../shared/data/model-configs/meta-llama--Llama-3.1-70B.config.json"
                        + " --gpu h100-sxm --tp 4 --concurrency 32 --isl 1024 --osl 512",
                "  scripts/gemmcost predict --model ../shared/data/model-configs/deepseek-ai--DeepSeek-R1.config.json"
                        + " --gpu h200 --tp 8 --ep 8 --dp 8 --kv-dtype fp8 --concurrency 256 --isl 4096 --osl 1024"
                        + " --gemm-csv ../shared/data/gemm-public/aiconfigurator-trtllm.csv",
                "  scripts/gemmcost predict --model ../shared/data/model-configs/deepseek-ai--DeepSeek-R1.config.json"
                        + " --gpu h200 --gpus 16 --kv-dtype fp8 --concurrency 256 --isl 4096 --osl 1024"
                        + " --gemm-csv ../shared/data/gemm-public/aiconfigurator-trtllm.csv --max-ttft-ms 2000"})
final class PredictCommand implements Callable<Integer> {
    /** 16 M tokens: beyond every published context window, and far from overflowing a token count. */
    private static final int MAX_TOKENS = 1 << 24;
    /** Disaggregated plans one --gpus ranks at most: DeepSeek-R1 has 10,780 on 16 GPUs, 93,141 on 32 (6-8 s here). */
    private static final int MAX_SPLITS = 200_000;
    /** What TensorRT-LLM does with a prompt longer than its step budget, and what predict does. */
    private static final String TRT_REFUSES_LONG_PROMPTS = "TensorRT-LLM refuses such a prompt unless"
            + " enable_chunked_prefill is set (its default is off); each prompt costed whole";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "CONFIG.json", description = "A HuggingFace config.json.")
    Path config;

    @Option(names = "--gpu", required = true, paramLabel = "DEVICE", description = "A catalog device id.")
    String gpu;

    @Option(names = "--profile", paramLabel = "TABLE",
            description = "A profile (Get_Time table) of the model's GEMM dtype on --gpu. Default: the datasheet roofline.")
    String profile;

    @Option(names = "--gemm-csv", paramLabel = "FILE",
            description = "Imported GEMM measurements (neutral CSV): the rows of --gpu in the model's GEMM dtype.")
    Path gemmCsv;

    @Option(names = "--weights", paramLabel = "FORMAT",
            description = "The linear layers' format (bf16, fp8, fp8_block), also over a format the config says that"
                    + " gemmcost does not read (mxfp4, compressed-tensors). Default: what the config says.")
    WeightFormat weights;

    @Option(names = "--kv-dtype", defaultValue = "bf16", paramLabel = "DTYPE", converter = Options.KvDtype.class,
            description = "KV-cache element type (bf16, fp16, fp8). Default: ${DEFAULT-VALUE}.")
    Dtype kvDtype;

    @Mixin
    Options.Layout layout;

    @Option(names = "--afd", paramLabel = "ATTN:FFN",
            description = "Attention-FFN disaggregation: ATTN GPUs of attention replicas (--tp each), FFN GPUs of experts.")
    Options.GpuSplit afd;

    @Option(names = "--micro-batches", paramLabel = "N",
            description = "With --afd: micro-batches in ping-pong. Default: 2 (one computing on each side).")
    Integer microBatches;

    @Option(names = "--concurrency", required = true, description = "Requests in flight.")
    int concurrency;

    @Option(names = "--isl", required = true, description = "Input tokens per request.")
    int isl;

    @Option(names = "--osl", required = true, description = "Output tokens per request (>= 2).")
    int osl;

    @Option(names = "--mode", defaultValue = "agg", paramLabel = "MODE",
            description = "agg (prefill and decode on the same GPUs) or disagg (separate prefill workers); with --gpus"
                    + " also both: every agg and every disagg plan in one ranking. Default: ${DEFAULT-VALUE}.")
    Modes modes;

    /** What {@code --mode} takes: a serving mode, or both of them for a ranking. */
    enum Modes {
        AGG, DISAGG, BOTH;

        static Optional<Modes> parse(String text) {
            return Arrays.stream(values()).filter(m -> m.id().equals(text)).findFirst();
        }

        /** {@code agg}, {@code disagg} or {@code both}, as --mode takes it. */
        String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code agg}, {@code disagg} or {@code agg and disagg}, for a sentence. */
        String words() {
            return this == BOTH ? "agg and disagg" : id();
        }
    }

    /**
     * The mode being predicted: --mode's, or with {@code --mode both} agg, then disagg while the ranking predicts
     * the disaggregated plans ({@link #rankPlans}).
     */
    private Mode mode;

    /** A disaggregated plan's prefill workers' fit, shown beside the decode workers'; null in agg. */
    private Fit prefillFit;

    @Option(names = "--prefill-tp", description = "disagg: the prefill workers' --tp. Default: --tp.")
    Integer prefillTp;

    @Option(names = "--prefill-pp", description = "disagg: the prefill workers' --pp. Default: --pp.")
    Integer prefillPp;

    @Option(names = "--prefill-ep", description = "disagg: the prefill workers' --ep. Default: --ep.")
    Integer prefillEp;

    @Option(names = "--prefill-dp", description = "disagg: the prefill workers' --dp. Default: --dp.")
    Integer prefillDp;

    @Option(names = "--prefill-workers", defaultValue = "1", description = "disagg: prefill workers. Default: 1.")
    int prefillWorkers;

    @Option(names = "--prefill-batch", defaultValue = "1", paramLabel = "N", description = "disagg: the prompts each"
            + " attention replica of a prefill worker prefills in one step (its engine's batch limit), as far as its"
            + " step budget (--step-tokens; TensorRT-LLM: one per pipeline stage's batch) holds them. Default: 1.")
    int prefillBatch;

    @Option(names = "--decode-workers", defaultValue = "1",
            description = "Decode workers (agg: workers), each serving its share of --concurrency. Default: 1.")
    int decodeWorkers;

    @Option(names = "--engine", paramLabel = "ENGINE", description = "trtllm, vllm or sglang: its default prompt"
            + " tokens per prefill step (SGLang's by GPU memory, divided among attention replicas), the KV cache a"
            + " running sequence holds (TensorRT-LLM reserves isl + osl, vLLM and SGLang hold isl + osl/2 on"
            + " average), how prefills share the steps (SGLang's run before decode steps, in waves), and whether"
            + " each step is scheduled while the one before runs (the current releases of all three, without --pp)."
            + " Default: TensorRT-LLM's: 8192 tokens, isl + osl, prefill mixed into decode steps, scheduled ahead.")
    Engine engine;

    @Option(names = "--engine-version", paramLabel = "VERSION", description = "With --engine vllm, agg and no --pp: its"
            + " release, e.g. 0.12.0. vLLM schedules each step while the one before runs from 0.14 on (before, a"
            + " request arriving during a step waits for that step only). Default: the current release.")
    String engineVersion;

    @Option(names = "--overlap-scheduler", negatable = true, description = "agg, TensorRT-LLM and vLLM: each step is"
            + " scheduled while the one before it runs, so a request arriving in a decode step also waits for the step"
            + " already set up (TensorRT-LLM's overlap scheduler, vLLM's async scheduling). --no-overlap-scheduler: a"
            + " run with TensorRT-LLM's disable_overlap_scheduler; --overlap-scheduler: vLLM before 0.14 run with"
            + " --async-scheduling. Default: --engine's (on in the current releases, in vLLM from 0.14; off with"
            + " --pp). Refused with --engine sglang: its prefill waves start at idle workers and wait for no decode"
            + " step.")
    Boolean overlapScheduler;

    @Option(names = "--rounds", defaultValue = "" + Request.AICONFIGURATOR_ROUNDS, paramLabel = "N",
            description = "Requests per place the benchmark measures (--concurrency x N in all). Its measured phase"
                    + " starts at idle workers, so the first --concurrency requests arrive together, and TTFT"
                    + " includes that burst's share. 0: an endless run's steady state. SGLang in agg serves every"
                    + " round as such a wave, whatever N. Default: ${DEFAULT-VALUE}, AIConfigurator's benchmark"
                    + " script.")
    int rounds;

    @Option(names = "--step-tokens", paramLabel = "N",
            description = "Prompt tokens each attention replica prefills in one step (TensorRT-LLM's"
                    + " max_num_tokens, vLLM's max_num_batched_tokens, SGLang's chunked_prefill_size / dp); in"
                    + " disagg the prefill workers', which holds --prefill-batch to what fits (TensorRT-LLM: one"
                    + " budget per pipeline stage's batch)."
                    + " Default: --engine's on --gpu, else 8192.")
    Integer stepTokens;

    @Option(names = "--max-running", paramLabel = "N",
            description = "The most sequences each attention replica of a worker (disagg: a decode worker) runs at once"
                    + " (TensorRT-LLM's max_batch_size, a batch per pipeline stage; vLLM's max_num_seqs; SGLang's"
                    + " max_running_requests / dp); the others wait for a place. Default: --engine's on --gpu (SGLang:"
                    + " none but the memory check). A disagg --prefill-batch is checked against the engine's default.")
    Integer maxRunning;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write the decode step and prefill DAGs as HTML.")
    Path html;

    @Option(names = "--gpus", paramLabel = "N", description = "Instead of one plan, rank every plan of --mode on N"
            + " GPUs (agg: workers x --pp stages of --tp GPUs, for a model with experts every --ep and --dp that divide"
            + " --tp; disagg: every split of the N GPUs between prefill and decode workers, each side any such plan;"
            + " both: all of them) that splits the model and holds what its engine runs at once, by output"
            + " tokens/s/GPU.")
    Integer gpus;

    @Option(names = "--max-ttft-ms", paramLabel = "MS", description = "With --gpus: rank only plans whose TTFT is at"
            + " most MS.")
    Double maxTtftMs;

    @Option(names = "--max-tpot-ms", paramLabel = "MS", description = "With --gpus: rank only plans whose TPOT is at"
            + " most MS.")
    Double maxTpotMs;

    @Option(names = "--top", paramLabel = "K", description = "With --gpus: plans to list. Default: 10.")
    Integer top;

    @Override
    public Integer call() {
        mode = modes == Modes.DISAGG ? Mode.DISAGG : Mode.AGG;
        if (modes == Modes.BOTH && gpus == null)
            throw new BadInputException("--mode both: ranks the plans of both modes, so applies with --gpus only");
        if (profile != null && gemmCsv != null)
            throw new BadInputException("--profile and --gemm-csv: give one GEMM table, not both");
        if (modes == Modes.AGG && (prefillTp != null || prefillPp != null || prefillEp != null || prefillDp != null
                || spec.commandLine().getParseResult().hasMatchedOption("--prefill-workers")
                || spec.commandLine().getParseResult().hasMatchedOption("--prefill-batch")))
            throw new BadInputException("--prefill-*: apply to --mode disagg only (in agg the decode GPUs prefill)");
        Options.requireFolder("--html", html);
        Options.requirePositive("--concurrency", concurrency);
        Options.requirePositive("--isl", isl);
        if (osl < 2)
            throw new BadInputException("--osl " + osl + ": must be >= 2 (TPOT is between output tokens)");
        if (isl > MAX_TOKENS || osl > MAX_TOKENS)
            throw new BadInputException("--isl " + isl + " --osl " + osl + ": each must be <= " + MAX_TOKENS
                    + " tokens (beyond any model's context)");
        if (prefillBatch < 1 || prefillBatch > Workers.MAX_PREFILL_BATCH)
            throw new BadInputException("--prefill-batch " + prefillBatch + ": must be 1 to "
                    + Workers.MAX_PREFILL_BATCH);
        if (stepTokens != null)
            Options.requirePositive("--step-tokens", stepTokens);
        if (maxRunning != null)
            Options.requirePositive("--max-running", maxRunning);
        if (rounds < 0)
            throw new BadInputException("--rounds " + rounds + ": must be >= 0 (0: an endless run's steady state)");
        Options.requirePositive("--prefill-workers", prefillWorkers);
        Options.requirePositive("--decode-workers", decodeWorkers);
        if (engineVersion != null && engine != Engine.VLLM)
            throw new BadInputException("--engine-version " + engineVersion + ": applies with --engine vllm only (the"
                    + " only engine whose modeled scheduling depends on its release)");
        if (engineVersion != null && !Engine.isRelease(engineVersion))
            throw new BadInputException("--engine-version " + engineVersion + ": not a release such as 0.12.0");
        if (engineVersion != null && modes != Modes.AGG)
            throw new BadInputException("--engine-version " + engineVersion + ": applies to --mode agg only (the"
                    + " release changes how decode steps are scheduled, which a disaggregated run's TTFT does not"
                    + " model)");
        if (engineVersion != null && layout.pp > 1)
            throw new BadInputException("--engine-version " + engineVersion + ": changes nothing with --pp "
                    + layout.pp + " (no vLLM release schedules a step ahead with pipeline stages)");
        checkOverlapScheduler();
        checkRanking();
        Architecture model = engine().windowCaches(HfConfigReader.read(config, weights), mode);
        Device device = DeviceCatalog.require(gpu);
        checkVllmStep(device, mode);
        if (modes == Modes.BOTH && gpus >= 2) // its disaggregated plans as --mode disagg checks them
            checkVllmStep(device, Mode.DISAGG);
        if (gpus != null)
            return rankPlans(model, device);
        Layout decodeLayout = decodeLayout();
        Engine defaults = engine();
        long tokens = defaults.kvTokensHeld(isl, osl);
        int perStep = decodeStepTokens(device, decodeLayout);
        int running = running(device, decodeLayout, decodeWorkers, perStep);
        Fit fit = decodeFit(model, device, decodeLayout, running, tokens);
        Workers decode = workers(decodeLayout, decodeWorkers, 1, perStep, running, "--decode-workers");
        Workers prefill = decode;
        if (mode == Mode.DISAGG) {
            requirePositiveIfGiven("--prefill-tp", prefillTp);
            requirePositiveIfGiven("--prefill-pp", prefillPp);
            requirePositiveIfGiven("--prefill-ep", prefillEp);
            requirePositiveIfGiven("--prefill-dp", prefillDp);
            Options.Layout p = new Options.Layout();
            p.tp = or(prefillTp, layout.tp);
            p.pp = or(prefillPp, layout.pp);
            p.ep = or(prefillEp, layout.ep);
            p.dp = or(prefillDp, layout.dp);
            Layout prefillLayout;
            try {
                prefillLayout = p.parallelism();
            } catch (BadInputException e) {
                throw new BadInputException("the prefill workers' plan (--prefill-tp/pp/ep/dp, else --tp/pp/ep/dp): "
                        + e.getMessage());
            }
            checkPrefillBatch(device, prefillLayout);
            PrefillStep step = prefillStep(device, prefillLayout, prefillWorkers);
            int batch = step.batch();
            try {
                prefillFit = Fit.checkPrefill(config, model, device, prefillLayout, step.prompts(), isl, kvDtype);
            } catch (Fit.Refused e) {
                throw new BadInputException("the prefill workers (--prefill-tp/pp/ep/dp, else --tp/pp/ep/dp"
                        + (!e.memory() ? "" : batch == prefillBatch ? ", with --prefill-batch " + prefillBatch
                        : batch > 1 ? ", with the " + batch + " prompts of --prefill-batch " + prefillBatch
                        + " their step budget holds" : "") + "): " + e.getMessage());
            }
            prefill = workers(prefillLayout, prefillWorkers, batch, step.tokens(), Integer.MAX_VALUE,
                    "--prefill-workers");
        }
        if (!Network.modelsLinksOf(device.id()) && (mode == Mode.DISAGG || decodeLayout.gpus() > 1))
            throw new BadInputException(Network.linksNotModeled("--gpu", device.id())
                    + ", so only an agg plan on one GPU is costed, not " + decodeLayout);
        CostModels.Opened costs = CostModels.forServing(device, model.weights().id(), profile, gemmCsv);
        ServingModel.Estimate e = ServingModel.predict(model, mode, prefill, decode,
                new Request(concurrency, isl, osl, rounds), kvDtype.elementBytes(), costs.model());
        if (html != null)
            HtmlReport.write(html, new HtmlReport.Input(model.name() + " on " + device.id(), costs, null, List.of(),
                    List.of(new HtmlReport.PlanView(config.toString(), String.format(Locale.ROOT,
                                    "decode step T_d (the predicted TPOT, %.3f ms [%s]%s; TTFT %.2f ms [%s])",
                                    e.tpotMs(), Label.join(e.tpotLabels()),
                                    e.tpotStallsOnPrefill() ? ", adds prefill stalls" : "", e.ttftMs(),
                                    Label.join(e.labels())),
                                    Phase.DECODE, decode.layout().gpus(), e.decode().analysis(),
                                    steady("T_d", e.decode())),
                            new HtmlReport.PlanView(config.toString(), "prefill T_p", Phase.PREFILL,
                                    prefill.layout().gpus(), e.prefill().analysis(), steady("T_p", e.prefill())))));
        PrintWriter out = spec.commandLine().getOut();
        if (json)
            out.println(json(model, device, fit, prefill, e, costs));
        else
            text(model, device, fit, prefill, e, costs, out);
        return Gemmcost.OK;
    }

    private static void requirePositiveIfGiven(String option, Integer value) {
        if (value != null)
            Options.requirePositive(option, value);
    }

    /** {@code --[no-]overlap-scheduler} only where it changes the model: agg, not SGLang's waves, on without --pp. */
    private void checkOverlapScheduler() {
        if (overlapScheduler == null)
            return;
        String option = overlapScheduler ? "--overlap-scheduler" : "--no-overlap-scheduler";
        if (modes != Modes.AGG)
            throw new BadInputException(option + ": applies to --mode agg only (a disaggregated run's TTFT does not"
                    + " model the decode worker's steps)");
        if (engine() == Engine.SGLANG)
            throw new BadInputException(option + ": changes nothing with --engine sglang (its prefill waves start at"
                    + " idle workers and wait for no decode step)");
        if (overlapScheduler && layout.pp > 1)
            throw new BadInputException(option + ": not with --pp " + layout.pp + " (the engines run pipeline stages"
                    + " without it)");
    }

    /**
     * {@code --gpus} replaces the plan's options (refused beside them); {@code --max-*-ms} and {@code --top} apply
     * with it only.
     */
    private void checkRanking() {
        var parsed = spec.commandLine().getParseResult();
        if (gpus == null) {
            for (String option : List.of("--max-ttft-ms", "--max-tpot-ms", "--top"))
                if (parsed.hasMatchedOption(option))
                    throw new BadInputException(option + ": applies with --gpus only (ranking the plans on N GPUs)");
            return;
        }
        for (String option : List.of("--tp", "--pp", "--ep", "--dp", "--afd", "--micro-batches", "--decode-workers",
                "--prefill-workers", "--prefill-tp", "--prefill-pp", "--prefill-ep", "--prefill-dp", "--html"))
            if (parsed.hasMatchedOption(option))
                throw new BadInputException("--gpus " + gpus + " and " + option + ": --gpus ranks every plan, give"
                        + " one or the other");
        if (maxTtftMs != null && !(maxTtftMs > 0 && Double.isFinite(maxTtftMs)))
            throw new BadInputException("--max-ttft-ms " + maxTtftMs + ": must be a positive number of ms");
        if (maxTpotMs != null && !(maxTpotMs > 0 && Double.isFinite(maxTpotMs)))
            throw new BadInputException("--max-tpot-ms " + maxTpotMs + ": must be a positive number of ms");
        if (top != null)
            Options.requirePositive("--top", top);
    }

    /**
     * Every plan of --mode on {@code --gpus} predicted, ranked and printed (with {@code --mode both} the agg plans,
     * then the disaggregated ones, in one ranking); the ones that cannot run counted by reason.
     */
    private int rankPlans(Architecture model, Device device) {
        boolean agg = modes != Modes.DISAGG;
        boolean disagg = modes == Modes.DISAGG || modes == Modes.BOTH && gpus >= 2; // on 1 GPU, both is agg's plans
        Architecture disaggModel = engine().windowCaches(model, Mode.DISAGG);
        List<ServingPlans.Split> splits = List.of();
        if (disagg) { // before the tables are read: refusals that no plan escapes
            try {
                splits = ServingPlans.enumerateSplits(disaggModel, gpus, MAX_SPLITS);
            } catch (BadInputException e) {
                throw modes != Modes.BOTH ? e : new BadInputException(e.getMessage() + "; or --mode agg to rank the"
                        + " agg plans alone");
            }
            checkPrefillBatch(device, new Parallelism(1, gpus - 1, 1, 1)); // the most batches a replica has
        }
        CostModels.Opened costs = CostModels.forServing(device, model.weights().id(), profile, gemmCsv);
        int perNode = costs.model().network().gpusPerNode();
        Request request = new Request(concurrency, isl, osl, rounds);
        PlanRanking ranking = new PlanRanking(maxTtftMs, maxTpotMs, modes,
                weightsNeed(model, device), (engine().batching() == Batching.MIXED ? TRT_REFUSES_LONG_PROMPTS
                        : "the engine splits it over steps; each prompt costed whole") + " [modeled]");
        if (agg)
            for (ServingPlans.Plan plan : ServingPlans.enumerate(model, gpus))
                rankAgg(model, device, plan, perNode, request, costs, ranking);
        if (disagg) {
            mode = Mode.DISAGG; // the decode workers' step budget and the prompts' chunking are disagg's now
            rankSplits(disaggModel, device, splits, perNode, request, new StepCosts(disaggModel, costs.model()),
                    ranking);
        }
        PrintWriter out = spec.commandLine().getOut();
        int listed = top == null ? 10 : top;
        if (json)
            out.println(ranking.json(rankingHeader(model, device, costs), gpus, listed));
        else
            ranking.text(out, String.format(Locale.ROOT, "%s (%s, %s weights) on %d x %s%n%s%nGEMMs:     %s%s",
                    model.name(), config, model.weights().id(), gpus, device.id(), request(stepTokens)
                            + (!disagg ? "" : ", --prefill-batch " + prefillBatch + " (as far as each"
                            + " plan's prefill step budget holds it)"),
                    costs.model().getTime().source(), beyondContext(model) ? "\n" + contextLine(model) : ""), gpus,
                    listed);
        return Gemmcost.OK;
    }

    /**
     * What the weights alone need of --gpus: {@code the weights alone take 672.99 GB, at least 5 GPUs of the 136.26 GB
     * an engine uses (10 in all, 5 on each side)}; where they would fit, that the sequences' KV cache is what does not.
     */
    private String weightsNeed(Architecture model, Device device) {
        long usable = MemoryFootprint.usableBytes(device);
        long least = Math.ceilDiv(model.weightBytes(), usable);
        long all = modes != Modes.DISAGG ? least : 2 * least;
        String need = String.format(Locale.ROOT, "the weights alone take %.2f GB, at least %d GPU%s of the %.2f GB an"
                + " engine uses%s", model.weightBytes() / 1e9, all, all == 1 ? "" : "s", usable / 1e9,
                modes == Modes.AGG ? "" : modes == Modes.DISAGG ? " (" + least + " on each side)"
                        : " (" + 2 * least + " disaggregated, " + least + " on each side)");
        return all > gpus ? need : need + ", so it is the KV cache of the sequences the engine runs at once that does"
                + " not fit (fewer --concurrency, a --max-running or --kv-dtype fp8 may)";
    }

    private void rankAgg(Architecture model, Device device, ServingPlans.Plan plan, int perNode, Request request,
                         CostModels.Opened costs, PlanRanking ranking) {
        Side side = decodeSide(model, device, plan);
        PlanRanking.Refusal refusal = side.refusal() != null ? side.refusal()
                : placementRefusal(device, plan, perNode);
        if (refusal != null) {
            ranking.refuse(refusal);
            return;
        }
        Workers workers = side.workers();
        ServingModel.Estimate e = ServingModel.predict(model, Mode.AGG, workers, workers, request,
                kvDtype.elementBytes(), costs.model());
        ranking.add(plan, e, Math.ceilDiv(concurrency, plan.workers()), chunking(workers, e).isPresent());
    }

    /**
     * Why {@code plan}'s GPUs cannot be costed: links not modeled where they talk (an agg worker of several GPUs, any
     * disaggregated plan's KV caches), or workers that straddle nodes unlike the one each is costed as.
     */
    private static PlanRanking.Refusal placementRefusal(Device device, ServingPlans.Choice plan, int perNode) {
        boolean talks = switch (plan) {
            case ServingPlans.Plan agg -> agg.layout().gpus() > 1;
            case ServingPlans.Split split -> true;
        };
        if (talks && !Network.modelsLinksOf(device.id()))
            return PlanRanking.Refusal.NO_LINKS;
        return plan.workersSpanNodesAlike(perNode) ? null : PlanRanking.Refusal.STRADDLES;
    }

    /**
     * Every split of --gpus between prefill and decode workers, every pair predicted: each side's workers checked once,
     * and each step costed once for every pair that has it ({@code steps}). A pair refused on both sides counts the
     * first of {@link PlanRanking.Refusal}'s reasons.
     */
    private void rankSplits(Architecture model, Device device, List<ServingPlans.Split> splits, int perNode,
                            Request request, StepCosts steps, PlanRanking ranking) {
        Map<ServingPlans.Plan, Side> prefills = new HashMap<>();
        Map<ServingPlans.Plan, Side> decodes = new HashMap<>();
        for (ServingPlans.Split split : splits) {
            Side prefill = prefills.computeIfAbsent(split.prefill(), p -> prefillSide(model, device, p));
            Side decode = decodes.computeIfAbsent(split.decode(), d -> decodeSide(model, device, d));
            PlanRanking.Refusal refusal = Stream.of(prefill.refusal(), decode.refusal()).filter(Objects::nonNull)
                    .min(Comparator.naturalOrder()).orElseGet(() -> placementRefusal(device, split, perNode));
            if (refusal != null) {
                ranking.refuse(refusal);
                continue;
            }
            ServingModel.Estimate e = ServingModel.predict(Mode.DISAGG, prefill.workers(), decode.workers(), request,
                    kvDtype.elementBytes(), steps);
            ranking.add(split, e, Math.ceilDiv(concurrency, split.decode().workers()), split.prefillFirst(perNode),
                    chunking(prefill.workers(), e).isPresent());
        }
    }

    /** A plan's workers (an agg plan's, or one side of a disaggregated one), or why they cannot run (then null). */
    private record Side(Workers workers, PlanRanking.Refusal refusal) {
    }

    /** The prefill workers of {@code plan}, as a disaggregated predict lays them out. */
    private Side prefillSide(Architecture model, Device device, ServingPlans.Plan plan) {
        Parallelism layout = plan.layout();
        if (layout.misfit(model) != null)
            return new Side(null, PlanRanking.Refusal.CANNOT_SPLIT);
        if (prefillBatch > prefillBatchLimit(device, layout))
            return new Side(null, PlanRanking.Refusal.PREFILL_BATCH);
        PrefillStep step = prefillStep(device, layout, plan.workers());
        if (!Fit.holdsPrefill(model, layout, device, step.prompts(), isl, kvDtype))
            return new Side(null, PlanRanking.Refusal.DOES_NOT_FIT);
        return new Side(workers(layout, plan.workers(), step.batch(), step.tokens(), Integer.MAX_VALUE, "--gpus"),
                null);
    }

    /**
     * A prefill worker's step, of {@code workers} laid out as {@code layout}: its budget of prompt {@code tokens}, the
     * {@code batch} of --prefill-batch that budget holds on each attention replica, and the {@code prompts} a worker's
     * step has of the requests.
     */
    private record PrefillStep(int tokens, int batch, int prompts) {
    }

    private PrefillStep prefillStep(Device device, Layout layout, int workers) {
        int tokens = perStep(device, layout);
        int batch = engine().prefillBatch(layout, prefillBatch, tokens, isl);
        return new PrefillStep(tokens, batch, ServingModel.promptsPerStep(layout.attentionReplicas(), batch,
                concurrency, workers));
    }

    /**
     * The workers of {@code plan} that decode, as predict lays them out: an agg plan's, or a disaggregated plan's
     * decode side ({@link #decodeStepTokens} gives each mode's step budget).
     */
    private Side decodeSide(Architecture model, Device device, ServingPlans.Plan plan) {
        Parallelism layout = plan.layout();
        if (layout.misfit(model) != null)
            return new Side(null, PlanRanking.Refusal.CANNOT_SPLIT);
        int perStep = decodeStepTokens(device, layout);
        int running = running(device, layout, plan.workers(), perStep);
        if (!Fit.holds(model, layout, device, running, engine().kvTokensHeld(isl, osl), kvDtype))
            return new Side(null, PlanRanking.Refusal.DOES_NOT_FIT);
        return new Side(workers(layout, plan.workers(), 1, perStep, running, "--gpus"), null);
    }

    /** What the ranking's JSON says of its inputs: {@link #inputs}, and the options of the ranking. */
    private ObjectNode rankingHeader(Architecture model, Device device, CostModels.Opened costs) {
        ObjectNode header = inputs(new ObjectMapper(), model, device, gpus);
        if (modes != Modes.AGG)
            header.put("prefill_batch_given", prefillBatch);
        return header
                .put("step_tokens", stepTokens)
                .put("overlap_scheduler", overlapScheduler)
                .put("max_ttft_ms", maxTtftMs)
                .put("max_tpot_ms", maxTpotMs)
                .put("gemm_source", costs.model().getTime().source());
    }

    /** The request and what it runs on, as both JSON outputs (one plan's, the ranking's) begin. */
    private ObjectNode inputs(ObjectMapper mapper, Architecture model, Device device, int gpus) {
        return mapper.createObjectNode()
                .put("model", config.toString())
                .put("architecture", model.name())
                .put("weights", model.weights().id())
                .put("gpu", device.id())
                .put("gpus", gpus)
                .put("mode", modes.id())
                .put("concurrency", concurrency)
                .put("isl", isl)
                .put("osl", osl)
                .put("context_tokens", model.contextTokens() > 0 ? model.contextTokens() : null)
                .put("beyond_context", beyondContext(model))
                .put("kv_dtype", kvDtype.id())
                .put("engine", engine().id())
                .put("engine_version", engineVersion)
                .put("rounds", rounds)
                .put("max_running", maxRunning);
    }

    /**
     * Prompt tokens an attention replica of {@code layout} prefills in one step (the agg workers', the disaggregated
     * prefill workers'): --step-tokens, else the engine's.
     */
    private int perStep(Device device, Layout layout) {
        return stepTokens != null ? stepTokens : engine().stepTokens(device, layout.attentionReplicas());
    }

    /** The decode workers' step budget: in agg {@link #perStep}; in disagg the engine's (--step-tokens: prefill). */
    private int decodeStepTokens(Device device, Layout decodeLayout) {
        return mode == Mode.AGG ? perStep(device, decodeLayout)
                : engine().stepTokens(device, decodeLayout.attentionReplicas());
    }

    /**
     * The requests each of {@code workers} workers of {@code layout} runs at once: its share of --concurrency, no more
     * than the engine's batch limit; the others wait for a place, holding no KV cache.
     */
    private int running(Device device, Layout layout, int workers, int stepTokens) {
        return Math.min(Math.ceilDiv(concurrency, workers),
                engine().maxRunning(layout, stepTokens, batchLimit(device)));
    }

    /** The most sequences an attention replica runs at once: --max-running, else the engine's default. */
    private int batchLimit(Device device) {
        return maxRunning != null ? maxRunning : engine().batchLimit(device);
    }

    /**
     * vLLM refuses a step budget below its batch limit ("max_num_batched_tokens must be greater than or equal to
     * max_num_seqs": each running sequence's decode token is in the step), so predict does too. vLLM's budget is
     * per rank, whatever the attention replicas. In disagg the decode workers' budget is the engine's default and
     * --step-tokens the prefill workers', whose batch limit is --prefill-batch.
     */
    private void checkVllmStep(Device device, Mode checked) {
        if (engine() != Engine.VLLM)
            return;
        String rule = "max_num_batched_tokens must be >= max_num_seqs, as every running sequence's decode token is"
                + " in the step";
        int engineBudget = engine().stepTokens(device, 1);
        if (checked == Mode.DISAGG && stepTokens != null && stepTokens < prefillBatch)
            throw new BadInputException(String.format(Locale.ROOT, "--step-tokens %d: vLLM refuses a step of %d"
                    + " tokens with max_num_seqs %d (--prefill-batch, the prefill workers'): %s; give --step-tokens"
                    + " %d or more, or --prefill-batch %d or less", stepTokens, stepTokens, prefillBatch, rule,
                    prefillBatch, stepTokens));
        int budget = stepTokens != null && checked == Mode.AGG ? stepTokens : engineBudget;
        if (budget >= batchLimit(device))
            return;
        if (stepTokens == null || checked == Mode.DISAGG)
            throw new BadInputException(String.format(Locale.ROOT, "--max-running %d: vLLM refuses max_num_seqs %d"
                    + " with its %d-token step on %s: %s; give %s", maxRunning, maxRunning, budget, device.id(), rule,
                    checked == Mode.AGG ? "--step-tokens " + maxRunning + " or more too" : "--max-running " + budget
                            + " or less"));
        throw new BadInputException(String.format(Locale.ROOT, "--step-tokens %d: vLLM refuses a step of %d tokens"
                + " with max_num_seqs %d (%s): %s; give %s", stepTokens, stepTokens, batchLimit(device),
                maxRunning != null ? "--max-running" : "its default on " + device.id(), rule, maxRunning != null
                        ? "--max-running " + stepTokens + " or less, or --step-tokens " + maxRunning + " or more"
                        : "--max-running " + stepTokens + " or less too"));
    }

    /**
     * A disaggregated prefill step holds no more prompts on an attention replica than the engine runs at once by
     * default (TensorRT-LLM's batch per pipeline stage: the step's prompts are spread over its micro-batches).
     */
    private void checkPrefillBatch(Device device, Layout prefillLayout) {
        int stages = engine().batchesPerReplica(prefillLayout);
        long perReplica = prefillBatchLimit(device, prefillLayout);
        if (prefillBatch > perReplica)
            throw new BadInputException(String.format(Locale.ROOT, "--prefill-batch %d: over the %d sequences an"
                    + " attention replica of the prefill workers runs at once (%s's %s on %s%s)", prefillBatch,
                    perReplica, engine().id(), engine().limitName(), device.id(),
                    stages > 1 ? ", a batch per pipeline stage" : ""));
    }

    /** The most prompts an attention replica of prefill workers laid out as {@code layout} runs at once. */
    private long prefillBatchLimit(Device device, Layout layout) {
        return (long) engine().batchLimit(device) * engine().batchesPerReplica(layout);
    }

    /**
     * The decode workers' fit; where their memory cannot hold the requests they run, the refusal says how many it
     * holds, which --max-running would run while the others wait.
     */
    private Fit decodeFit(Architecture model, Device device, Layout decodeLayout, int running, long tokens) {
        try {
            return Fit.check(config, model, device, decodeLayout, running, tokens, kvDtype);
        } catch (Fit.Refused e) {
            int room = e.memory() ? Fit.room(model, decodeLayout, device, running, tokens, kvDtype) : 0;
            // --max-running counts a replica's sequences (TensorRT-LLM's: a pipeline stage's batch)
            int batches = engine().batchesInFlight(decodeLayout);
            if (room < batches)
                throw e;
            throw new BadInputException(String.format(Locale.ROOT, "%s; its memory holds %d of the %d: --max-running"
                    + " %d runs that many, the others wait for a place", e.getMessage(), room, running,
                    room / batches));
        }
    }

    /** The engine named, else {@link Engine#DEFAULT}. */
    private Engine engine() {
        return engine == null ? Engine.DEFAULT : engine;
    }

    /**
     * Workers as the engine's release (given, else the current one) schedules them, or as --[no-]overlap-scheduler,
     * each running at most {@code maxRunning} requests at once.
     */
    private Workers workers(Layout layout, int count, int batch, int stepTokens, int maxRunning, String option) {
        try {
            Workers byEngine = engine().workers(layout, count, batch, maxRunning, stepTokens,
                    Optional.ofNullable(engineVersion), Optional.empty());
            // the engines run pipeline stages without it (a ranked plan with stages keeps the engine's default)
            return overlapScheduler == null || layout instanceof Parallelism p && p.pp() > 1 ? byEngine
                    : byEngine.withSchedulesAhead(overlapScheduler);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(option + " " + count + ": " + e.getMessage());
        }
    }

    private Layout decodeLayout() {
        if (afd == null) {
            if (microBatches != null)
                throw new BadInputException("--micro-batches " + microBatches + ": applies to --afd plans only"
                        + " (a TP x PP plan runs --pp micro-batches)");
            return layout.parallelism();
        }
        if (layout.pp != 1 || layout.ep != 1 || layout.dp != 1)
            throw new BadInputException("--afd " + afd + ": --pp, --ep and --dp do not apply (attention replicas are"
                    + " ATTN / --tp, experts are spread over the FFN GPUs)");
        try {
            return new Afd(afd.attention(), layout.tp, afd.ffn(), microBatches == null ? 2 : microBatches);
        } catch (IllegalArgumentException ex) {
            throw new BadInputException("--afd " + afd + ": " + ex.getMessage());
        }
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    /** {@code tp=8, pp=1, ep=8, dp=8}, with the workers and, in disagg, the prefill workers' layout. */
    private String workersText(Fit fit, Workers prefill) {
        String decode = (decodeWorkers > 1 ? decodeWorkers + " workers of " : "") + fit.layout();
        return mode == Mode.AGG ? decode : "decode " + decode + "; prefill " + prefill.count() + " worker(s) of "
                + prefill.layout();
    }

    /** The request line; {@code perStep} null: each plan's engine default. */
    private String request(Integer perStep) {
        return String.format(Locale.ROOT, "%s, concurrency %d, isl %d, osl %d, KV cache %s%s%s",
                modes.words(), concurrency,
                isl, osl, kvDtype.id(), ", engine " + engine().id() + (engine == null ? " (default)" : "")
                        + (engineVersion == null ? "" : " " + engineVersion)
                        + (overlapScheduler == null ? "" : ", overlap scheduler " + (overlapScheduler ? "on" : "off")
                        + (gpus != null && overlapScheduler ? " (plans without pipeline stages)" : ""))
                        + (maxRunning == null ? "" : ", --max-running " + maxRunning),
                ", " + (modes == Modes.AGG ? "prefill steps" : modes == Modes.DISAGG ? "prefill workers' steps"
                        : "prefill steps (in disagg the prefill workers')") + (perStep == null
                        ? " of the engine's default size" : " of up to " + perStep + " prompt tokens per attention"
                        + " replica"));
    }

    /** How the engine fits a prompt into a step budget (agg, or the prefill workers'), where it does not fit whole. */
    private Optional<String> chunking(Workers workers, ServingModel.Estimate e) {
        int budget = workers.stepTokens();
        if (mode != Mode.AGG)
            return isl <= budget ? Optional.empty() : Optional.of(workers.batching() == Batching.MIXED
                    ? String.format(Locale.ROOT, "chunked:   isl %d is over the %d tokens of a prefill worker's step: %s"
                    + " [modeled]", isl, budget, TRT_REFUSES_LONG_PROMPTS)
                    : String.format(Locale.ROOT, "chunked:   a prefill worker splits a prompt of %d tokens over %d"
                    + " steps of up to %d: each prompt costed whole [modeled]", isl, Math.ceilDiv(isl, budget),
                    budget));
        String line = switch (workers.batching()) {
            case CHUNKED -> e.promptChunks() == 1 ? null : String.format(Locale.ROOT, "chunked:   the engine splits"
                    + " a prompt of %d tokens over %d steps, each of what the %d-token budget leaves beside the others'"
                    + " decode tokens (chunked prefill): costed as one step of the whole prompt, each of the %d also"
                    + " carrying the others' decode work", isl, e.promptChunks(), budget, e.promptChunks());
            case PREFILL_FIRST -> e.promptChunks() == 1 ? null : String.format(Locale.ROOT, "chunked:   the engine"
                    + " splits a prompt of %d tokens over %d prefill steps of up to %d, one after another: costed as"
                    + " one step of the whole prompt", isl, e.promptChunks(), budget);
            case MIXED -> isl <= budget ? null : String.format(Locale.ROOT, "chunked:   isl %d is over the %d tokens"
                    + " of a step: %s", isl, budget, TRT_REFUSES_LONG_PROMPTS);
        };
        return Optional.ofNullable(line).map(text -> text + " [modeled]");
    }

    /** Of {@code workers}, those --concurrency leaves without a request. */
    private int idle(int workers) {
        return Math.max(0, workers - concurrency);
    }

    /** Workers that --concurrency leaves without a request: their GPUs still count in output tokens/s/GPU. */
    private Optional<String> idleLine(Workers prefill) {
        List<String> idle = new ArrayList<>();
        String decode = mode == Mode.AGG ? "workers" : "decode workers";
        if (idle(decodeWorkers) > 0)
            idle.add(String.format(Locale.ROOT, "%d of the %d %s", idle(decodeWorkers), decodeWorkers, decode));
        if (mode == Mode.DISAGG && idle(prefill.count()) > 0)
            idle.add(String.format(Locale.ROOT, "%d of the %d prefill workers", idle(prefill.count()),
                    prefill.count()));
        return idle.isEmpty() ? Optional.empty() : Optional.of(String.join(" and ", idle) + " hold no request at"
                + " concurrency " + concurrency + ": output tokens/s/GPU counts their GPUs too");
    }

    private String contextLine(Architecture model) {
        return String.format(Locale.ROOT, "context:   isl + osl = %d tokens, beyond the model's %d (as vLLM derives"
                + " max_model_len from the config): engines refuse such requests unless the context is extended"
                + " [modeled]", (long) isl + osl, model.contextTokens());
    }

    /** Whether a request's prompt and output are longer than the model's context (where its config gives one). */
    private boolean beyondContext(Architecture model) {
        return model.beyondContext((long) isl + osl);
    }

    private void text(Architecture model, Device device, Fit fit, Workers prefill, ServingModel.Estimate e,
                      CostModels.Opened costs, PrintWriter out) {
        String labels = "[" + Label.join(e.labels()) + "]";
        out.printf(Locale.ROOT, "%s (%s, %s weights) on %d x %s: %s%n", model.name(), config, model.weights().id(),
                e.gpus(), device.id(), workersText(fit, prefill));
        out.println(request(prefill.stepTokens()));
        out.println("GEMMs:     " + costs.model().getTime().source());
        costs.model().farthestExtrapolation().ifPresent(far -> out.println("           farthest beyond the table: "
                + far.describe() + " [" + far.estimate().label().id() + "]"));
        out.println("memory:    ops other than GEMMs at " + costs.model().memory().source() + " ("
                + costs.model().memory().label().id() + "); attention: " + costs.model().attention().source()
                + " (modeled)");
        out.printf(Locale.ROOT, "fits:      %s of the %.2f GB an engine uses (modeled)%n", prefillFit == null
                ? fit.describe() : "decode workers: " + fit.describe() + "; prefill workers (each prompt whole): "
                + prefillFit.describe(), fit.usableBytes() / 1e9);
        if (beyondContext(model))
            out.println(contextLine(model));
        chunking(prefill, e).ifPresent(out::println);
        idleLine(prefill).ifPresent(line -> out.println("idle:      " + line));
        budgetLine(prefill, e).ifPresent(line -> out.println("budget:    " + line));
        admittedLine(device, fit.layout(), decodeStepTokens(device, fit.layout()), e)
                .ifPresent(line -> out.println("admitted:  " + line));
        out.println();
        out.printf(Locale.ROOT, "TTFT                 %12s ms  %s%n", String.format(Locale.ROOT, "%.2f", e.ttftMs()),
                labels);
        out.printf(Locale.ROOT, "TPOT                 %12s ms  [%s]%n", String.format(Locale.ROOT, "%.3f", e.tpotMs()),
                Label.join(e.tpotLabels()));
        out.printf(Locale.ROOT, "output tokens/s/GPU  %12s     %s%n",
                // three significant digits below 1: 2 tokens in 26.75 s on 8 GPUs is 0.00935, not 0.0
                String.format(Locale.ROOT, e.tokensPerSecPerGpu() >= 1 ? "%.1f" : "%.3g", e.tokensPerSecPerGpu()),
                labels);
        equations(out, fit, e);
        out.println();
        step(out, "decode step (T_d)", e.decode());
        step(out, "prefill (T_p, " + e.prefillBatch() + " request(s) per attention replica)", e.prefill());
        out.printf(Locale.ROOT, "prefill slots busy: %s (rho of the prefill queue) [%s]%n",
                Numbers.percent(e.prefillUtilisation()), Label.join(e.labels()));
    }

    /** The wait for a place in the steady TTFT's sum, its name or its value, where some requests wait for one. */
    private static String waitingTerm(ServingModel.Estimate e, boolean value) {
        if (e.admissionWaitUs() == 0)
            return "";
        return " + " + (value ? Numbers.millis(e.admissionWaitUs()) : "wait for a place");
    }

    /**
     * In disagg, where the prefill workers' step budget, not --prefill-batch or their share of the requests, sets the
     * prompts of a step on an attention replica: a line.
     */
    private Optional<String> budgetLine(Workers prefill, ServingModel.Estimate e) {
        int replicas = prefill.layout().attentionReplicas();
        int unbudgeted = Math.ceilDiv(ServingModel.promptsPerStep(replicas, prefillBatch, concurrency,
                prefill.count()), replicas);
        if (mode == Mode.AGG || e.prefillBatch() >= unbudgeted)
            return Optional.empty();
        int perBudget = Workers.promptsPerBudget(prefill.stepTokens(), isl);
        return Optional.of(String.format(Locale.ROOT, "--prefill-batch %d, but the prefill workers' %d-token step on"
                + " an attention replica (%s) holds %d prompt(s) of %d tokens%s%s: a step prefills %d there [modeled]",
                prefillBatch, prefill.stepTokens(), stepTokensName(replicas), perBudget, isl,
                isl > prefill.stepTokens() ? " (a longer one alone, in chunks)" : "",
                e.prefillBatch() > perBudget ? ", one budget for each pipeline stage's batch" : "", e.prefillBatch()));
    }

    /** The engine's name of the step budget an attention replica has, and the option that sets it. */
    private String stepTokensName(int replicas) {
        return engine().id() + "'s " + engine().stepTokensName() + (engine() == Engine.SGLANG && replicas > 1
                ? " / dp" : "") + "; --step-tokens";
    }

    /** Where a worker has more requests than its engine runs at once: how many run, and what the others do. */
    private Optional<String> admittedLine(Device device, Layout decodeLayout, int stepTokens,
                                          ServingModel.Estimate e) {
        int wanted = Math.ceilDiv(concurrency, decodeWorkers);
        if (e.running() >= wanted)
            return Optional.empty();
        return Optional.of(String.format(Locale.ROOT, "%d of the %d requests a worker has run at once (%s); the others"
                + " wait for a place, which TTFT holds (Little's law over the closed loop%s) [modeled]", e.running(),
                wanted, engine().runningLimit(device, decodeLayout, stepTokens,
                        maxRunning == null ? OptionalInt.empty() : OptionalInt.of(maxRunning)),
                rounds == Request.STEADY_STATE ? "" : "'s steady state, for every one of the --rounds"));
    }

    /** How TPOT and TTFT follow from the two step times: waves, or the steady state and the start's share. */
    private void equations(PrintWriter out, Fit fit, ServingModel.Estimate e) {
        String tp = Numbers.millis(e.prefill().stepUs());
        String joined = Label.join(e.labels());
        ServingModel.Start start = e.start();
        // on one micro-batch a prompt's first token comes at the end of its step; through pipeline stages, later
        boolean pipelined = e.prefillLatencyUs() != e.prefill().stepUs();
        String first = pipelined ? "L_p" : "T_p";
        String firstMs = Numbers.millis(e.prefillLatencyUs());
        if (pipelined)
            out.printf(Locale.ROOT, "  L_p = %s ms: a prompt's prefill through every stage (no engine splits a prompt"
                    + " over micro-batches), the mean of a step's micro-batches; their steps follow T_p = %s ms apart"
                    + " [%s]%n", firstMs, tp, joined);
        if (start.weighs() == ServingModel.Weighs.EVERY_ROUND && !pipelined)
            out.printf(Locale.ROOT, "  waves (prefills before decode steps): TTFT = T_p x the wave's mean step = %s x %s"
                            + " ms; TPOT = T_d + (G T_p - TTFT) / (osl - 1) = %s + (%d x %s - %s) / %d ms [%s]%n", tp,
                    String.format(Locale.ROOT, "%.3f", start.burstTtftUs() / e.prefill().stepUs()),
                    Numbers.millis(e.decode().stepUs()), start.burstSteps(), tp, Numbers.millis(start.burstTtftUs()),
                    osl - 1, joined);
        else if (start.weighs() == ServingModel.Weighs.EVERY_ROUND)
            out.printf(Locale.ROOT, "  waves (prefills before decode steps): TTFT = L_p + T_p x (the wave's mean step -"
                            + " 1) = %s + %s x %s ms; TPOT = T_d + (L_p + (G - 1) T_p - TTFT) / (osl - 1) = %s + (%s +"
                            + " %d x %s - %s) / %d ms [%s]%n", firstMs, tp,
                    String.format(Locale.ROOT, "%.3f", (start.burstTtftUs() - e.prefillLatencyUs())
                            / e.prefill().stepUs()), Numbers.millis(e.decode().stepUs()), firstMs,
                    start.burstSteps() - 1, tp, Numbers.millis(start.burstTtftUs()), osl - 1, joined);
        else if (mode == Mode.AGG)
            out.printf(Locale.ROOT, "  TPOT = T_d + (c_d - 1) / (osl s) T_p = %s + %d / (%d x %d) x %s ms;"
                            + " steady TTFT = %s + arrival + queue%s = %s + %s + %s%s ms [%s]%n",
                    Numbers.millis(e.decode().stepUs()), e.running() - 1, osl, e.promptsPerStep(), tp, first,
                    waitingTerm(e, false), firstMs, Numbers.millis(e.arrivalUs()), Numbers.millis(e.queueWaitUs()),
                    waitingTerm(e, true), joined);
        else
            out.printf(Locale.ROOT, "  TPOT = T_d = %s ms; steady TTFT = %s + queue + KV transfer (%s)%s = %s + %s"
                            + " + %s%s ms [%s]%n", Numbers.millis(e.decode().stepUs()), first, e.kvLink(),
                    waitingTerm(e, false), firstMs, Numbers.millis(e.queueWaitUs()), Numbers.millis(e.kvTransferUs()),
                    waitingTerm(e, true), joined);
        if (start.weighs() == ServingModel.Weighs.FIRST_ROUND)
            out.printf(Locale.ROOT, "  TTFT = steady + (burst - steady) / rounds = %s + (%s - %s) / %d ms: the first %d"
                            + " requests arrive together [%s]%n", Numbers.millis(start.steadyTtftUs()),
                    Numbers.millis(start.burstTtftUs()), Numbers.millis(start.steadyTtftUs()), start.rounds(),
                    concurrency, joined);
    }

    private static HtmlReport.SteadyStep steady(String symbol, StepCost s) {
        return new HtmlReport.SteadyStep(symbol, s.stepUs(), s.explain("µs"));
    }

    private static void step(PrintWriter out, String what, StepCost s) {
        out.printf(Locale.ROOT, "%s: %s [%s]%n", what, s.explain("us"), Label.join(s.labels()));
        StringBuilder kinds = new StringBuilder("  critical path by kind:");
        for (Map.Entry<WorkKind, Double> k : s.criticalPathByKind().entrySet())
            kinds.append(String.format(Locale.ROOT, " %s %s us (%s)", k.getKey().id(), Numbers.micros(k.getValue()),
                    s.criticalPathUs() > 0 ? Numbers.percent(k.getValue() / s.criticalPathUs()) : "n/a"));
        out.println(kinds.append(" [").append(Label.join(s.criticalPathLabels())).append("]"));
        out.printf(Locale.ROOT, "  %d ops on %d GPUs, %d on the critical path%n", s.dag().size(), s.dag().gpuCount(),
                s.path().path().size());
    }

    private String json(Architecture model, Device device, Fit fit, Workers prefill, ServingModel.Estimate e,
                        CostModels.Opened costs) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode node = inputs(mapper, model, device, e.gpus())
                .put("layout", fit.layout().toString())
                .put("decode_workers", decodeWorkers)
                .put("idle_workers", idle(decodeWorkers))
                .put("idle_prefill_workers", mode == Mode.DISAGG ? idle(prefill.count()) : null)
                .put("prefill_layout", mode == Mode.DISAGG ? prefill.layout().toString() : null)
                .put("prefill_workers", mode == Mode.DISAGG ? prefillWorkers : decodeWorkers)
                .put("schedules_ahead", mode == Mode.AGG ? prefill.schedulesAhead() : null)
                .put("step_tokens", prefill.stepTokens())
                .put("prompt_chunks", e.promptChunks())
                .put("running_per_worker", e.running())
                .put("ttft_ms", e.ttftMs())
                .put("tpot_ms", e.tpotMs())
                .put("tokens_per_s_per_gpu", e.tokensPerSecPerGpu());
        Label.ids(e.labels()).forEach(node.putArray("labels")::add);
        Label.ids(e.tpotLabels()).forEach(node.putArray("tpot_labels")::add);
        node.put("gemm_source", costs.model().getTime().source())
                .put("gemm_farthest_extrapolation", costs.model().farthestExtrapolation()
                        .map(CostModel.Extrapolation::describe).orElse(null))
                .put("weight_bytes_per_gpu", fit.footprint().weightBytes())
                .put("kv_bytes_per_gpu", fit.footprint().kvBytes())
                .put("state_bytes_per_gpu", fit.footprint().stateBytes())
                .put("bytes_per_gpu_label", Label.MODELED.id());
        // the fields above are the fullest GPU's (which decides the fit); AFD's attention GPUs hold the KV cache
        ArrayNode kinds = node.putArray("bytes_by_gpu_kind");
        fit.sides().forEach(side -> kinds.addObject().put("gpu", side.gpu().name().toLowerCase(Locale.ROOT))
                .put("weight_bytes", side.weightBytes()).put("kv_bytes", side.kvBytes())
                .put("state_bytes", side.stateBytes()));
        if (prefillFit != null) // a disaggregated plan's prefill GPU, its prompts' caches whole
            kinds.addObject().put("gpu", "prefill").put("weight_bytes", prefillFit.footprint().weightBytes())
                    .put("kv_bytes", prefillFit.footprint().kvBytes())
                    .put("state_bytes", prefillFit.footprint().stateBytes());
        node.set("decode_step", step(mapper, e.decode()));
        node.set("prefill_step", step(mapper, e.prefill()));
        node.put("prefill_latency_us", e.prefillLatencyUs())
                .put("prefill_batch", e.prefillBatch()).put("prompts_per_step", e.promptsPerStep())
                .put("arrival_us", e.arrivalUs())
                .put("queue_wait_us", e.queueWaitUs())
                .put("admission_wait_us", e.admissionWaitUs())
                .put("kv_transfer_us", e.kvTransferUs())
                .put("kv_link", e.kvLink().isEmpty() ? null : e.kvLink())
                .put("prefill_utilisation", e.prefillUtilisation())
                .set("start", start(mapper, e));
        return node.toString();
    }

    /** The start's TTFTs, the rounds that weigh them (0: none, the steady state) and their labels, the estimate's. */
    private static ObjectNode start(ObjectMapper mapper, ServingModel.Estimate e) {
        ServingModel.Start start = e.start();
        ObjectNode node = mapper.createObjectNode()
                .put("steady_ttft_us", start.steadyTtftUs())
                .put("burst_ttft_us", start.burstTtftUs())
                .put("burst_steps", start.burstSteps())
                .put("rounds", start.rounds())
                .put("weighs", start.weighs().id());
        Label.ids(e.labels()).forEach(node.putArray("labels")::add);
        return node;
    }

    private static ObjectNode step(ObjectMapper mapper, StepCost s) {
        ObjectNode node = mapper.createObjectNode()
                .put("step_us", s.stepUs())
                .put("busiest_gpu_us", s.busiestGpuUs())
                .put("critical_path_us", s.criticalPathUs())
                .put("ops", s.dag().size());
        ObjectNode kinds = node.putObject("critical_path_us_by_kind");
        s.criticalPathByKind().forEach((kind, us) -> kinds.put(kind.id(), us));
        Label.ids(s.labels()).forEach(node.putArray("labels")::add);
        Label.ids(s.criticalPathLabels()).forEach(node.putArray("critical_path_labels")::add);
        return node;
    }
}
