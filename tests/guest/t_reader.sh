# The reader end to end: table, JSON and CSV for a real close; a record of
# another ABI version is refused with a clear message.
set -u
fail=0
/tests/helper_conn 20180
closetrace --drain > /tmp/r.table || { echo "reader failed"; fail=1; }
# (the state after close may be FIN_WAIT1, FIN_WAIT2 or CLOSE: the ACK can be
# processed before close returns)
grep -Eq 'CLOSE +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:20180 +ESTABLISHED>[A-Z_0-9]+ +FIN +fin ' /tmp/r.table ||
	{ echo "no table line for the close"; cat /tmp/r.table; fail=1; }
/tests/helper_conn 20181
closetrace --drain --json -P 20181 > /tmp/r.json
grep -q '"type":"CLOSE".*"dst":"127.0.0.1:20181".*"action":"FIN","reason":"fin"' /tmp/r.json ||
	{ echo "no JSON close"; cat /tmp/r.json; fail=1; }
if grep -v '20181' /tmp/r.json | grep -q '"type":"CLOSE"'; then echo "-P let another port through"; fail=1; fi
/tests/helper_conn 20182
closetrace --drain --csv --summary > /tmp/r.csv
head -1 /tmp/r.csv | grep -q '^type,ts_ns' || { echo "no CSV header"; fail=1; }
grep -q '^CLOSE,.*127.0.0.1:20182,ESTABLISHED' /tmp/r.csv || { echo "no CSV close"; fail=1; }
grep -q '^CLOSE REASON' /tmp/r.csv || { echo "no summary"; fail=1; }
# A record claiming ABI version 99: the reader refuses it.
/tests/helper_conn 20183
cat /sys/kernel/debug/closetrace/events > /tmp/raw.bin &
sleep 1; kill $!
[ -s /tmp/raw.bin ] || { echo "no raw records"; fail=1; }
closetrace -f /tmp/raw.bin > /dev/null || { echo "reader refused its own records"; fail=1; }
printf '\143' | dd of=/tmp/raw.bin bs=1 seek=4 conv=notrunc 2>/dev/null
if closetrace -f /tmp/raw.bin > /dev/null 2>/tmp/r.err; then echo "reader accepted version 99"; fail=1; fi
grep -q 'ABI version 99' /tmp/r.err || { echo "unclear mismatch message:"; cat /tmp/r.err; fail=1; }
# --raw records now, -f decodes later: the same records as the live JSON
/tests/helper_conn 20460 3
closetrace --drain -r > /tmp/rec.bin || { echo "closetrace -r failed"; fail=1; }
[ $(( $(wc -c < /tmp/rec.bin) % 184 )) = 0 ] || { echo "-r output is not whole records"; fail=1; }
closetrace -f /tmp/rec.bin -j > /tmp/rec.json || { echo "-f of -r output failed"; fail=1; }
[ "$(grep -c '"type":"CLOSE".*"dport":20460' /tmp/rec.json)" = 3 ] ||
	{ echo "-r/-f round trip lost CLOSE records:"; cat /tmp/rec.json; fail=1; }
closetrace -r --summary > /tmp/x.bin 2>/tmp/r.err && { echo "-r --summary accepted"; fail=1; }
# one consumer at a time
cat /sys/kernel/debug/closetrace/events > /dev/null &
sleep 1
if closetrace --drain > /dev/null 2>/tmp/r.err; then echo "second reader not refused"; fail=1; fi
grep -q 'in use' /tmp/r.err || { echo "no EBUSY message"; fail=1; }
kill $!
# not root: refused plainly
su nobody -s /bin/sh -c 'closetrace --drain' >/dev/null 2>/tmp/r.err && { echo "reader ran as nobody"; fail=1; }
grep -q 'root' /tmp/r.err || { echo "no root message"; cat /tmp/r.err; fail=1; }
exit $fail
