# No record taken from the ring vanishes uncounted: a read whose buffer
# faults keeps the record for the next read; a text line left half read by
# a closing reader (dd bs=10 count=1) is counted as discarded and reported in-band
# as a LOST record; "clear" under load counts exactly what it removed. In
# the end events_written = events_read + events_cleared + events_discarded.
set -u
fail=0
S=/proc/closetrace/stats
v() { sed -n "s/^$1 //p" $S; }
rmmod closetrace && insmod /closetrace.ko || { echo "reload failed"; exit 1; }
balance() {
	w=$(v events_written); r=$(v events_read); c=$(v events_cleared); d=$(v events_discarded)
	[ "$w" -eq $((r + c + d)) ] ||
		{ echo "$1: written $w != read $r + cleared $c + discarded $d"; fail=1; }
}

# A faulting read keeps its record.
/tests/helper_conn 20240 5
sleep 1
w0=$(v events_written); r0=$(v events_read)
out=$(/tests/helper_fault) || { echo "fault: $out"; fail=1; }
got=${out#records }
[ "$got" -eq $((w0 - r0)) ] || { echo "fault: read $got records, $((w0 - r0)) were waiting"; fail=1; }
[ "$(v events_discarded)" -eq 0 ] || { echo "fault: a record was discarded"; fail=1; }
balance fault

# A half-read text line is discarded, counted and reported in-band.
/tests/helper_conn 20241 1
sleep 1
dd if=/sys/kernel/debug/closetrace/trace of=/dev/null bs=10 count=1 2>/dev/null
[ "$(v events_discarded)" -eq 1 ] || { echo "half line: events_discarded $(v events_discarded), expected 1"; fail=1; }
closetrace --drain --json > /tmp/acc.json 2>/dev/null
inband=$(grep '"type":"LOST"' /tmp/acc.json | sed 's/.*"lost":\([0-9]*\).*/\1/' | awk '{s+=$1} END {print s+0}')
[ "$inband" -eq $(($(v events_lost) + 1)) ] ||
	{ echo "half line: LOST records say $inband, lost $(v events_lost) + 1 discarded"; fail=1; }
balance "half line"

# clear while records are being written on both CPUs.
/tests/helper_conn 20242 400 & p1=$!
/tests/helper_conn 20243 400 & p2=$!
# Clear for as long as the writers run (30 times at least).
i=0
while [ $i -lt 30 ] || kill -0 $p1 2>/dev/null || kill -0 $p2 2>/dev/null; do
	echo clear > /sys/kernel/debug/closetrace/control; i=$((i + 1))
done
wait $p1 $p2
sleep 1
closetrace --drain --json > /dev/null 2>&1
[ "$(v events_cleared)" -gt 0 ] || { echo "clear: nothing was cleared"; fail=1; }
balance clear
echo "accounting: written $(v events_written) read $(v events_read) cleared $(v events_cleared) discarded $(v events_discarded)"
rmmod closetrace && insmod /closetrace.ko || { echo "restore failed"; fail=1; }
exit $fail
