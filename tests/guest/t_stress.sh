# Closes of every kind from 4 threads on both CPUs while a reader drains
# (tests/scenarios/stress_closes.c checks the accounting). The default is
# the quick variant; `make stress` runs CT_STRESS_CLOSES=1000000.
#  1. default ring, reader keeping up: nothing lost, per-CPU written = read,
#     CLOSE records by kind = closes made by kind.
#  2. a 4 KiB ring: loss happens and is counted exactly, per CPU.
. /tests/lib.sh
n=${CT_STRESS_CLOSES:-20000}
/tests/stress_closes -n "$n" -t 4 || bad "stress_closes failed"
ct_reload buf_kb=4
/tests/stress_closes -n $((n / 10)) -t 4 -l || bad "stress_closes with a 4 KiB ring failed"
ct_reload_default
ct_done
