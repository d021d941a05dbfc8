#!/usr/bin/env bash
# The first run on a GPU node, as one time-boxed script (the GPU machine has no Java and no network): probe; the fp64
# correctness check of bf16, fp16, tf32 and fp32; the bf16 sweep of the seed shapes and the grid; PyTorch on the same
# shapes with the same method; 200 shapes off the grid and `validate` of the new table against them; `check-claim` on
# it; one MoE layer's prefill GEMMs three ways (scripts/moe_prefill.py). Each stage has its own time box and writes as
# it goes, so a failing or slow stage loses nothing of the others; the stages come in order of need (the held-out
# shapes, then `validate` and `check-claim`, which take seconds of CPU, and the MoE GEMMs, before PyTorch, which gets
# what the budget leaves). No stage runs past the budget.
# Everything lands under $OUT (default ./first-contact); $OUT/summary holds the table printed last.
#
# Usage: scripts/gpu/first-contact.sh [--budget-s N]      (default 540 s: 9 minutes)
# On an H200 the whole needs about 12 minutes (sweep 430 s, held-out shapes 70 s, MoE about 60 s, PyTorch the rest):
# a second call with the same $OUT resumes the sweep and the held-out shapes from their journals, keeps the MoE
# stage's moe.csv where every case ran (or the context was lost in one), and resumes PyTorch from its torch.csv.
# Environment: GEMMCOST_CUDA_LIB_DIR  look there first for the CUDA libraries (the CUDA stand-in for a dry run)
#              GEMMCOST               the gemmcost command (default: the bundle in dist/, unpacked; else
#                                     scripts/gemmcost)
#              GEMMCOST_FIRST_CONTACT_SHAPES   the sweep's shape set (default all = seed + grid)
#              GEMMCOST_PROFILE_OPTS  warm-up and sampling options for every profile stage, instead of each stage's
#                                     own (a dry run shrinks the sampling)
set -uo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
budget=540
while (( $# > 0 )); do
    case $1 in
        --budget-s)
            if (( $# < 2 )); then
                echo "first-contact: --budget-s needs a number of seconds" >&2
                exit 2
            fi
            budget=$2; shift 2 ;;
        *) echo "first-contact: unknown argument '$1' (usage: first-contact.sh [--budget-s N])" >&2; exit 2 ;;
    esac
done
# every stage's time box is integer arithmetic: a budget such as 1e3 or 540.0 would run no stage and exit 0
if [[ ! $budget =~ ^[0-9]+$ ]] || (( 10#$budget < 1 )); then
    echo "first-contact: --budget-s $budget: must be a whole number of seconds >= 1" >&2
    exit 2
fi
budget=$((10#$budget))
out=${OUT:-$PWD/first-contact}
mkdir -p "$out"
summary="$out/summary"
printf '%-10s %-8s %8s %10s  %s\n' stage status wall_s estimate_s "what (H100/H200 estimate)" >"$summary"
start=$(date +%s)

gemmcost=()
if [[ -n "${GEMMCOST:-}" ]]; then
    read -r -a gemmcost <<<"$GEMMCOST"
elif bundle=$(ls "$root"/dist/gemmcost-bundle-linux-"$(uname -m)".tar.gz 2>/dev/null); then
    # unpacked beside the results, not among them: $OUT is what comes back from the node
    unpacked=$(mktemp -d)
    trap 'rm -rf "$unpacked"' EXIT
    timeout 60 tar -xzf "$bundle" -C "$unpacked" && gemmcost=("$unpacked/gemmcost/bin/gemmcost")
else
    gemmcost=("$root/scripts/gemmcost")
fi
lib_args=()
[[ -n "${GEMMCOST_CUDA_LIB_DIR:-}" ]] && lib_args=(--cuda-lib-dir "$GEMMCOST_CUDA_LIB_DIR")
# tuning STAGE_DEFAULTS...: the stage's warm-up/sampling options, or GEMMCOST_PROFILE_OPTS instead of them
tuning() {
    if [[ -n "${GEMMCOST_PROFILE_OPTS:-}" ]]; then
        read -r -a tuned <<<"$GEMMCOST_PROFILE_OPTS"
    else
        tuned=("$@")
    fi
}
shapes=${GEMMCOST_FIRST_CONTACT_SHAPES:-all}

# stage NAME ESTIMATE_S CAP_S DESCRIPTION -- COMMAND...: runs COMMAND in at most min(CAP_S, what is left of the
# budget), killed by then (a TERM KILL_GRACE_S before it), output to $out/NAME.log, one summary row
kill_grace_s=5
stage() {
    local name=$1 estimate=$2 cap=$3 what=$4; shift 5
    local left=$(( budget - ($(date +%s) - start) )) status t0 t1 rc
    (( cap > left )) && cap=$left
    if (( cap <= kill_grace_s )); then
        printf '%-10s %-8s %8s %10s  %s\n' "$name" no-time 0 "$estimate" "$what" >>"$summary"
        return
    fi
    t0=$(date +%s)
    timeout --kill-after="$kill_grace_s" "$(( cap - kill_grace_s ))" "$@" >"$out/$name.log" 2>&1
    rc=$?
    case $rc in
        0) status=ok ;;
        124|137) status=timeout ;;
        *) status="exit-$rc" ;;
    esac
    t1=$(date +%s)
    printf '%-10s %-8s %8s %10s  %s\n' "$name" "$status" $(( t1 - t0 )) "$estimate" "$what" >>"$summary"
    echo "first-contact: $name: $status in $(( t1 - t0 )) s (log: $out/$name.log)" >&2
}

# left_s CAP_S: the seconds left of the budget, at most CAP_S
left_s() {
    local left=$(( budget - ($(date +%s) - start) ))
    echo $(( left < $1 ? left : $1 ))
}

printf 'm,k,n\n4096,4096,4096\n' >"$out/one-shape.csv"
stage probe 5 60 "libraries, driver, devices, simulated or not" -- "${gemmcost[@]}" probe "${lib_args[@]}"
tuning --device-warmup-s 2
stage check 10 120 "fp64 check of bf16, fp16, tf32, fp32 (+ 4096^3 each)" -- "${gemmcost[@]}" profile "${lib_args[@]}" \
    --dtype bf16,fp16,tf32,fp32 --shapes "$out/one-shape.csv" --out "$out/check" "${tuned[@]}"
# the device stays busy from shape to shape (operands come from on-device pools), so 50 ms of warm-up per shape.
# The sweep took 430 s on an H200 (2026-11-30); it starts no shape 45 s before its cap (the seed's largest takes
# about 20 s with its warm-up), so a table is always written (partial if cut; the journal resumes it next run).
tuning --warmup-ms 50 --device-warmup-s 10
sweep_cap_s=$(left_s 480)
stage sweep 430 480 "bf16 $shapes: ~1,055 shapes, seed ones m-chunked" -- "${gemmcost[@]}" profile "${lib_args[@]}" \
    --dtype bf16 --shapes "$shapes" --out "$out/profiles" \
    --time-limit-s "$(( sweep_cap_s > 46 ? sweep_cap_s - 45 : 1 ))" "${tuned[@]}"
# the newest table, should $OUT hold an older one (a stand-in dry run's, say)
table=$(ls -t "$out"/profiles/*/bf16.json 2>/dev/null | head -1)
timeout 30 "${gemmcost[@]}" shapes --set "$shapes" >"$out/sweep-shapes.csv" 2>/dev/null
tuning --warmup-ms 50 --device-warmup-s 1
offgrid_cap_s=$(left_s 90)
stage offgrid 70 90 "200 held-out shapes off the grid" -- "${gemmcost[@]}" profile "${lib_args[@]}" --dtype bf16 \
    --shapes offgrid --out "$out/offgrid" --time-limit-s "$(( offgrid_cap_s > 16 ? offgrid_cap_s - 15 : 1 ))" \
    "${tuned[@]}"
heldout=$(ls -t "$out"/offgrid/*/bf16.json 2>/dev/null | head -1)
stage validate 5 60 "Get_Time of the new table vs the held-out shapes" -- "${gemmcost[@]}" validate \
    --profile "${table:-missing-table}" --against "${heldout:-missing-held-out-table}" \
    --report "$out/validate-rows.csv"
stage claim 5 60 "check-claim on the new table" -- "${gemmcost[@]}" check-claim --profile "${table:-missing-table}"
# the MoE prefill's expert GEMMs as gemmcost costs them (one wide GEMM) against a grouped kernel and a loop
# (DeepSeek-R1's shape, 8-way expert parallel): what issue 18's TTFT of MoE models waits on. Kept where an earlier
# call ran every case, or lost the CUDA context in one (its moe-meta.json says so; it would most likely lose it again).
if grep -q -e '"complete": true' -e '"lost_context"' "$out/moe/moe-meta.json" 2>/dev/null; then
    printf '%-10s %-8s %8s %10s  %s\n' moe kept 0 60 "MoE prefill GEMMs (moe.csv of an earlier call)" \
        >>"$summary"
else
    moe_budget_s=$(( $(left_s 120) - 20 - kill_grace_s ))
    stage moe 60 120 "MoE prefill GEMMs: wide vs grouped vs per expert" -- python3 "$root/scripts/moe_prefill.py" \
        --shape 7168:2048:256:8 --ep 8 --out "$out/moe" --budget-s "$(( moe_budget_s > 1 ? moe_budget_s : 1 ))"
fi
# PyTorch gets what the budget leaves, so its shapes come in order of need: 8192^3 first, then the shapes the new
# table times at >= 50 us (the 2 % target) from the shortest up, then the rest. It stops starting shapes at its own
# budget and then writes its comparison: 15 s before the stage's cap. Same warm-up as the sweep's; a second call
# keeps the shapes the first one measured.
if [[ -n "$table" ]]; then
    timeout 30 python3 - "$table" >"$out/torch-shapes.csv" <<'PY'
import json, sys
entries = json.load(open(sys.argv[1]))["entries"]
key = lambda e: (0 if (e["m"], e["k"], e["n"]) == (8192, 8192, 8192) else 1 if e["time_us"] >= 50 else 2, e["time_us"])
print("m,k,n")
for e in sorted(entries, key=key):
    print(f"{e['m']},{e['k']},{e['n']}")
PY
else
    cp "$out/sweep-shapes.csv" "$out/torch-shapes.csv"
fi
torch_budget_s=$(( $(left_s 180) - 15 - kill_grace_s ))
stage torch 150 180 "torch.matmul, same shapes and method" -- python3 "$root/scripts/torch_compare.py" \
    --shapes "$out/torch-shapes.csv" --dtype bf16 ${table:+--ours "$table"} --out "$out/torch" \
    --warmup-ms 50 --device-warmup-s 10 --resume --budget-s "$(( torch_budget_s > 1 ? torch_budget_s : 1 ))"

printf '\ntotal wall: %s s of a %s s budget; table: %s\n' $(( $(date +%s) - start )) "$budget" "${table:-none}" \
    >>"$summary"
# the lines of each log that carry its result, so the summary alone says what the GPU did
printf '\nresults:\n' >>"$summary"
{
    grep -h "relative Frobenius error" "$out/check.log" 2>/dev/null
    grep -h -e "^memory bandwidth:" -e "^device warm-up:" -e "^wrote " "$out/sweep.log" 2>/dev/null
    grep -h -e "^summary:" -e "^torch_compare: skipped" -e "context is lost" "$out/torch.log" 2>/dev/null
    grep -h -e "^moe_prefill summary:" -e "^moe_prefill: skipped" -e "context is lost" "$out/moe.log" 2>/dev/null
    grep -h -e "^absolute error:" -e "^predictions:" "$out/validate.log" 2>/dev/null
    grep -h -e "DAG decode TPOT" -e "claimed by the seed report" "$out/claim.log" 2>/dev/null
} | sed 's/^/  /' >>"$summary"
cat "$summary"
