#!/usr/bin/env bash
# Two "hosts" on one machine: a Linux network namespace with its own sshd and hostname, joined to
# the root namespace by a veth pair; `mpirun --hostfile` starts ranks on both over ssh and they talk
# over TCP only. Generates a shard folder and fits it with 2 and 4 processes, and checks that the
# model files equal the single-process fit bit for bit. Needs root, iproute2, unshare and Debian's
# openssh-server (not installed by scripts/install-deps.sh: only this demonstration needs it).
#   bash experiments/scale/two_hosts.sh [--n N] [--d D] [--learner L]
# Both "hosts" share one kernel, one disk and one file system: this shows the launch (ssh, orted)
# and transport (TCP between network stacks) path of a multi-host run, not network performance.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=200000 d=20 learner=gd
while [ $# -gt 0 ]; do
  case "$1" in
    --n) n=$2; shift 2 ;;
    --d) d=$2; shift 2 ;;
    --learner) learner=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "two_hosts.sh: needs root (network namespaces)" >&2; exit 1; }
[ -x /usr/sbin/sshd ] || { echo "two_hosts.sh: needs sshd (apt-get install openssh-server)" >&2; exit 1; }
relureg=$PWD/build/relureg
[ -x "$relureg" ] || { echo "two_hosts.sh: build relureg first ($relureg)" >&2; exit 1; }

ns=relureg-host-b a_ip=10.77.0.1 b_ip=10.77.0.2
work=$(mktemp -d /tmp/relureg-two-hosts.XXXXXX)
cleanup() {
  [ -f "$work/sshd.pid" ] && kill "$(cat "$work/sshd.pid")" 2>/dev/null || true
  ip link del rr-host-a 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Host b: a network namespace with a veth link to host a (the root namespace).
ip netns add "$ns"
ip link add rr-host-a type veth peer name rr-host-b
ip link set rr-host-b netns "$ns"
ip addr add "$a_ip/24" dev rr-host-a
ip link set rr-host-a up
ip netns exec "$ns" ip addr add "$b_ip/24" dev rr-host-b
ip netns exec "$ns" ip link set rr-host-b up
ip netns exec "$ns" ip link set lo up

# An sshd of its own on host b (its own host name too, so MPI sees two nodes), key login only.
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/user_key"
cp "$work/user_key.pub" "$work/authorized_keys"
cat > "$work/sshd_config" <<CONF
ListenAddress $b_ip
HostKey $work/host_key
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $work/sshd.pid
AcceptEnv LANG LC_*
CONF
mkdir -p /run/sshd
ip netns exec "$ns" unshare --uts sh -c "hostname relureg-host-b && exec /usr/sbin/sshd -f $work/sshd_config"
for _ in $(seq 50); do [ -s "$work/sshd.pid" ] && break; sleep 0.1; done
# The ssh that mpirun uses to start its daemon on host b.
cat > "$work/ssh" <<SSH
#!/bin/sh
exec ssh -i $work/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes "\$@"
SSH
chmod +x "$work/ssh"
echo "host a: $(hostname) ($a_ip); host b: $("$work/ssh" "$b_ip" hostname) ($b_ip, network namespace $ns)"

cat > "$work/hosts" <<HOSTS
$a_ip slots=2
$b_ip slots=2
HOSTS
# TCP only (no shared memory between the ranks), on the veth link only.
mpi=(mpirun --allow-run-as-root -q --hostfile "$work/hosts" --map-by node
     --mca plm_rsh_agent "$work/ssh" --mca btl tcp,self --mca btl_tcp_if_include "$a_ip/24"
     --mca oob_tcp_if_include "$a_ip/24" -x PATH)
echo "where the ranks run:"
"${mpi[@]}" -np 4 sh -c 'echo "  rank $OMPI_COMM_WORLD_RANK on $(hostname), network namespace $(readlink /proc/self/ns/net)"' | sort

gen=(generate --family label-noise --n "$n" --d "$d" --seed 7)
"$relureg" "${gen[@]}" -o "$work/one.npy" >/dev/null
"$relureg" fit "$work/one.npy" --learner "$learner" --bias -o "$work/model-1.json" >/dev/null
status=0
same() {  # model files equal except the wall time
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for m in (a, b):
    m["metrics"].pop("seconds", None)
sys.exit(0 if a == b else 1)
PY
}
for p in 2 4; do
  "${mpi[@]}" -np "$p" "$relureg" "${gen[@]}" -o "$work/shards-$p" >/dev/null
  "${mpi[@]}" -np "$p" "$relureg" fit "$work/shards-$p" --learner "$learner" --bias \
    -o "$work/model-$p.json" >/dev/null
  if same "$work/model-1.json" "$work/model-$p.json"; then
    echo "P = $p over 2 hosts: $(ls "$work/shards-$p" | grep -vc labels) shards; model file equals the single-process fit"
  else
    echo "P = $p over 2 hosts: model file DIFFERS from the single-process fit"
    status=1
  fi
done
# The ordered reduction's latency over this TCP link (one rank per host; scale_bench if built).
if [ -x build/scale_bench ]; then
  echo "reduction over TCP between the two hosts (scale_bench mpi, P = 2, one thread per rank):"
  "${mpi[@]}" -np 2 build/scale_bench mpi "$work/shards-2" --threads 1 --passes 10
fi
exit $status
