# Closes of every kind from 4 threads on both CPUs while a reader drains
# (tests/scenarios/stress_closes.c checks the accounting). The default is
# the quick variant; `make stress` runs CT_STRESS_CLOSES=1000000.
#  1. default ring, reader keeping up: nothing lost, per-CPU written = read,
#     CLOSE records by kind = closes made by kind.
#  2. a 4 KiB ring: loss happens and is counted exactly, per CPU.
set -u
fail=0
n=${CT_STRESS_CLOSES:-20000}
/tests/stress_closes -n "$n" -t 4 || fail=1
rmmod closetrace && insmod /closetrace.ko buf_kb=4 || { echo "reload with buf_kb=4 failed"; exit 1; }
/tests/stress_closes -n $((n / 10)) -t 4 -l || fail=1
rmmod closetrace && insmod /closetrace.ko || { echo "restore failed"; exit 1; }
exit $fail
