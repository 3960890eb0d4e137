# The reader end to end: table, JSON and CSV for a real close; a record of
# another ABI version is refused with a clear message.
. /tests/lib.sh
/tests/helper_conn 20180
closetrace --drain > /tmp/r.table || bad "reader failed"
# (the state after close may be FIN_WAIT1, FIN_WAIT2 or CLOSE: the ACK can be
# processed before close returns)
grep -Eq 'CLOSE +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:20180 +ESTABLISHED>[A-Z_0-9]+ +FIN +fin ' /tmp/r.table ||
	{ bad "no table line for the close"; cat /tmp/r.table; }
/tests/helper_conn 20181
closetrace --drain --json -P 20181 > /tmp/r.json || bad "reader -P failed"
grep -q '"type":"CLOSE".*"dst":"127.0.0.1:20181".*"action":"FIN","reason":"fin"' /tmp/r.json ||
	{ bad "no JSON close"; cat /tmp/r.json; }
! grep -v '20181' /tmp/r.json | grep -q '"type":"CLOSE"' || bad "-P let another port through"
/tests/helper_conn 20182
closetrace --drain --csv --summary > /tmp/r.csv || bad "reader --csv --summary failed"
head -1 /tmp/r.csv | grep -q '^type,ts_ns' || bad "no CSV header"
grep -q '^CLOSE,.*127.0.0.1:20182,ESTABLISHED' /tmp/r.csv || bad "no CSV close"
grep -q '^CLOSE REASON' /tmp/r.csv || bad "no summary"
# A record claiming ABI version 99: the reader refuses it.
/tests/helper_conn 20183
cat /sys/kernel/debug/closetrace/events > /tmp/raw.bin &
sleep 1; kill $!
[ -s /tmp/raw.bin ] || bad "no raw records"
closetrace -f /tmp/raw.bin > /dev/null || bad "reader refused its own records"
printf '\143' | dd of=/tmp/raw.bin bs=1 seek=4 conv=notrunc 2>/dev/null
! closetrace -f /tmp/raw.bin > /dev/null 2>/tmp/r.err || bad "reader accepted version 99"
grep -q 'ABI version 99' /tmp/r.err || { bad "unclear mismatch message:"; cat /tmp/r.err; }
# --raw records now, -f decodes later: the same records as the live JSON
/tests/helper_conn 20460 3
closetrace --drain -r > /tmp/rec.bin || bad "closetrace -r failed"
[ $(( $(wc -c < /tmp/rec.bin) % CT_RECORD_SIZE )) = 0 ] || bad "-r output is not whole records"
closetrace -f /tmp/rec.bin -j > /tmp/rec.json || bad "-f of -r output failed"
[ "$(grep -c '"type":"CLOSE".*"dport":20460' /tmp/rec.json)" = 3 ] ||
	{ bad "-r/-f round trip lost CLOSE records:"; cat /tmp/rec.json; }
! closetrace -r --summary > /tmp/x.bin 2>/tmp/r.err || bad "-r --summary accepted"
# one consumer at a time
cat /sys/kernel/debug/closetrace/events > /dev/null &
sleep 1
! closetrace --drain > /dev/null 2>/tmp/r.err || bad "second reader not refused"
grep -q 'in use' /tmp/r.err || bad "no EBUSY message"
kill $!
# not root: refused plainly
! su nobody -s /bin/sh -c 'closetrace --drain' >/dev/null 2>/tmp/r.err || bad "reader ran as nobody"
grep -q 'root' /tmp/r.err || { bad "no root message"; cat /tmp/r.err; }
ct_done
