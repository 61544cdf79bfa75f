#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (Debian 12, as root) for the Slurm engine's tests
# (Tests/StudyTests/SlurmEngineTests.swift); .ci/run calls it before the tests.
# Adapted from the recipe ../shared/tools/slurm-local.sh (checked on this machine kind on 2026-11-25):
# slurm-wlm 22.05.8 + munge, proctrack/pgid, task/none, no cgroup.conf (a "disabled" CgroupPlugin is
# not a valid name in 22.05 and makes slurmd fail). Differences from the recipe: idempotent — it
# installs only what is missing, keeps a running munged/slurmctld/slurmd and their slurm.conf, and
# accepts a node that is busy (mixed/allocated) as ready, so running it twice does no harm.
# No accounting storage (AccountingStorageType=accounting_storage/none): `sacct` does not answer on
# this cluster, so the engine reads job state from `squeue` and the runs' result.json files.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "slurm-local: must run as root" >&2; exit 1; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
if ! installed slurm-wlm || ! installed munge; then
  echo "slurm-local: installing slurm-wlm and munge" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

mkdir -p /etc/munge /var/log/munge /run/munge /var/lib/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
[ -f /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge; chmod 400 /etc/munge/munge.key
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged

running() { pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; }
if ! running; then
  H=$(hostname)
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$H
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmUser=root
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$H CPUs=$(nproc) RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
  rm -f /etc/slurm/cgroup.conf
fi
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd

# Ready when the node takes work: idle, or already busy with someone's jobs.
for _ in $(seq 30); do
  sinfo -h -o %T 2>/dev/null | grep -Eq '^(idle|mixed|allocated|completing)' && exit 0
  sleep 1
done
echo "slurm-local: the slurm node did not become ready (see /var/log/slurm/*.log)" >&2; exit 1
