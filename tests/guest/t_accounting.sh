# No record taken from the ring vanishes uncounted: a read whose buffer
# faults keeps the record for the next read; a text line left half read by
# a closing reader (dd bs=10 count=1) is counted as discarded and reported in-band
# as a LOST record; "clear" under load counts exactly what it removed. In
# the end events_written = events_read + events_cleared + events_discarded.
. /tests/lib.sh
ct_reload_default
# quiet: the workload's sockets have all ended (nothing tracked), so no
# record of theirs is still to come.
quiet() {
	wait_until 30 eval '[ "$(v tracked)" = 0 ]' ||
		bad "closetrace still follows $(v tracked) sockets 30 s after the workload"
}
balance() {
	w=$(v events_written); r=$(v events_read); c=$(v events_cleared); d=$(v events_discarded)
	[ "$w" -eq $((r + c + d)) ] ||
		bad "$1: written $w != read $r + cleared $c + discarded $d"
}

# A faulting read keeps its record.
/tests/helper_conn 20240 5
quiet
w0=$(v events_written); r0=$(v events_read)
out=$(/tests/helper_fault) || bad "fault: $out"
got=${out#records }
[ "$got" -eq $((w0 - r0)) ] || bad "fault: read $got records, $((w0 - r0)) were waiting"
[ "$(v events_discarded)" -eq 0 ] || bad "fault: a record was discarded"
balance fault

# A half-read text line is discarded, counted and reported in-band.
/tests/helper_conn 20241 1
quiet
dd if=/sys/kernel/debug/closetrace/trace of=/dev/null bs=10 count=1 2>/dev/null
[ "$(v events_discarded)" -eq 1 ] || bad "half line: events_discarded $(v events_discarded), expected 1"
closetrace --drain --json > /tmp/acc.json 2>/dev/null || bad "half line: the reader failed"
inband=$(grep '"type":"LOST"' /tmp/acc.json | sed 's/.*"lost":\([0-9]*\).*/\1/' | awk '{s+=$1} END {print s+0}')
[ "$inband" -eq $(($(v events_lost) + 1)) ] ||
	bad "half line: LOST records say $inband, lost $(v events_lost) + 1 discarded"
balance "half line"

# clear while records are being written on both CPUs.
/tests/helper_conn 20242 400 & p1=$!
/tests/helper_conn 20243 400 & p2=$!
# Clear for as long as the writers run (30 times at least).
i=0
while [ $i -lt 30 ] || kill -0 $p1 2>/dev/null || kill -0 $p2 2>/dev/null; do
	echo clear > $C; i=$((i + 1))
done
wait $p1 $p2
quiet
closetrace --drain --json > /dev/null 2>&1 || bad "clear: the reader failed"
[ "$(v events_cleared)" -gt 0 ] || bad "clear: nothing was cleared"
balance clear
echo "accounting: written $(v events_written) read $(v events_read) cleared $(v events_cleared) discarded $(v events_discarded)"
ct_reload_default
ct_done
