package gemmcost.serving;

import gemmcost.comm.Collective;
import gemmcost.comm.LinkTier;
import gemmcost.comm.Network;
import gemmcost.cost.CostModel;
import gemmcost.deploy.Layout;
import gemmcost.deploy.Parallelism;
import gemmcost.gettime.Label;
import gemmcost.model.Phase;
import gemmcost.model.hf.Architecture;
import gemmcost.plan.Step;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * TTFT, TPOT and throughput of a benchmark client that keeps {@code c} requests in flight, in steady state and
 * from the benchmark's start. The equations (README, "How predict models serving"):
 * <ul>
 *   <li>c_d = min(⌈c / decode workers⌉, what a worker runs at once: its engine's batch limit, and in validate-serving
 *       what its KV cache holds) sequences run on a worker; the rest wait to be admitted (predict refuses a plan whose
 *       memory is too small for c_d).</li>
 *   <li>T_d: one decode step of the c_d sequences, at the mean KV length isl + osl/2 (decode attention is linear in
 *       it). T_p: one prefill step of q requests on each attention replica: in agg the q that the engine's step budget
 *       of prompt tokens ({@link Workers#stepTokens}, TensorRT-LLM's one for each pipeline stage's batch) holds
 *       (requests that finished in one step come back in one step, so they arrive together); in disagg the prefill
 *       workers' batch, as far as their step budget holds it ({@link Engine#prefillBatch}); never more prompts than the
 *       worker's share of the c requests: s prompts a step on a worker, ⌈s / replicas⌉ on its busiest replica, which
 *       T_p is the time of. vLLM and SGLang split a prompt over k steps of what the agg budget leaves for it ({@link
 *       #promptChunks}); its compute is costed as one step of the whole prompt (the chunks' FLOPs add up to it; the
 *       earlier chunks' KV cache read again by the later ones is left out). L_p: from a prefill step's start to its
 *       prompts' first tokens, T_p on one micro-batch ({@link #prefillLatencyUs}).</li>
 *   <li>agg: TPOT = T_d + (c_d − 1)/(osl · s) · T_p — while a request decodes, each of the other c_d − 1 is
 *       replaced about once, and its prefill stalls every decode step of the worker; disagg: TPOT = T_d.</li>
 *   <li>TTFT = L_p + W + (agg, when c_d > 1: T_d/2, the decode step of the others a new request arrives in; T_d
 *       more where the engine schedules a step ahead (the next step is already set when it arrives); T_d more for
 *       each step its prompt is mixed into (one, or a chunked prompt's k), each also a decode step, as TPOT counts
 *       it; disagg: the transfer of each prefill GPU's share of its replica's KV caches to the decode worker, over
 *       {@link #kvLink}). W, the wait for prefills ahead, is the M/D/1 queue's ρ·T_p / (2(1 − ρ)) with ρ = X · T_p /
 *       slots (slots: the s prompts of a step on every worker that prefills), capped at the (c − 1) · T_p / slots of
 *       every other request's prefill ahead.</li>
 *   <li>X = c / (TTFT + (osl − 1) · TPOT) requests/s (Little's law for a closed loop), solved with TTFT by
 *       bisection; where requests wait to be admitted, TTFT grows until X = c / (TTFT + (osl − 1) · TPOT);
 *       tokens/s/GPU = X · osl / GPUs.</li>
 *   <li>The start: a measured phase begins at idle workers, so its first c requests arrive together and are
 *       prefilled {@code slots} at a time, in G = ⌈c / slots⌉ steps T_p apart; the mean of their TTFTs (the burst)
 *       is L_p + T_p × (the mean step a request finishes in − 1) (+ the KV transfer in disagg). Where every
 *       request runs at once: with {@link Batching#MIXED} the first of the request's {@code rounds} rounds is the
 *       burst and the others the steady state above, TTFT = steady + (burst − steady) / rounds; with
 *       {@link Batching#PREFILL_FIRST} in agg every round is a burst (the waves last), and a request decodes from
 *       when the wave's last prefill step ends: TTFT = burst, TPOT = T_d + (L_p + (G − 1) · T_p − burst) /
 *       (osl − 1).</li>
 * </ul>
 */
public final class ServingModel {
    /** Halvings of the TTFT interval: 2^-60 of it, far below a nanosecond. */
    private static final int BISECTION_STEPS = 60;

    private ServingModel() {
    }

    /**
     * The prediction, its parts and the labels of everything it is made of; {@code prefillLatencyLabels}: those of
     * the step L_p is timed by (through pipeline stages, maybe not {@code prefill}); {@code promptChunks}: the steps
     * a prompt longer than an agg step's budget spans; {@code promptsPerStep}: the prompts a worker's prefill step
     * holds; {@code prefillBatch}: those on its busiest attention replica; {@code admissionWaitUs}: a request's wait
     * for a place where a worker has more than it runs at once (0 where all run); {@code kvLink}: the link tier a
     * disaggregated prefill worker's KV caches cross ({@link #kvLink}; empty in agg); {@code tpotStallsOnPrefill}:
     * whether the TPOT holds prefill time (others' prefills stalling the decode steps), not the decode step's alone.
     */
    public record Estimate(double ttftMs, double tpotMs, double tokensPerSecPerGpu, int gpus,
                           StepCost decode, StepCost prefill, double prefillLatencyUs, Set<Label> prefillLatencyLabels,
                           int promptChunks, int running, int promptsPerStep, int prefillBatch,
                           double arrivalUs, double queueWaitUs, double admissionWaitUs, double kvTransferUs,
                           String kvLink, double prefillUtilisation,
                           Start start, boolean tpotStallsOnPrefill) {
        /** Of TTFT and throughput (and of the whole estimate): both steps', L_p's step's, modeled. */
        public Set<Label> labels() {
            Set<Label> labels = tpotLabels();
            labels.addAll(prefill.labels());
            labels.addAll(prefillLatencyLabels);
            return labels;
        }

        /** Of TPOT: the decode step's, the prefill's where it stalls the decode steps, modeled. */
        public Set<Label> tpotLabels() {
            Set<Label> labels = EnumSet.copyOf(decode.labels());
            if (tpotStallsOnPrefill)
                labels.addAll(prefill.labels());
            labels.add(Label.MODELED);
            return labels;
        }
    }

    /**
     * How the run's start enters TTFT. {@code steadyTtftUs}: a round's TTFT once the run has settled (with waves,
     * every round's); {@code burstTtftUs}: the mean TTFT of the first c requests, arriving together at idle workers
     * in {@code burstSteps} prefill steps (of those that run at once, where the others wait for a
     * place); {@code rounds}: the rounds measured ({@link Request#STEADY_STATE}
     * where not every request runs at once, or for an endless run); {@code weighs}: which rounds are bursts.
     */
    public record Start(double steadyTtftUs, double burstTtftUs, int burstSteps, int rounds, Weighs weighs) {
        public Start {
            Objects.requireNonNull(weighs, "weighs");
            if (weighs == Weighs.FIRST_ROUND && rounds < 1)
                throw new IllegalArgumentException("a first round's burst needs rounds >= 1: " + rounds);
        }

        double ttftUs() {
            return switch (weighs) {
                case NONE -> steadyTtftUs;
                case FIRST_ROUND -> steadyTtftUs + (burstTtftUs - steadyTtftUs) / rounds;
                case EVERY_ROUND -> burstTtftUs;
            };
        }
    }

    /** Which rounds of a run start as a burst: none (the steady state), the first, or every one (waves). */
    public enum Weighs {
        NONE, FIRST_ROUND, EVERY_ROUND;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The link a disaggregated prefill worker sends its KV caches to a decode worker over: NVLink where every prefill
     * and decode GPU shares one node and the engine's connector uses it ({@link Workers#kvOverNvlink}), else the
     * inter-node link (a larger deployment's prefill and decode workers are taken to be on different nodes).
     */
    static LinkTier kvLink(Network network, Workers prefill, Workers decode) {
        boolean oneNode = prefill.gpus() + decode.gpus() <= network.gpusPerNode();
        return oneNode && prefill.kvOverNvlink() ? network.intraNode() : network.interNode();
    }

    /** {@code prefill} is {@code decode} in agg mode. */
    public static Estimate predict(Architecture model, Mode mode, Workers prefill, Workers decode, Request r,
                                   int kvBytesPerElement, CostModel cost) {
        return predict(mode, prefill, decode, r, kvBytesPerElement, new StepCosts(model, cost));
    }

    /** {@code prefill} is {@code decode} in agg mode; each step costed once by {@code steps}. */
    public static Estimate predict(Mode mode, Workers prefill, Workers decode, Request r, int kvBytesPerElement,
                                   StepCosts steps) {
        Architecture model = steps.model();
        CostModel cost = steps.cost();
        int wanted = Math.ceilDiv(r.concurrency(), decode.count());
        int sequences = Math.min(wanted, decode.maxRunning());
        boolean allRun = sequences == wanted;
        Request admitted = allRun ? r : new Request(sequences * decode.count(), r.isl(), r.osl());
        StepCost decodeStep = steps.of("decode step", decode.layout(),
                new Step(Phase.DECODE, sequences, r.meanKvTokens(), kvBytesPerElement, 0, r.isl()));
        Workers prefilling = mode == Mode.AGG ? decode : prefill;
        int replicas = prefilling.layout().attentionReplicas();
        // the running sequences' decode tokens count against the budget too (TensorRT-LLM, vLLM); taking them off the
        // prompts' room predicted the silicon rows' TTFT worse (median 42.4 -> 46.9 %): the room only caps what a
        // bunched steady state prefills together, and how runs bunch is what the TTFT error hinges on
        int burst = mode == Mode.AGG ? Math.clamp(prefilling.promptsInBudget(r.isl()), 1,
                Math.ceilDiv(admitted.concurrency(), prefilling.prefillSlots())) : 1;
        // each attention replica schedules its own sequences against its own budget (vLLM's data-parallel ranks)
        int chunks = mode == Mode.AGG
                ? promptChunks(decode, Math.ceilDiv(sequences, decode.layout().attentionReplicas()), r.isl()) : 1;
        int prefillSequences = promptsPerStep(replicas, prefilling.prefillBatch() * burst, admitted.concurrency(),
                prefilling.count());
        int slots = Math.multiplyExact(prefillSequences, prefilling.count()); // prompts a step prefills, all workers
        int busiestReplica = Math.ceilDiv(prefillSequences, replicas);
        StepCost prefillStep = steps.of("prefill", prefilling.layout(), new Step(Phase.PREFILL,
                prefillSequences, r.isl(), kvBytesPerElement));
        double td = decodeStep.stepUs();
        double tp = prefillStep.stepUs();
        StepCost firstTokens = firstTokenStep(steps, prefilling.layout(), prefillStep, prefillSequences, r.isl(),
                kvBytesPerElement);
        double latency = prefillLatencyUs(prefilling.layout(), firstTokens, prefillSequences);
        // the requests of a prefill step leave together: each GPU sends its share of its replica's KV caches
        LinkTier link = mode == Mode.AGG ? null : kvLink(cost.network(), prefill, decode);
        double transfer = link == null ? 0 : link.timeUs(Collective.SEND_RECV,
                busiestReplica * kvShardBytes(model, prefilling.layout(), r.isl(), kvBytesPerElement), 2);
        // the requests that run (where others wait for a place, the burst is not what TTFT weighs: the steady state is)
        int burstSteps = Math.ceilDiv(admitted.concurrency(), slots);
        // the burst's prefill steps follow one another T_p apart, each done L_p after it starts
        double burstPrefill = latency + tp * (meanBurstStep(admitted.concurrency(), slots) - 1);
        boolean waves = mode == Mode.AGG && decode.batching() == Batching.PREFILL_FIRST && allRun;
        double tpot;
        double arrival;
        double steady;
        if (waves) { // a request decodes from the end of its wave's last prefill step
            tpot = td + (latency + (burstSteps - 1) * tp - burstPrefill) / (r.osl() - 1);
            arrival = 0;
            steady = burstPrefill;
        } else {
            tpot = mode == Mode.AGG ? td + (sequences - 1.0) / ((double) r.osl() * slots / decode.count()) * tp : td;
            arrival = mode == Mode.AGG && sequences > 1 ? decodeStepsBeforeFirstToken(decode, chunks) * td : transfer;
            steady = solveTtft(latency + arrival, tp, tpot, admitted, slots, prefilling.count());
        }
        double rho = utilisation(steady, tp, tpot, admitted, slots);
        double queue = steady - latency - arrival;
        double admission = 0;
        if (!allRun) { // the others wait for a place: Little's law over all c of the closed loop
            double all = (double) r.concurrency() / admitted.concurrency() * (steady + (r.osl() - 1) * tpot)
                    - (r.osl() - 1) * tpot;
            admission = all - steady;
            steady = all;
        }
        int rounds = allRun ? r.rounds() : Request.STEADY_STATE;
        Weighs weighs = waves ? Weighs.EVERY_ROUND : rounds != Request.STEADY_STATE ? Weighs.FIRST_ROUND : Weighs.NONE;
        Start start = new Start(steady, burstPrefill + transfer, burstSteps, rounds, weighs);
        double ttft = start.ttftUs();
        double requestsPerSec = r.concurrency() / (ttft + (r.osl() - 1) * tpot) * 1e6;
        int gpus = mode == Mode.AGG ? decode.gpus() : decode.gpus() + prefill.gpus();
        boolean stalls = waves ? burstSteps > 1 : mode == Mode.AGG && sequences > 1;
        return new Estimate(ttft / 1e3, tpot / 1e3, requestsPerSec * r.osl() / gpus, gpus, decodeStep, prefillStep,
                latency, firstTokens.labels(), chunks, sequences, prefillSequences, busiestReplica, arrival,
                queue, admission, transfer, link == null ? "" : link.name(), rho, start, stalls);
    }

    /**
     * The prompts a worker's prefill step holds: every one of its {@code replicas}' {@code batch}, but no more than
     * the worker's share of the {@code concurrency} requests of its {@code workers}.
     */
    public static int promptsPerStep(int replicas, int batch, int concurrency, int workers) {
        return (int) Math.min((long) replicas * batch, Math.ceilDiv(concurrency, workers));
    }

    /**
     * The others' decode steps in a new request's TTFT in agg: half the step it arrives in, the step already
     * scheduled after it where the engine schedules ahead, and where prompts are mixed into decode steps the decode
     * work of each of the {@code chunks} steps its prefill runs in (a mixed step is T_d + its share of T_p, as TPOT
     * counts it).
     */
    private static double decodeStepsBeforeFirstToken(Workers decode, int chunks) {
        double mixedSteps = switch (decode.batching()) {
            case MIXED -> 1;
            case CHUNKED -> chunks;
            case PREFILL_FIRST -> 0;
        };
        return 0.5 + (decode.schedulesAhead() ? 1 : 0) + mixedSteps;
    }

    /**
     * The steps an engine splits a prompt over in agg (its compute is costed as one step of the whole prompt): vLLM's
     * chunks are what an attention replica's step budget leaves beside its other {@code running} sequences' one decode
     * token each, SGLang's the budget itself (its prefill steps carry no decode tokens); TensorRT-LLM does not split
     * one by default.
     */
    static int promptChunks(Workers workers, int running, int isl) {
        return switch (workers.batching()) {
            case MIXED -> 1;
            case CHUNKED -> Math.ceilDiv(isl, Math.max(1, workers.stepTokens() - (running - 1)));
            case PREFILL_FIRST -> Math.ceilDiv(isl, workers.stepTokens());
        };
    }

    /**
     * The step a prompt's first token is timed by: the prefill step, except where pipeline stages (or AFD's
     * ping-pong) split it into micro-batches and it has fewer prompts per replica than micro-batches: no engine splits
     * a prompt, so then the step of one whole prompt per micro-batch on each replica that holds one (the experts get
     * the prompts there are, not one for every replica).
     */
    static StepCost firstTokenStep(StepCosts steps, Layout layout, StepCost step, int sequences, int isl,
                                   int kvBytesPerElement) {
        int micro = layout.microBatches();
        if (micro == 1 || Math.ceilDiv(sequences, layout.attentionReplicas()) >= micro)
            return step;
        return steps.of("prefill of one prompt per micro-batch", layout,
                new Step(Phase.PREFILL, micro * Math.min(layout.attentionReplicas(), sequences), isl,
                        kvBytesPerElement, 1));
    }

    /**
     * L_p: from a prefill step's start to its prompts' first tokens, on average, {@code whole} the step of whole
     * prompts ({@link #firstTokenStep}). On one micro-batch it is the step. On several the step is their throughput:
     * a micro-batch of whole prompts crosses every stage, one micro-batch's critical path, and the m micro-batches
     * that hold prompts leave one step / micro-batches apart, so the mean is that path and (m − 1)/2 of those
     * intervals.
     */
    static double prefillLatencyUs(Layout layout, StepCost whole, int sequences) {
        int micro = layout.microBatches();
        if (micro == 1)
            return whole.stepUs();
        int holding = Math.min(micro, Math.ceilDiv(sequences, layout.attentionReplicas()));
        return whole.criticalPathUs() + (holding - 1) / 2.0 * whole.stepUs() / micro;
    }

    /**
     * The mean, over {@code requests} that arrive together, of the prefill step (1, 2, …) each finishes in, with
     * {@code slots} prefilled per step: full steps of {@code slots} and a last one of the rest.
     */
    static double meanBurstStep(int requests, int slots) {
        long steps = Math.ceilDiv(requests, slots);
        long inLast = requests - (steps - 1) * slots;
        return ((double) slots * steps * (steps - 1) / 2 + (double) steps * inLast) / requests;
    }

    /**
     * What one prefill GPU sends of a request's KV cache (and linear-attention state), all of them at once over their
     * own links: its heads' share of the layers of the stage that holds the most of it.
     */
    private static double kvShardBytes(Architecture model, Layout layout, int isl, int kvBytesPerElement) {
        int tp = layout.attentionTp();
        if (!(layout instanceof Parallelism p))
            return model.cacheBytesPerSequencePerGpu(0, model.layers(), tp, isl, kvBytesPerElement);
        long most = 0;
        for (int stage = 0; stage < p.pp(); stage++)
            most = Math.max(most, model.cacheBytesPerSequencePerGpu(p.firstLayer(model.layers(), stage),
                    p.firstLayer(model.layers(), stage + 1), tp, isl, kvBytesPerElement));
        return most;
    }

    /**
     * The TTFT with TTFT = base + W(ρ(TTFT)): the right side falls as TTFT grows (a longer TTFT means fewer
     * arrivals), so the one solution lies between {@code base} and base + the longest wait, found by bisection.
     */
    private static double solveTtft(double base, double prefillUs, double tpotUs, Request r, int slots, int workers) {
        double low = base;
        double high = base + queueWait(Double.POSITIVE_INFINITY, prefillUs, r.concurrency(), slots, workers);
        for (int i = 0; i < BISECTION_STEPS; i++) {
            double mid = (low + high) / 2;
            double wait = queueWait(utilisation(mid, prefillUs, tpotUs, r, slots), prefillUs, r.concurrency(), slots,
                    workers);
            if (base + wait > mid)
                low = mid;
            else
                high = mid;
        }
        return (low + high) / 2;
    }

    /** ρ: the share of the prefill slots' time busy at the throughput a TTFT of {@code ttftUs} gives. */
    private static double utilisation(double ttftUs, double prefillUs, double tpotUs, Request r, int slots) {
        return r.concurrency() / (ttftUs + (r.osl() - 1) * tpotUs) * prefillUs / slots;
    }

    /**
     * The M/D/1 wait for prefills ahead, never more than the prefills of every other request on the same worker: of
     * the {@code concurrency} spread over {@code workers} by a router that balances them, ⌈c / workers⌉ a worker, whose
     * step prefills {@code slots / workers} (4 requests on 4 workers never wait for each other).
     */
    private static double queueWait(double rho, double prefillUs, int concurrency, int slots, int workers) {
        double allAhead = (Math.ceilDiv(concurrency, workers) - 1.0) * prefillUs * workers / slots;
        return rho < 1 ? Math.min(rho * prefillUs / (2 * (1 - rho)), allAhead) : allAhead;
    }
}
