#!/bin/sh
# Harness self-test: a kernel crash must fail the run even though the
# scenario itself never reports.
echo 1 > /proc/sys/kernel/sysrq
echo c > /proc/sysrq-trigger
sleep 5
exit 0
