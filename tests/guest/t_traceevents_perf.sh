# closetrace's trace events read by Debian's perf (linux-perf, bookworm's
# 6.1, on whatever kernel the guest runs): with output=both, `perf record
# -e 'closetrace:*' -a` and `perf script` show the workload's records
# (helper_closes) one for one as the ring does. A kernel on which perf
# refuses to record is a SKIP with perf's own words, never a pass.
. /tests/lib.sh
. /tests/tracev-lib.sh

command -v perf > /dev/null || { bad "perf is not in the guest (scripts/guest-tools tracers)"; ct_done; }

ct_reload output=both
cd /tmp
rm -f /tmp/tv.perf.data
perf record -e 'closetrace:*' -a -o /tmp/tv.perf.data > /tmp/tv.perf.log 2>&1 &
tv_pid=$!
# perf says nothing when it is recording; it has opened its events when
# its output file has its header, or it has stopped with an error.
sleep 1
wait_until 60 eval '! kill -0 $tv_pid 2>/dev/null || [ -s /tmp/tv.perf.data ]' || true
sleep 2
if ! kill -0 $tv_pid 2>/dev/null; then
	wait $tv_pid && rc=0 || rc=$?
	tv_pid=
	echo "SKIP perf record refused to run on $(uname -r) (exit $rc): $(head -n 3 /tmp/tv.perf.log | tr '\n' ' ')"
	ct_reload_default
	exit 77
fi
echo clear > $C
/tests/helper_closes 21340 > /dev/null || bad "helper_closes 21340 failed"
tv_wait_quiet
tv_stop perf $tv_pid
closetrace --drain -j > /tmp/tv.ring.json
tv_ring_lines /tmp/tv.ring.json > /tmp/tv.ring.lines
perf script -i /tmp/tv.perf.data > /tmp/tv.script 2> /tmp/tv.script.err ||
	{ bad "perf script failed:"; head -n 20 /tmp/tv.script.err; }
tv_text_lines /tmp/tv.script > /tmp/tv.script.lines
tv_same "perf script" /tmp/tv.ring.lines /tmp/tv.script.lines
! grep -q 'LOST' /tmp/tv.perf.log || bad "perf record lost events: $(grep LOST /tmp/tv.perf.log)"

ct_reload_default
ct_done
