#!/bin/bash
# Single-node Slurm 22.05 (Debian 12) for tests/CI, as root, without systemd, on loopback only.
# Idempotent: safe to run again while the stack is up (it only starts what is down; a changed
# slurm.conf/gres.conf restarts slurmctld + slurmd).
#   SLURM_NGPU=2            fake GPUs advertised as gres/gpu (0 = none), /dev/fakegpuN (c 240 N)
#   SLURM_GPU_TYPE=         optional GPU type, e.g. a100 -> Gres=gpu:a100:N
#   SLURM_ACCOUNTING=1      slurmdbd + MariaDB so that sacct works (0 = no sacct)
#   SLURM_REST=1            slurmrestd on 127.0.0.1:6820 with JWT auth
#   SLURM_REST_USER=slurmci non-root Unix user that REST calls act as
#   SLURMD_TIMEOUT=10       seconds before slurmctld declares a silent slurmd's node DOWN
set -euo pipefail
NGPU=${SLURM_NGPU:-2}; GTYPE=${SLURM_GPU_TYPE:-}; ACCT=${SLURM_ACCOUNTING:-1}
REST=${SLURM_REST:-1}; REST_USER=${SLURM_REST_USER:-slurmci}; DTIMEOUT=${SLURMD_TIMEOUT:-10}
export DEBIAN_FRONTEND=noninteractive

# ---- packages -------------------------------------------------------------
pkgs="munge slurm-wlm slurmctld slurmd slurm-client"
if [ "$ACCT" = 1 ]; then pkgs="$pkgs slurmdbd slurm-wlm-mysql-plugin mariadb-server"; fi
if [ "$REST" = 1 ]; then pkgs="$pkgs slurmrestd slurm-wlm-jwt-plugin"; fi
if ! dpkg -s $pkgs >/dev/null 2>&1; then
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi

alive() {  # true while any thread lives (a multi-threaded daemon's main thread may already be a zombie)
  [ -n "${1:-}" ] && [ -r "/proc/$1/status" ] &&
  awk '/^State:/{s=$2} /^Threads:/{t=$2} END{exit !(s!="Z" || t>1)}' "/proc/$1/status" 2>/dev/null; }
running() { [ -f "$1" ] && alive "$(cat "$1" 2>/dev/null)"; }
waitfor() { local n=$1; shift; for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done; "$@"; }
stop_pidfile() {  # $1 = pidfile: SIGTERM, wait until no thread lives, SIGKILL as a last resort
  [ -f "$1" ] || return 0
  local p; p=$(cat "$1" 2>/dev/null)
  if alive "$p"; then
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 1 60); do alive "$p" || break; sleep 0.25; done
    alive "$p" && kill -KILL "$p" 2>/dev/null || true
  fi
  rm -f "$1"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# replace $2 with $1 when different; returns 0 when the file changed
install_if_changed() { if cmp -s "$1" "$2"; then rm -f "$1"; return 1; fi; mv -f "$1" "$2"; return 0; }

H=$(hostname -s)
# Daemons bind to what the hostname resolves to (NoInAddrAny): make it loopback.
grep -q '^127\.' <<<"$(getent ahostsv4 "$H")" || echo "127.0.0.1 $H" >> /etc/hosts

# ---- users, directories, keys, fake GPUs ------------------------------------------
if [ "$REST" = 1 ]; then
  id -u "$REST_USER" >/dev/null 2>&1 || useradd --system --create-home --shell /bin/bash "$REST_USER"
  id -u slurmrestd >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin slurmrestd
fi
install -d -o slurm -g slurm -m 0755 /etc/slurm /var/lib/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
install -d -o munge -g munge -m 0755 /run/munge
[ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null;
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key; }
if [ "$REST" = 1 ] && [ ! -s /etc/slurm/jwt_hs256.key ]; then
  dd if=/dev/urandom bs=32 count=1 of=/etc/slurm/jwt_hs256.key 2>/dev/null
fi
if [ -f /etc/slurm/jwt_hs256.key ]; then chown slurm:slurm /etc/slurm/jwt_hs256.key; chmod 0600 /etc/slurm/jwt_hs256.key; fi
for i in $(seq 0 $((NGPU - 1))); do
  [ -c "/dev/fakegpu$i" ] || mknod -m 0666 "/dev/fakegpu$i" c 240 "$i"
done

# ---- configuration (rewritten only when it changes) --------------------------------
CPUS=$(nproc)
MEM_MB=$(( $(awk '/^MemTotal:/{print $2}' /proc/meminfo) / 1024 / 2 ))
GRES_LINE=""; GRES_NODE=""
if [ "$NGPU" -gt 0 ]; then
  if [ -n "$GTYPE" ]; then GRES_NODE=" Gres=gpu:$GTYPE:$NGPU"; TYPEKW=" Type=$GTYPE"; else GRES_NODE=" Gres=gpu:$NGPU"; TYPEKW=""; fi
  GRES_LINE="NodeName=$H Name=gpu$TYPEKW File=/dev/fakegpu[0-$((NGPU - 1))]"
fi
new=$(mktemp)
{
  echo "ClusterName=ci"
  echo "SlurmctldHost=$H(127.0.0.1)"
  echo "SlurmUser=slurm"
  echo "SlurmctldPort=6817"
  echo "SlurmdPort=6818"
  echo "AuthType=auth/munge"
  if [ "$REST" = 1 ]; then
    echo "AuthAltTypes=auth/jwt"
    echo "AuthAltParameters=jwt_key=/etc/slurm/jwt_hs256.key"
  fi
  echo "CommunicationParameters=NoCtldInAddrAny,NoInAddrAny"
  echo "StateSaveLocation=/var/lib/slurm/slurmctld"
  echo "SlurmdSpoolDir=/var/lib/slurm/slurmd"
  echo "SlurmctldPidFile=/run/slurmctld.pid"
  echo "SlurmdPidFile=/run/slurmd.pid"
  echo "SlurmctldLogFile=/var/log/slurm/slurmctld.log"
  echo "SlurmdLogFile=/var/log/slurm/slurmd.log"
  echo "MpiDefault=none"
  echo "MailProg=/bin/true"
  echo "ProctrackType=proctrack/linuxproc"
  echo "TaskPlugin=task/none"
  echo "JobAcctGatherType=jobacct_gather/linux"
  echo "JobAcctGatherFrequency=5"
  if [ "$ACCT" = 1 ]; then
    echo "AccountingStorageType=accounting_storage/slurmdbd"
    echo "AccountingStorageHost=$H"
    echo "AccountingStoragePort=6819"
    echo "AccountingStorageTRES=gres/gpu"
  else
    echo "AccountingStorageType=accounting_storage/none"
  fi
  echo "JobCompType=jobcomp/filetxt"
  echo "JobCompLoc=/var/log/slurm/jobcomp.log"
  echo "SchedulerType=sched/backfill"
  echo "SelectType=select/cons_tres"
  echo "SelectTypeParameters=CR_Core_Memory"
  echo "DefMemPerCPU=256"
  if [ "$NGPU" -gt 0 ]; then echo "GresTypes=gpu"; fi
  echo "ReturnToService=2"
  echo "MinJobAge=3600"
  echo "SlurmctldTimeout=30"
  echo "SlurmdTimeout=$DTIMEOUT"
  echo "NodeName=$H NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB$GRES_NODE State=UNKNOWN"
  echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
} > "$new"
changed=0
install_if_changed "$new" /etc/slurm/slurm.conf && changed=1
new=$(mktemp)
{ echo "AutoDetect=off"; if [ -n "$GRES_LINE" ]; then echo "$GRES_LINE"; fi; } > "$new"
install_if_changed "$new" /etc/slurm/gres.conf && changed=1
chmod 0644 /etc/slurm/slurm.conf /etc/slurm/gres.conf

if [ "$ACCT" = 1 ]; then
  new=$(mktemp)
  {
    echo "AuthType=auth/munge"
    if [ "$REST" = 1 ]; then
      echo "AuthAltTypes=auth/jwt"
      echo "AuthAltParameters=jwt_key=/etc/slurm/jwt_hs256.key"
    fi
    echo "DbdHost=$H"
    echo "DbdAddr=127.0.0.1"
    echo "DbdPort=6819"
    echo "CommunicationParameters=NoInAddrAny"
    echo "SlurmUser=slurm"
    echo "LogFile=/var/log/slurm/slurmdbd.log"
    echo "PidFile=/run/slurmdbd.pid"
    echo "StorageType=accounting_storage/mysql"
    echo "StorageHost=localhost"
    echo "StorageUser=slurm"
    echo "StoragePass=slurmdbpass"
    echo "StorageLoc=slurm_acct_db"
  } > "$new"
  dbd_changed=0
  install_if_changed "$new" /etc/slurm/slurmdbd.conf && dbd_changed=1
  chown slurm:slurm /etc/slurm/slurmdbd.conf; chmod 0600 /etc/slurm/slurmdbd.conf
  if [ "$dbd_changed" = 1 ]; then stop_pidfile /run/slurmdbd.pid; fi
fi
if [ "$changed" = 1 ]; then  # a new config: restart whatever runs with the old one
  stop_pidfile /run/slurmrestd.pid; stop_pidfile /run/slurmd.pid; stop_pidfile /run/slurmctld.pid
fi

# ---- 1. munge -----------------------------------------------------------------------
if ! running /run/munge/munged.pid; then
  rm -f /run/munge/munged.pid /run/munge/munge.socket.2*
  runuser -u munge -- /usr/sbin/munged
fi
waitfor 40 bash -c 'munge -n | unmunge'

# ---- 2. MariaDB + 3. slurmdbd (accounting, for sacct) -----------------------------------
if [ "$ACCT" = 1 ]; then
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  if ! running /run/mysqld/mysqld.pid; then
    [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    setsid nohup /usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 --skip-name-resolve \
      --pid-file=/run/mysqld/mysqld.pid > /var/log/slurm/mariadb.log 2>&1 < /dev/null &
    waitfor 120 mariadb-admin ping
    waitfor 40 test -s /run/mysqld/mysqld.pid
  fi
  mariadb -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurmdbpass';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"
  if ! running /run/slurmdbd.pid; then
    /usr/sbin/slurmdbd
  fi
  waitfor 80 port_open 6819
fi

# ---- 4. slurmctld, slurmd -------------------------------------------------------------
if ! running /run/slurmctld.pid; then
  /usr/sbin/slurmctld
fi
waitfor 120 scontrol ping
if ! running /run/slurmd.pid; then
  /usr/sbin/slurmd
fi
node_ok() { grep -qE '^(idle|mixed|allocated|completing)$' <<<"$(sinfo -h -n "$H" -o %T 2>/dev/null)"; }
# up to 2 min: a slurmd restarted after a test killed it can report its node `down`/`idle*` for a while,
# longer on a loaded machine (30 s was once too short in CI)
for i in $(seq 1 480); do
  node_ok && break
  st=$(sinfo -h -n "$H" -o %T 2>/dev/null || true)
  if [ "$i" -gt 8 ] && grep -qE 'drain|inval|down' <<<"$st"; then
    scontrol update nodename="$H" state=resume >/dev/null 2>&1 || true
  fi
  sleep 0.25
done
node_ok || { echo "slurm node not usable: $(sinfo -h -N -o '%N %T %E')" >&2; tail -n 20 /var/log/slurm/slurmd.log >&2; exit 1; }

# ---- 5. slurmrestd (optional) ------------------------------------------------------------
if [ "$REST" = 1 ]; then
  if ! running /run/slurmrestd.pid; then
    SLURM_JWT=daemon setsid nohup /usr/sbin/slurmrestd -u slurmrestd -a rest_auth/jwt \
      -s openapi/v0.0.38,openapi/dbv0.0.38 127.0.0.1:6820 > /var/log/slurm/slurmrestd.log 2>&1 < /dev/null &
    echo $! > /run/slurmrestd.pid
  fi
  waitfor 40 port_open 6820
fi
echo "slurm up: $(sinfo -h -o '%P %T %N %G')"
