#!/bin/sh
# Harness self-test: a scenario that fails must fail the run.
echo "this scenario fails on purpose"
exit 3
