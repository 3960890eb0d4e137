# Hostile input to the control file (tests/scenarios/helper_fuzzctl.c):
# random bytes, huge, partial and out-of-range writes, NULs, a bad user
# pointer, concurrent writers. Every rejected write leaves the state as it
# was. CT_FUZZ_WRITES sets the number of random writes (default 2000).
. /tests/lib.sh
/tests/helper_fuzzctl "${CT_FUZZ_WRITES:-2000}" || bad "helper_fuzzctl failed"
ct_done
