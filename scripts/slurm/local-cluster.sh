#!/usr/bin/env bash
# A one-machine Slurm cluster for trying scripts/slurm/profile.sbatch and for the tests: munged, slurmctld and slurmd
# on this host, every file they use (key, slurm.conf, gres.conf, state, spool, logs, pid files, socket) under DIR,
# nothing outside it changed.
#
#   scripts/slurm/local-cluster.sh start DIR [GPUS]   # GPUS: the node's `gpu` GRES count (default 2)
#   scripts/slurm/local-cluster.sh status DIR
#   scripts/slurm/local-cluster.sh stop DIR
#
# `start` prints the line to source (`export SLURM_CONF=DIR/etc/slurm.conf`) for sbatch, squeue and sinfo, and returns
# once the node is idle, or fails in one line naming the log to read. `stop` ends exactly the daemons `start` started,
# by their pid files. Needs the Debian packages slurmctld, slurmd, slurm-client and munge; runs as root or as the user
# that will run the jobs (Slurm's SlurmUser and SlurmdUser are set to that user).
set -euo pipefail

usage() {
    echo "usage: local-cluster.sh start|status|stop DIR [GPUS]" >&2
    exit 2
}
(($# >= 2)) || usage
action=$1
gpus=${3:-2}
[[ $action =~ ^(start|status|stop)$ && $gpus =~ ^[1-9][0-9]*$ ]] || usage
[[ $action == start ]] && mkdir -p "$2"
[[ -d $2 ]] || { echo "local-cluster.sh: no folder $2" >&2; exit 2; }
dir=$(CDPATH='' cd "$2" && pwd)
conf=$dir/etc/slurm.conf
daemons=(slurmd slurmctld munged) # stopped in this order, started in the reverse

fail() {
    echo "local-cluster.sh: $*" >&2
    if [[ ${launched:-} == yes ]]; then stop > /dev/null; fi # a start that fails leaves nothing of its own running
    exit 1
}

pid_of() { # the pid in a daemon's pid file, if that process is alive and is that daemon (not a reused pid)
    local file=$dir/run/$1.pid
    [[ -s $file ]] || return 1
    local pid
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == "$1" ]] || return 1
    echo "$pid"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_config() {
    local host user cpus memory_mb controller_port node_port
    host=$(hostname -s)
    user=$(id -un)
    cpus=$(getconf _NPROCESSORS_ONLN) # all of them (nproc would honour OMP_NUM_THREADS)
    controller_port=$(free_port) || fail "no free port (python3 needed)"
    node_port=$(free_port) || fail "no free port (python3 needed)"
    while [[ $node_port == "$controller_port" ]]; do node_port=$(free_port); done
    # what the node really has: slurmd refuses to register a node that claims more; keep 5 % back for the OS
    memory_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.95 }' /proc/meminfo)
    mkdir -p "$dir"/{etc,run,log,state,spool,munge}
    cat > "$conf" <<EOF
# written by scripts/slurm/local-cluster.sh: a one-node cluster, every path under $dir
ClusterName=gemmcost-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$controller_port
SlurmdPort=$node_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
GresTypes=gpu
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb Gres=gpu:$gpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    # stand-in device files (slurmd counts a gpu GRES by its files): what a job sees of the GPUs is up to the program
    # it runs (here, the CUDA stand-in)
    mkdir -p "$dir/dev"
    local i
    for ((i = 0; i < gpus; i++)); do  # a character device (/dev/null's numbers) where we may make one
        [[ -e $dir/dev/gpu$i ]] || mknod "$dir/dev/gpu$i" c 1 3 2>/dev/null || : > "$dir/dev/gpu$i"
    done
    echo "NodeName=$host Name=gpu File=$dir/dev/gpu[0-$((gpus - 1))]" > "$dir/etc/gres.conf"
}

start() {
    PATH=$PATH:/usr/sbin:/sbin # the daemons live there, beyond a normal user's PATH
    for tool in munged slurmctld slurmd sinfo sbatch python3; do
        command -v "$tool" >/dev/null || fail "$tool not found (Debian: apt-get install slurmctld slurmd slurm-client munge)"
    done
    for daemon in "${daemons[@]}"; do
        if pid=$(pid_of "$daemon"); then fail "$daemon already runs for $dir (pid $pid): stop it first"; fi
    done
    # munge's socket is a Unix socket: its path must fit the kernel's 108 bytes
    ((${#dir} + 20 < 108)) || fail "$dir is too long a path for munge's socket (at most 87 characters)"
    write_config
    if [[ ! -s $dir/munge/munge.key ]]; then
        (umask 077 && head -c 1024 /dev/urandom > "$dir/munge/munge.key")
    fi
    chmod 700 "$dir/munge"
    launched=yes
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
        || fail "munged did not start: see $dir/log/munged.log"
    export SLURM_CONF=$conf
    slurmctld -f "$conf" || fail "slurmctld did not start: see $dir/log/slurmctld.log"
    slurmd -f "$conf" || fail "slurmd did not start: see $dir/log/slurmd.log"
    local daemon deadline=$((SECONDS + 10))
    for daemon in munged slurmctld slurmd; do # their pid files, which stop finds them by
        until pid_of "$daemon" > /dev/null || ((SECONDS >= deadline)); do sleep 0.1; done
        pid_of "$daemon" > /dev/null || fail "$daemon wrote no pid file: see $dir/log/$daemon.log"
    done
    local state=""
    deadline=$((SECONDS + ${LOCAL_CLUSTER_TIMEOUT_S:-30}))
    while ((SECONDS < deadline)); do
        state=$(sinfo -h -N -o %T 2>/dev/null | head -1) || state="" # the controller may not answer yet
        [[ $state == idle ]] && break
        sleep 0.5
    done
    [[ $state == idle ]] || fail "node not idle after ${LOCAL_CLUSTER_TIMEOUT_S:-30} s (state '${state:-none}'): see $dir/log/slurmctld.log and $dir/log/slurmd.log"
    echo "local cluster up: $(hostname -s), $(nproc) CPUs, $gpus gpu; for sbatch/squeue/sinfo: export SLURM_CONF=$conf"
}

status() {
    local up=0
    for daemon in munged slurmctld slurmd; do
        if pid=$(pid_of "$daemon"); then echo "$daemon: running (pid $pid)"; up=$((up + 1)); else echo "$daemon: not running"; fi
    done
    if ((up == 3)); then SLURM_CONF=$conf sinfo -N -o "%N %T %c %m %G"; fi
    ((up == 3))
}

stop() {
    local pids=() daemon pid
    for daemon in "${daemons[@]}"; do
        if pid=$(pid_of "$daemon"); then
            kill "$pid" 2>/dev/null || true # it may have just exited
            pids+=("$pid")
        fi
    done
    local deadline=$((SECONDS + 15))
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    done
    echo "local cluster stopped (${#pids[@]} daemons)"
}

case $action in
    start) start ;;
    status) status ;;
    stop) stop ;;
    *) usage ;;
esac
