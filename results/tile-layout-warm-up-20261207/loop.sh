#!/usr/bin/env bash
# loop.sh NAME RUNS CMD...  -> counts failures, keeps failing logs
name=$1; runs=$2; shift 2
fails=0
for i in $(seq 1 $runs); do
  "$@" > /tmp/repro/logs/$name-cur.log 2>&1; s=$?
  if [ $s -ne 0 ]; then fails=$((fails+1)); cp /tmp/repro/logs/$name-cur.log /tmp/repro/logs/$name-fail-$i.log; fi
  echo "$i $s" >> /tmp/repro/logs/$name.status
done
echo "$name: $fails failures in $runs runs" >> /tmp/repro/logs/summary.txt
