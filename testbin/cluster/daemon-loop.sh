#!/usr/bin/env bash
# Runs one daemon of the test cluster under a restarting loop, like a service manager's Restart=always (kube-proxy,
# for one, exits when its configuration file changes): `daemon-loop.sh command args...`, started by cluster.sh's
# start_daemon in a session of its own.
#
# Every descriptor inherited above stderr is closed first. Callers hold the cluster lock on one
# (`flock /tmp/gravix-cluster.lock cluster.sh up`), and a daemon that kept it held the lock until `cluster.sh down`:
# every later cluster command of every user waited on the daemons themselves (seen 2026-12-03, probe 3).
for fd in "/proc/$$/fd"/*; do
  fd=${fd##*/}
  if [ "$fd" -gt 2 ]; then { eval "exec $fd>&-"; } 2>/dev/null; fi
done
while :; do
  "$@"
  echo "cluster.sh: exited with $?, restarting in 2 s"
  sleep 2
done
