#!/usr/bin/env bash
# alternate.sh NAME PAIRS FIXED_BINARY CONTROL_BINARY ARGS...
# Runs the control and the fixed binary in turn, the order swapped every pair; keeps failing logs.
name=$1; pairs=$2; fixed=$3; control=$4; shift 4
for i in $(seq 1 $pairs); do
  if [ $((i % 2)) -eq 1 ]; then order="control fixed"; else order="fixed control"; fi
  for which in $order; do
    if [ $which = fixed ]; then bin=$fixed; else bin=$control; fi
    "$bin" "$@" > /tmp/repro/logs/$name-cur.log 2>&1; s=$?
    if [ $s -ne 0 ]; then cp /tmp/repro/logs/$name-cur.log /tmp/repro/logs/$name-$which-fail-$i.log; fi
    echo "$i $which $s" >> /tmp/repro/logs/$name.status
  done
done
