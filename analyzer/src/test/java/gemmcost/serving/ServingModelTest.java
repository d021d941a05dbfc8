package gemmcost.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import gemmcost.comm.Collective;
import gemmcost.cost.CostModel;
import gemmcost.dag.Dag;
import gemmcost.dag.Work;
import gemmcost.deploy.Parallelism;
import gemmcost.gettime.Label;
import gemmcost.model.Phase;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.Experts;
import gemmcost.model.hf.SlidingWindow;
import gemmcost.model.hf.WeightFormat;
import gemmcost.plan.Step;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The serving equations (README, "How predict models serving") recomputed from the two step times. */
class ServingModelTest {
    private static final Architecture MODEL = new Architecture("small", 4, 1024, 1000, false,
            new Attention.Gqa(8, 2, 128), 4, 2048, null, WeightFormat.BF16);
    /** Layer 0 dense, layer 1 with 16 experts of 512, top-2. */
    private static final Architecture MOE = new Architecture("moe", 2, 1024, 1000, false, new Attention.Gqa(8, 2, 128),
            1, 2048, new Experts(16, 2, 512, 0), WeightFormat.BF16);
    private static final CostModel COSTS = TestCosts.teraFlopGigaByte();
    private static final Workers ONE_GPU = mixed(new Parallelism(1, 1, 1, 1), 1, Integer.MAX_VALUE,
            Workers.DEFAULT_STEP_TOKENS);

    @Test
    void oneRequestAtATimeShouldSeeOnePrefillAndBareDecodeSteps() {
        ServingModel.Estimate e = ServingModel.predict(MODEL, Mode.AGG, ONE_GPU, ONE_GPU, new Request(1, 100, 50), 2,
                COSTS);

        assertThat(e.ttftMs() * 1e3).isCloseTo(e.prefill().stepUs(), within(1e-6));
        assertThat(e.tpotMs() * 1e3).isCloseTo(e.decode().stepUs(), within(1e-9));
        assertThat(e.tokensPerSecPerGpu()).isCloseTo(50 / ((e.ttftMs() + 49 * e.tpotMs()) / 1e3), within(1e-6));
    }

    @Test
    void aggregatedServingShouldStallDecodeForTheOtherRequestsPrefillsAndQueueThem() {
        ServingModel.Estimate e = ServingModel.predict(MODEL, Mode.AGG, ONE_GPU, ONE_GPU, new Request(8, 100, 50), 2,
                COSTS);

        // 8192 / 100 = 81 prompts fit one step's budget, so the 8 requests that come back together prefill in one
        // step of 8 (at most c): T_p is that step, and 8 prefill slots serve the queue
        assertThat(e.prefillBatch()).isEqualTo(8);
        double td = e.decode().stepUs();
        double tp = e.prefill().stepUs();
        double tpot = td + 7.0 / (50 * 8) * tp; // the other 7 requests' prefills, spread over 50 steps
        assertThat(e.tpotMs() * 1e3).isCloseTo(tpot, within(1e-9));
        double ttft = e.ttftMs() * 1e3;
        double requestsPerUs = 8 / (ttft + 49 * tpot);
        double rho = requestsPerUs * tp / 8;
        assertThat(e.prefillUtilisation()).isCloseTo(rho, within(1e-9));
        // TTFT = T_p + half the decode step it arrives in + the decode work of the mixed step its prefill runs in +
        // the M/D/1 wait, which is below the 7 prefills' cap here
        assertThat(rho * tp / (2 * (1 - rho))).isLessThan(7 * tp / 8);
        assertThat(ttft).isCloseTo(tp + 1.5 * td + rho * tp / (2 * (1 - rho)), within(1e-6));
        assertThat(e.tokensPerSecPerGpu()).isCloseTo(requestsPerUs * 1e6 * 50, within(1e-6));
    }

    /**
     * Long prompts, two output tokens: the prefill slots are busy most of the time. One worker's 4 requests queue for
     * each other's prefills; 4 workers, one request each (a router that balances them), never do.
     */
    @Test
    void requestsOnWorkersOfTheirOwnShouldNotQueueForEachOther() {
        Workers four = mixed(new Parallelism(1, 1, 1, 1), 4, Integer.MAX_VALUE, 100);
        Workers one = mixed(new Parallelism(1, 1, 1, 1), 1, Integer.MAX_VALUE, 100);
        Request r = new Request(4, 100, 2);

        assertThat(ServingModel.predict(MODEL, Mode.AGG, four, four, r, 2, COSTS).queueWaitUs()).isZero();
        ServingModel.Estimate shared = ServingModel.predict(MODEL, Mode.AGG, one, one, r, 2, COSTS);
        assertThat(shared.queueWaitUs()).isPositive().isLessThanOrEqualTo(3 * shared.prefill().stepUs());
    }

    @Test
    void anEngineThatSchedulesAStepAheadShouldMakeANewRequestWaitOneDecodeStepMore() {
        Workers ahead = new Workers(new Parallelism(1, 1, 1, 1), 1, 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS,
                Batching.MIXED, true);

        ServingModel.Estimate e = ServingModel.predict(MODEL, Mode.AGG, ahead, ahead, new Request(8, 100, 50), 2,
                COSTS);

        // as above, but a request arriving in a decode step also waits for the step already scheduled after it
        double td = e.decode().stepUs();
        double tp = e.prefill().stepUs();
        double ttft = e.ttftMs() * 1e3;
        double rho = 8 / (ttft + 49 * e.tpotMs() * 1e3) * tp / 8;
        assertThat(e.arrivalUs()).isCloseTo(2.5 * td, within(1e-9));
        assertThat(ttft).isCloseTo(tp + 2.5 * td + rho * tp / (2 * (1 - rho)), within(1e-6));
        assertThat(e.tpotMs()).isEqualTo(ServingModel.predict(MODEL, Mode.AGG, ONE_GPU, ONE_GPU,
                new Request(8, 100, 50), 2, COSTS).tpotMs());
    }

    /**
     * A 250-token prompt over steps of 100 tokens: vLLM splits it into chunks of what the budget leaves beside the 7
     * others' decode tokens (93: 3 chunks), each of its mixed steps also decoding the others; SGLang into chunks of
     * 100 (3) run as prefill steps of their own; TensorRT-LLM does not split it. The compute is one step either way.
     */
    @Test
    void aPromptOverTheStepBudgetShouldSpanTheChunksItsEngineSplitsItInto() {
        Workers vllm = new Workers(new Parallelism(1, 1, 1, 1), 1, 1, Integer.MAX_VALUE, 100, Batching.CHUNKED, false);
        Workers trtllm = mixed(new Parallelism(1, 1, 1, 1), 1, Integer.MAX_VALUE, 100);
        Workers sglang = new Workers(new Parallelism(1, 1, 1, 1), 1, 1, Integer.MAX_VALUE, 100,
                Batching.PREFILL_FIRST, false);
        Request r = new Request(8, 250, 50, 0);

        ServingModel.Estimate chunked = ServingModel.predict(MODEL, Mode.AGG, vllm, vllm, r, 2, COSTS);
        ServingModel.Estimate whole = ServingModel.predict(MODEL, Mode.AGG, trtllm, trtllm, r, 2, COSTS);
        ServingModel.Estimate waves = ServingModel.predict(MODEL, Mode.AGG, sglang, sglang, r, 2, COSTS);

        assertThat(List.of(chunked.promptChunks(), whole.promptChunks(), waves.promptChunks()))
                .containsExactly(3, 1, 3);
        // 250 tokens fill any of these budgets: one prompt per step, the same whole-prompt prefill
        assertThat(chunked.prefill().stepUs()).isEqualTo(whole.prefill().stepUs());
        assertThat(chunked.arrivalUs()).isCloseTo((0.5 + 3) * chunked.decode().stepUs(), within(1e-9));
        assertThat(whole.arrivalUs()).isCloseTo((0.5 + 1) * whole.decode().stepUs(), within(1e-9));
        assertThat(waves.arrivalUs()).isZero(); // waves: a round's prompts start at idle workers
        // the others' decode tokens take their share of vLLM's budget: 8,192 − 63 leaves 8,129 for an 8,192 prompt
        Workers vllmDefault = new Workers(new Parallelism(1, 1, 1, 1), 1, 1, Integer.MAX_VALUE,
                Workers.DEFAULT_STEP_TOKENS, Batching.CHUNKED, false);
        assertThat(ServingModel.promptChunks(vllmDefault, 64, 8192)).isEqualTo(2);
        assertThat(ServingModel.promptChunks(vllmDefault, 1, 8192)).isEqualTo(1);
        // each of 8 data-parallel replicas schedules its own: 64 sequences are 8 on each, whose budget leaves 8,185
        // tokens for an 8,150-token prompt (8,129 had all 64 been counted against it: 2 chunks)
        Workers eightRanks = new Workers(new Parallelism(8, 1, 8, 8), 1, 1, Integer.MAX_VALUE,
                Workers.DEFAULT_STEP_TOKENS, Batching.CHUNKED, false);
        assertThat(ServingModel.predict(MOE, Mode.AGG, eightRanks, eightRanks, new Request(64, 8150, 50), 2, COSTS)
                .promptChunks()).isEqualTo(1);
    }

    @Test
    void schedulingAheadShouldAddOneDecodeStepWhereOthersRunAndNothingElsewhere() {
        Workers prefillFirst = new Workers(new Parallelism(1, 1, 1, 1), 1, 1, 4, Workers.DEFAULT_STEP_TOKENS,
                Batching.PREFILL_FIRST, true);
        Workers ahead = new Workers(new Parallelism(1, 1, 1, 1), 1, 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS,
                Batching.MIXED, true);
        Workers twoAhead = new Workers(new Parallelism(1, 1, 1, 1), 2, 1, Integer.MAX_VALUE,
                Workers.DEFAULT_STEP_TOKENS, Batching.MIXED, true);

        ServingModel.Estimate waiting = ServingModel.predict(MODEL, Mode.AGG, prefillFirst, prefillFirst,
                new Request(12, 100, 50), 2, COSTS);
        ServingModel.Estimate alone = ServingModel.predict(MODEL, Mode.AGG, ahead, ahead, new Request(1, 100, 50), 2,
                COSTS);
        ServingModel.Estimate disagg = ServingModel.predict(MODEL, Mode.DISAGG, twoAhead, ahead,
                new Request(8, 100, 50), 2, COSTS);

        // a prompt in a step of its own, behind the step it arrives in and the one already set
        assertThat(waiting.arrivalUs()).isCloseTo(1.5 * waiting.decode().stepUs(), within(1e-9));
        // alone, the worker is idle when it arrives; in disagg the first token waits for the KV transfer only
        assertThat(alone.arrivalUs()).isZero();
        assertThat(disagg.arrivalUs()).isEqualTo(disagg.kvTransferUs());
    }

    @Test
    void theStepBudgetShouldBoundThePromptsPrefilledTogether() {
        Workers twoPrompts = mixed(new Parallelism(1, 1, 1, 1), 1, Integer.MAX_VALUE, 250);

        ServingModel.Estimate e = ServingModel.predict(MODEL, Mode.AGG, twoPrompts, twoPrompts,
                new Request(8, 100, 50), 2, COSTS);

        // 250 / 100 = 2 prompts a step: T_p is a step of 2, and the 7 others' prefills stall 50 steps 2 at a time
        assertThat(e.prefillBatch()).isEqualTo(2);
        assertThat(e.tpotMs() * 1e3).isCloseTo(e.decode().stepUs() + 7.0 / (50 * 2) * e.prefill().stepUs(),
                within(1e-9));
    }

    @Test
    void aStepShouldBeCountedByThePromptsItHoldsNotByItsReplicasRoom() {
        Workers twoReplicas = mixed(new Parallelism(2, 1, 1, 2), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);

        ServingModel.Estimate e = ServingModel.predict(MODEL, Mode.AGG, twoReplicas, twoReplicas,
                new Request(3, 100, 50), 2, COSTS);

        // 2 replicas with room for 2 prompts each (at most ceil(3 / 2) a replica), but the worker has 3 requests: a
        // step holds s = 3, 2 on the busiest replica, and the 2 others' prefills stall 50 steps 3 at a time, not 4
        assertThat(e.promptsPerStep()).isEqualTo(3);
        assertThat(e.prefillBatch()).isEqualTo(2);
        assertThat(e.tpotMs() * 1e3).isCloseTo(e.decode().stepUs() + 2.0 / (50 * 3) * e.prefill().stepUs(),
                within(1e-9));
    }

    @Test
    void requestsBeyondWhatAWorkerHoldsShouldWaitToBeAdmitted() {
        Workers roomForFour = mixed(new Parallelism(1, 1, 1, 1), 1, 4, Workers.DEFAULT_STEP_TOKENS);

        ServingModel.Estimate held = ServingModel.predict(MODEL, Mode.AGG, roomForFour, roomForFour,
                new Request(4, 100, 50), 2, COSTS);
        ServingModel.Estimate waiting = ServingModel.predict(MODEL, Mode.AGG, roomForFour, roomForFour,
                new Request(12, 100, 50), 2, COSTS);

        // 4 run either way, so the steps are the same; 12 clients through 4 places take 3 cycles per request
        assertThat(waiting.running()).isEqualTo(4);
        assertThat(waiting.tpotMs()).isEqualTo(held.tpotMs());
        double cycle = held.ttftMs() + 49 * held.tpotMs();
        assertThat(waiting.ttftMs()).isCloseTo(3 * cycle - 49 * held.tpotMs(), within(1e-9));
        assertThat(waiting.tokensPerSecPerGpu()).isCloseTo(held.tokensPerSecPerGpu(), within(1e-6));
    }

    @Test
    void disaggregatedServingShouldDecodeUndisturbedAndAddTheKvTransfer() {
        Workers prefill = mixed(new Parallelism(1, 1, 1, 1), 2, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);
        Workers decode = mixed(new Parallelism(2, 1, 1, 1), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);

        ServingModel.Estimate e = ServingModel.predict(MODEL, Mode.DISAGG, prefill, decode, new Request(8, 100, 50), 2,
                COSTS);

        // 100 tokens × 4 layers × 2 × 2 KV heads × 128 × 2 B over NVLink's send/recv tier: the 4 GPUs share a node
        double kvBytes = 100.0 * 4 * 2 * 2 * 128 * 2;
        assertThat(COSTS.network().gpusPerNode()).isEqualTo(8);
        assertThat(e.kvTransferUs()).isEqualTo(
                COSTS.network().intraNode().timeUs(Collective.SEND_RECV, kvBytes, 2));
        assertThat(e.tpotMs() * 1e3).isCloseTo(e.decode().stepUs(), within(1e-9));
        double tp = e.prefill().stepUs();
        double ttft = e.ttftMs() * 1e3;
        double rho = 8 / (ttft + 49 * e.tpotMs() * 1e3) * tp / 2; // two prefill workers
        assertThat(ttft).isCloseTo(tp + e.kvTransferUs() + rho * tp / (2 * (1 - rho)), within(1e-6));
        assertThat(e.gpus()).isEqualTo(4);

        // with a decode worker of 8 GPUs the 10 do not fit a node: the inter-node tier, as prefill and decode nodes
        Workers wide = mixed(new Parallelism(8, 1, 1, 1), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);
        ServingModel.Estimate apart = ServingModel.predict(MODEL, Mode.DISAGG, prefill, wide, new Request(8, 100, 50),
                2, COSTS);
        assertThat(apart.kvTransferUs()).isEqualTo(
                COSTS.network().interNode().timeUs(Collective.SEND_RECV, kvBytes, 2));
        assertThat(apart.kvTransferUs()).isGreaterThan(e.kvTransferUs());
        assertThat(e.kvLink()).isEqualTo(COSTS.network().intraNode().name());
        assertThat(apart.kvLink()).isEqualTo(COSTS.network().interNode().name());
    }

    @Test
    void aWindowedLayerShouldSendItsWindowUnlessTheEngineKeepsWholeCachesInDisagg() {
        // layers 0 and 2 of 4 slide a window of 30 tokens: a 100-token prompt sends 30 + 100 + 30 + 100 tokens' KV
        Architecture windowed = MODEL.withSlidingWindow(new SlidingWindow(30, Set.of(0, 2)));
        Workers prefill = mixed(new Parallelism(1, 1, 1, 1), 2, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);
        Workers decode = mixed(new Parallelism(2, 1, 1, 1), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);
        Request request = new Request(8, 100, 50);
        double perToken = 2 * 2 * 128 * 2;

        ServingModel.Estimate e = ServingModel.predict(Engine.TRTLLM.windowCaches(windowed, Mode.DISAGG), Mode.DISAGG,
                prefill, decode, request, 2, COSTS);
        assertThat(e.kvTransferUs()).isEqualTo(
                COSTS.network().intraNode().timeUs(Collective.SEND_RECV, (30 + 100 + 30 + 100) * perToken, 2));
        // vLLM's KV connector turns its hybrid KV-cache manager off: every layer holds and sends the whole prompt
        ServingModel.Estimate vllm = ServingModel.predict(Engine.VLLM.windowCaches(windowed, Mode.DISAGG),
                Mode.DISAGG, prefill, decode, request, 2, COSTS);
        assertThat(vllm.kvTransferUs()).isEqualTo(
                COSTS.network().intraNode().timeUs(Collective.SEND_RECV, 4 * 100 * perToken, 2));
        assertThat(Engine.VLLM.windowCaches(windowed, Mode.AGG)).isEqualTo(windowed);
        assertThat(Engine.SGLANG.windowCaches(windowed, Mode.DISAGG)).isEqualTo(windowed);
        // what the layers attend to does not change: the decode step is the same
        assertThat(vllm.decode().stepUs()).isEqualTo(e.decode().stepUs());
    }

    @Test
    void theKvCachesShouldCrossNvlinkOnlyWhereTheWholeDeploymentSharesANodeAndTheEngineSendsOverIt() {
        Workers decode = mixed(new Parallelism(4, 1, 1, 1), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);
        Request request = new Request(8, 100, 50);
        String nvlink = COSTS.network().intraNode().name();
        String network = COSTS.network().interNode().name();

        // 4 + 4 GPUs fill a node of 8; 5 + 4 do not
        Workers four = mixed(new Parallelism(1, 1, 1, 1), 4, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);
        Workers five = mixed(new Parallelism(1, 1, 1, 1), 5, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);
        assertThat(ServingModel.predict(MODEL, Mode.DISAGG, four, decode, request, 2, COSTS).kvLink()).isEqualTo(nvlink);
        assertThat(ServingModel.predict(MODEL, Mode.DISAGG, five, decode, request, 2, COSTS).kvLink())
                .isEqualTo(network);
        // SGLang's Mooncake sends through the network cards even within the node; agg sends nothing
        Workers sglang = Engine.SGLANG.workers(new Parallelism(1, 1, 1, 1), 4, 1, Integer.MAX_VALUE,
                Workers.DEFAULT_STEP_TOKENS, Optional.empty(), Optional.empty());
        assertThat(sglang.kvOverNvlink()).isFalse();
        assertThat(Engine.TRTLLM.kvOverNvlink()).isTrue();
        assertThat(Engine.VLLM.kvOverNvlink()).isTrue();
        assertThat(ServingModel.predict(MODEL, Mode.DISAGG, sglang, decode, request, 2, COSTS).kvLink())
                .isEqualTo(network);
        assertThat(ServingModel.predict(MODEL, Mode.AGG, decode, decode, request, 2, COSTS).kvLink()).isEmpty();
    }

    /** TPOT carries the prefill's labels only where prefills stall its decode steps: in agg with others running. */
    @Test
    void tpotShouldCarryThePrefillsLabelsOnlyWhereItHoldsPrefillTime() {
        CostModel costs = TestCosts.teraFlopGigaByte(100); // decode GEMMs (m <= 8) measured, prefills' extrapolated
        Workers two = mixed(new Parallelism(2, 1, 1, 1), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);
        Set<Label> decodeOnly = EnumSet.of(Label.MEASURED, Label.MODELED);
        Set<Label> both = EnumSet.of(Label.MEASURED, Label.EXTRAPOLATED, Label.MODELED);

        ServingModel.Estimate alone = ServingModel.predict(MODEL, Mode.AGG, ONE_GPU, ONE_GPU, new Request(1, 100, 50),
                2, costs);
        ServingModel.Estimate others = ServingModel.predict(MODEL, Mode.AGG, ONE_GPU, ONE_GPU, new Request(8, 100, 50),
                2, costs);
        ServingModel.Estimate disagg = ServingModel.predict(MODEL, Mode.DISAGG, ONE_GPU, two, new Request(8, 100, 50),
                2, costs);

        assertThat(alone.tpotLabels()).isEqualTo(decodeOnly);
        assertThat(others.tpotLabels()).isEqualTo(both);
        assertThat(disagg.tpotLabels()).isEqualTo(decodeOnly);
        assertThat(List.of(alone.labels(), others.labels(), disagg.labels())).allMatch(both::equals);
        // waves: a request waits for its wave's later prefill steps before decoding, none where the wave is one step
        Workers twoPrompts = new Workers(new Parallelism(1, 1, 1, 1), 1, 1, Integer.MAX_VALUE, 250,
                Batching.PREFILL_FIRST, false);
        assertThat(ServingModel.predict(MODEL, Mode.AGG, twoPrompts, twoPrompts, new Request(7, 100, 50, 20), 2,
                costs).tpotLabels()).isEqualTo(both);
        assertThat(ServingModel.predict(MODEL, Mode.AGG, twoPrompts, twoPrompts, new Request(2, 100, 50, 20), 2,
                costs).tpotLabels()).isEqualTo(decodeOnly);
    }

    /**
     * Through two stages one prompt's step splits it into micro-batches of 50 tokens (measured below m = 100), but its
     * first token comes from the step of a whole prompt per micro-batch (m = 100, extrapolated): TTFT carries that.
     */
    @Test
    void ttftShouldCarryTheLabelsOfTheWholePromptStepItIsTimedBy() {
        Workers twoStages = mixed(new Parallelism(1, 2, 1, 1), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);

        ServingModel.Estimate alone = ServingModel.predict(MODEL, Mode.AGG, twoStages, twoStages,
                new Request(1, 100, 50), 2, TestCosts.teraFlopGigaByte(100));

        assertThat(alone.prefill().labels()).doesNotContain(Label.EXTRAPOLATED);
        assertThat(alone.prefillLatencyUs()).isNotEqualTo(alone.prefill().criticalPathUs());
        assertThat(alone.labels()).containsExactlyInAnyOrder(Label.MEASURED, Label.EXTRAPOLATED, Label.MODELED);
        assertThat(alone.tpotLabels()).containsExactlyInAnyOrder(Label.MEASURED, Label.MODELED);
    }

    /** TensorRT-LLM's budget is each pipeline stage's batch's: two stages' step holds 2 x 2 prompts of 100 tokens. */
    @Test
    void aStepOfSeveralBudgetsShouldHoldThePromptsOfEach() {
        Parallelism twoStages = new Parallelism(1, 2, 1, 1);
        Workers one = mixed(twoStages, 1, Integer.MAX_VALUE, 250);
        Workers two = new Workers(twoStages, 1, 1, Integer.MAX_VALUE, 250, Batching.MIXED, false, 2, true);
        Request request = new Request(16, 100, 50);

        assertThat(ServingModel.predict(MODEL, Mode.AGG, one, one, request, 2, TestCosts.teraFlopGigaByte(100))
                .prefillBatch()).isEqualTo(2);
        assertThat(ServingModel.predict(MODEL, Mode.AGG, two, two, request, 2, TestCosts.teraFlopGigaByte(100))
                .prefillBatch()).isEqualTo(4);
        assertThat(Engine.TRTLLM.workers(twoStages, 1, 1, 8, 8192, Optional.empty(), Optional.empty()).stepBudgets())
                .isEqualTo(2);
        assertThat(Engine.VLLM.workers(twoStages, 1, 1, 8, 8192, Optional.empty(), Optional.empty()).stepBudgets())
                .isEqualTo(1);
    }

    @Test
    void theBurstsMeanStepShouldCountFullStepsAndTheLastOne() {
        // 10 requests, 4 a step: 4 finish in step 1, 4 in step 2, 2 in step 3: (4 + 8 + 6) / 10
        assertThat(ServingModel.meanBurstStep(10, 4)).isEqualTo(1.8);
        assertThat(ServingModel.meanBurstStep(8, 8)).isEqualTo(1.0);
        assertThat(ServingModel.meanBurstStep(1, 3)).isEqualTo(1.0);
    }

    @Test
    void theFirstRoundShouldArriveTogetherAndWeighOneRoundInTheTtft() {
        Workers twoPrompts = mixed(new Parallelism(1, 1, 1, 1), 1, Integer.MAX_VALUE, 250);

        ServingModel.Estimate steady = ServingModel.predict(MODEL, Mode.AGG, twoPrompts, twoPrompts,
                new Request(8, 100, 50), 2, COSTS);
        ServingModel.Estimate measured = ServingModel.predict(MODEL, Mode.AGG, twoPrompts, twoPrompts,
                new Request(8, 100, 50, 20), 2, COSTS);
        ServingModel.Estimate oneRound = ServingModel.predict(MODEL, Mode.AGG, twoPrompts, twoPrompts,
                new Request(8, 100, 50, 1), 2, COSTS);

        // 8 requests at once, 2 a step: steps 1 to 4, a mean of 2.5 prefill steps; 1 round in 20 is that burst
        double tp = steady.prefill().stepUs();
        double steadyUs = steady.start().steadyTtftUs();
        assertThat(measured.start().burstTtftUs()).isCloseTo(2.5 * tp, within(1e-9));
        assertThat(measured.start().burstSteps()).isEqualTo(4);
        assertThat(steady.start().weighs()).isEqualTo(ServingModel.Weighs.NONE);
        assertThat(steady.ttftMs()).isCloseTo(steadyUs / 1e3, within(1e-12));
        assertThat(measured.ttftMs() * 1e3).isCloseTo(steadyUs + (2.5 * tp - steadyUs) / 20, within(1e-6));
        assertThat(oneRound.ttftMs() * 1e3).isCloseTo(2.5 * tp, within(1e-6));
        // the queue is the steady state's, the TPOT and the steps unchanged
        assertThat(measured.queueWaitUs()).isCloseTo(steady.queueWaitUs(), within(1e-9));
        assertThat(measured.tpotMs()).isEqualTo(steady.tpotMs());
        assertThat(measured.start().weighs()).isEqualTo(ServingModel.Weighs.FIRST_ROUND);
    }

    @Test
    void oneRequestShouldArriveToTheSameStepAtTheStartAsLater() {
        ServingModel.Estimate e = ServingModel.predict(MODEL, Mode.AGG, ONE_GPU, ONE_GPU, new Request(1, 100, 50, 20),
                2, COSTS);

        // alone, it finds the worker idle either way: no decode step to wait for, no queue
        assertThat(e.start().burstTtftUs()).isCloseTo(e.prefill().stepUs(), within(1e-9));
        assertThat(e.ttftMs() * 1e3).isCloseTo(e.prefill().stepUs(), within(1e-6));
    }

    @Test
    void prefillFirstEnginesShouldServeEveryRoundAsAWave() {
        Workers twoPrompts = new Workers(new Parallelism(1, 1, 1, 1), 1, 1, Integer.MAX_VALUE, 250,
                Batching.PREFILL_FIRST, false);

        ServingModel.Estimate e = ServingModel.predict(MODEL, Mode.AGG, twoPrompts, twoPrompts,
                new Request(7, 100, 50, 20), 2, COSTS);

        // 7 requests, 2 a step: steps 1, 1, 2, 2, 3, 3, 4, a mean of 16/7; then all 7 decode together, so a request of
        // step g waits 4 - g steps more, a mean of 4 - 16/7, spread over its 49 decode steps
        double tp = e.prefill().stepUs();
        double td = e.decode().stepUs();
        assertThat(e.start().weighs()).isEqualTo(ServingModel.Weighs.EVERY_ROUND);
        assertThat(e.start().burstSteps()).isEqualTo(4);
        assertThat(e.ttftMs() * 1e3).isCloseTo(16.0 / 7 * tp, within(1e-9));
        assertThat(e.tpotMs() * 1e3).isCloseTo(td + (4 - 16.0 / 7) * tp / 49, within(1e-9));
        assertThat(e.queueWaitUs()).isCloseTo((16.0 / 7 - 1) * tp, within(1e-9));
        assertThat(e.tokensPerSecPerGpu()).isCloseTo(7 / (4 * tp + 49 * td) * 1e6 * 50, within(1e-6));
    }

    @Test
    void wavesShouldNeedEveryRequestRunningAndAggregatedServing() {
        Workers roomForFour = new Workers(new Parallelism(1, 1, 1, 1), 1, 1, 4, Workers.DEFAULT_STEP_TOKENS,
                Batching.PREFILL_FIRST, false);
        Workers prefill = new Workers(new Parallelism(1, 1, 1, 1), 2, 1, Integer.MAX_VALUE, 8192,
                Batching.PREFILL_FIRST, false);

        ServingModel.Estimate waiting = ServingModel.predict(MODEL, Mode.AGG, roomForFour, roomForFour,
                new Request(12, 100, 50, 20), 2, COSTS);
        ServingModel.Estimate disagg = ServingModel.predict(MODEL, Mode.DISAGG, prefill, prefill,
                new Request(8, 100, 50, 20), 2, COSTS);

        // 12 clients through 4 places arrive as places free: the steady state, with no burst (not every one runs)
        assertThat(waiting.start().weighs()).isEqualTo(ServingModel.Weighs.NONE);
        assertThat(waiting.ttftMs()).isCloseTo(waiting.start().steadyTtftUs() / 1e3, within(1e-12));
        // a prompt prefilled in a step of its own waits only for the decode step it arrives in
        assertThat(waiting.arrivalUs()).isCloseTo(waiting.decode().stepUs() / 2, within(1e-9));
        // separate prefill workers hand requests to decode as their prefills end: 8 on 2 slots, steps 1 to 4, then
        // the KV transfer; one round in 20
        ServingModel.Start start = disagg.start();
        double burst = 2.5 * disagg.prefill().stepUs() + disagg.kvTransferUs();
        assertThat(start.weighs()).isEqualTo(ServingModel.Weighs.FIRST_ROUND);
        assertThat(start.burstTtftUs()).isCloseTo(burst, within(1e-9));
        assertThat(disagg.ttftMs() * 1e3).isCloseTo(start.steadyTtftUs() + (burst - start.steadyTtftUs()) / 20,
                within(1e-6));
    }

    @Test
    void aPromptShouldCrossEveryPipelineStageBeforeItsFirstToken() {
        Workers twoStages = mixed(new Parallelism(1, 2, 1, 1), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);

        ServingModel.Estimate alone = ServingModel.predict(MODEL, Mode.AGG, twoStages, twoStages,
                new Request(1, 100, 50), 2, COSTS);
        ServingModel.Estimate eight = ServingModel.predict(MODEL, Mode.AGG, twoStages, twoStages,
                new Request(8, 100, 50), 2, COSTS);

        // one prompt is not split over the two micro-batches: all of its ops on one GPU's worth of time, and the
        // residual stream (normed input and residual, 100 tokens x 1024 x 2 B each) sent from stage 0 to stage 1
        double oneGpu = ServingModel.predict(MODEL, Mode.AGG, ONE_GPU, ONE_GPU, new Request(1, 100, 50), 2, COSTS)
                .prefill().stepUs();
        double send = COSTS.network().timeUs(Collective.SEND_RECV, 2 * 100 * 1024 * 2, new int[] {0, 1});
        assertThat(alone.prefillLatencyUs()).isCloseTo(oneGpu + send, within(1e-6));
        assertThat(alone.ttftMs() * 1e3).isCloseTo(oneGpu + send, within(1e-6));
        // the step, the pipeline's throughput, is half a prompt on each stage at a time
        assertThat(alone.prefill().stepUs()).isLessThan(0.6 * oneGpu);
        // 8 prompts, 4 a micro-batch: the first leaves after its path, the second one stage later (step / 2)
        StepCost step = eight.prefill();
        assertThat(eight.prefillLatencyUs()).isCloseTo(step.criticalPathUs() + 0.5 * step.stepUs() / 2,
                within(1e-6));
        assertThat(eight.start().burstTtftUs()).isCloseTo(eight.prefillLatencyUs(), within(1e-9));
    }

    @Test
    void aPrefillStepShouldHoldNoMorePromptsThanThereAreRequests() {
        // 4 attention replicas, the experts tensor-parallel over their 4 GPUs
        Workers fourReplicas = mixed(new Parallelism(4, 1, 1, 4), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);

        ServingModel.Estimate two = ServingModel.predict(MOE, Mode.AGG, fourReplicas, fourReplicas,
                new Request(2, 100, 50), 2, COSTS);

        // 4 replicas could prefill a prompt each, but 2 requests are all there are: the experts gather 2 prompts'
        // 100 tokens (× 1024 × 2 B), and the busiest replica prefills one
        Dag dag = two.prefill().dag();
        Map<String, Work> work = IntStream.range(0, dag.size()).boxed().collect(Collectors.toMap(dag::id, dag::work));
        assertThat(work.get("mb0.L1.moe_gather")).isEqualTo(new Work.Comm(Collective.ALL_GATHER, 2 * 100 * 1024 * 2));
        assertThat(work.get("mb0.L1.qkv")).isEqualTo(new Work.Gemm(100, 1024, (8 + 2 * 2) * 128));
    }

    @Test
    void theFirstTokenStepThroughStagesShouldHoldOnlyThePromptsThereAre() {
        Parallelism layout = new Parallelism(4, 2, 1, 4); // 2 stages of 4 attention replicas, 2 micro-batches
        StepCost step = StepCost.of("prefill", MOE, layout,
                new Step(Phase.PREFILL, 1, 100, 2), COSTS);

        StepCost first = ServingModel.firstTokenStep(new StepCosts(MOE, COSTS), layout, step, 1, 100, 2);

        // one request: its whole prompt in a micro-batch on one replica, and the experts (layer 1, on stage 1) gather
        // its 100 tokens (× 1024 × 2 B), not a prompt for each of the 4 replicas
        Dag dag = first.dag();
        Map<String, Work> work = IntStream.range(0, dag.size()).boxed().collect(Collectors.toMap(dag::id, dag::work));
        assertThat(work.get("mb0.L1.moe_gather")).isEqualTo(new Work.Comm(Collective.ALL_GATHER, 100 * 1024 * 2));
        assertThat(work.get("mb0.L1.qkv")).isEqualTo(new Work.Gemm(100, 1024, (8 + 2 * 2) * 128));
    }

    @Test
    void theKvCachesOfAPrefillStepShouldLeaveTogether() {
        Workers threePrompts = new Workers(new Parallelism(1, 1, 1, 1), 2, 3, Integer.MAX_VALUE,
                Workers.DEFAULT_STEP_TOKENS, Batching.MIXED, false);
        Workers decode = mixed(new Parallelism(2, 1, 1, 1), 1, Integer.MAX_VALUE, Workers.DEFAULT_STEP_TOKENS);

        ServingModel.Estimate e = ServingModel.predict(MODEL, Mode.DISAGG, threePrompts, decode,
                new Request(8, 100, 50), 2, COSTS);

        // three requests' KV caches (as in the test above, one each) over the same links
        double kvBytes = 100.0 * 4 * 2 * 2 * 128 * 2;
        assertThat(e.kvTransferUs()).isEqualTo(
                COSTS.network().intraNode().timeUs(Collective.SEND_RECV, 3 * kvBytes, 2));
    }

    /**
     * Workers prefilling one request per replica and step, mixing prefill chunks into decode steps, each step
     * scheduled once the one before it has ended.
     */
    private static Workers mixed(Parallelism layout, int count, int maxRunning, int stepTokens) {
        return new Workers(layout, count, 1, maxRunning, stepTokens, Batching.MIXED, false);
    }
}
