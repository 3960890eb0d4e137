# Runs in the guest (scripts/bench): bench_close in each mode, one boot.
#   none       no closetrace
#   floor      closetrace with hooks_only=1: every hook attached, empty
#   closetrace closetrace as shipped, the reader recording the records as
#              they are (closetrace -r, to a tmpfs file, decoded later)
#   ct_json    the same, the reader printing JSON lines as it goes
#              (--reorder-window 0: each record printed as it is read)
#   nofile     closetrace with file_hooks=0, recording as in closetrace
#   nopreclose closetrace with max_preclose=0: no DEATH record, no
#              CLOSE_WAIT list (closetrace - nopreclose is what following
#              sockets before their close costs)
#   noreader   closetrace with a 16 MiB ring and no reader: what writing
#              the records costs, without draining them (nothing may be
#              lost; closetrace - noreader is the reader's share)
#   ct_trace   closetrace with output=trace and no tracer attached: the
#              records are built and go nowhere (the events are off)
#   ct_counters closetrace with output=counters: the records are built and
#              counted in /proc/closetrace/summary, none is written
#   ct_tracecmd closetrace with output=trace, trace-cmd record -e
#              'closetrace:*' writing the events to a tmpfs file
#   tracefs    no closetrace: the kernel's own tracepoints on the close
#              path (sock:inet_sock_set_state, tcp:tcp_send_reset,
#              tcp:tcp_destroy_sock) recorded raw from trace_pipe_raw, as
#              trace-cmd record does: the kernel's own cost per event
#   bpftrace   a bpftrace script on the same hooks, printing the same
#              fields (when the guest has bpftrace)
#   none2      no closetrace again: how far the machine drifted in the boot
# Prints BENCH lines (bench_close) and BENCHINFO lines.
set -u
iters=$1
echo 262144 > /proc/sys/net/ipv4/tcp_max_tw_buckets
fail=0
# The module's record counts for MODE; sets lost.
info() {
	lost=$(sed -n 's/^events_lost //p' /proc/closetrace/stats)
	echo "BENCHINFO {\"mode\":\"$1\",\"events_written\":$(sed -n 's/^events_written //p' /proc/closetrace/stats),\"events_traced\":$(sed -n 's/^events_traced //p' /proc/closetrace/stats),\"events_lost\":$lost}"
}
reader_run() {	# MODE READER-FORMAT MODPARAMS...
	mode=$1 rfmt=$2; shift 2
	insmod /closetrace.ko "$@" || { echo "BENCHERR insmod $*"; fail=1; return; }
	if [ "$rfmt" = raw ]; then
		closetrace -r > /tmp/ct.bin 2>/tmp/reader.err &
	else
		# No reorder window: with one, the records a workload makes
		# would be printed up to a (guest) second later, in the next
		# workload's measured time or after the last one's.
		closetrace --json --reorder-window 0 > /dev/null 2>/tmp/reader.err &
	fi
	r=$!
	sleep 1
	bench_close "$mode" "$iters"
	sleep 1
	kill $r; wait $r 2>/dev/null
	info "$mode"
	cp /proc/closetrace/probes /tmp/probes
	rmmod closetrace
}
# A whole pass first, thrown away: on 7.2 the first minutes after boot ran
# open/close three times slower (boot-time work sharing the one CPU).
bench_close warmup "$iters" > /dev/null
bench_close none "$iters"
insmod /closetrace.ko hooks_only=1 || { echo "BENCHERR insmod hooks_only"; fail=1; }
bench_close floor "$iters"
rmmod closetrace
reader_run closetrace raw
reader_run ct_json json
reader_run nofile raw file_hooks=0
reader_run nopreclose raw max_preclose=0
insmod /closetrace.ko buf_kb=16384 || { echo "BENCHERR insmod buf_kb=16384"; fail=1; }
bench_close noreader "$iters"
info noreader
[ "$lost" = 0 ] || { echo "BENCHERR noreader: $lost records lost, the ring is too small for the run"; fail=1; }
rmmod closetrace
insmod /closetrace.ko output=trace || { echo "BENCHERR insmod output=trace"; fail=1; }
bench_close ct_trace "$iters"
info ct_trace
rmmod closetrace
insmod /closetrace.ko output=counters || { echo "BENCHERR insmod output=counters"; fail=1; }
bench_close ct_counters "$iters"
info ct_counters
grep -q '^hist_count close_ns [1-9]' /proc/closetrace/summary ||
	{ echo "BENCHERR output=counters: the summary counted no close"; fail=1; }
rmmod closetrace
if command -v trace-cmd >/dev/null; then
	insmod /closetrace.ko output=trace || { echo "BENCHERR insmod output=trace"; fail=1; }
	(cd /tmp && exec trace-cmd record -e 'closetrace:*' -o /tmp/tc.dat) > /tmp/tc.log 2>&1 &
	t=$!
	i=0
	while [ "$(cat /sys/kernel/tracing/events/closetrace/enable)" != 1 ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
	sleep 1
	bench_close ct_tracecmd "$iters"
	kill -INT $t; wait $t 2>/dev/null
	info ct_tracecmd
	rmmod closetrace
	trace-cmd report -i /tmp/tc.dat 2>/dev/null | grep -q ' close: ' ||
		{ echo "BENCHERR trace-cmd recorded no closetrace:close event: $(head -c 300 /tmp/tc.log | tr '\n"' ' _')"; fail=1; }
else
	echo "BENCHERR trace-cmd missing in the guest"; fail=1
fi
closetrace -f /tmp/ct.bin -j | grep -q '"type":"CLOSE"' || { echo "BENCHERR recorded records do not decode"; fail=1; }
insmod /closetrace.ko && cp /proc/closetrace/probes /tmp/probes && rmmod closetrace
T=/sys/kernel/tracing
for e in sock/inet_sock_set_state tcp/tcp_send_reset tcp/tcp_destroy_sock; do
	echo 1 > $T/events/$e/enable
done
cat $T/per_cpu/cpu0/trace_pipe_raw > /tmp/tracefs.raw &
t=$!
sleep 1
bench_close tracefs "$iters"
kill $t; wait $t 2>/dev/null
for e in sock/inet_sock_set_state tcp/tcp_send_reset tcp/tcp_destroy_sock; do
	echo 0 > $T/events/$e/enable
done
if command -v bpftrace >/dev/null; then
	sym() { awk -v r="$1" '$1 == r { print $4 }' /tmp/probes; }
	sed -e "s/@FD_CLOSE@/$(sym fd_close)/" -e "s/@FINAL_PUT@/$(sym final_put)/" \
		-e "s/@SOCK_RELEASE@/$(sym sock_release)/" /bin/closetrace.bt > /tmp/ct.bt
	bpftrace /tmp/ct.bt > /tmp/bt.out 2>/tmp/bt.err &
	b=$!
	i=0
	while ! grep -q '^Attaching' /tmp/bt.out && [ $i -lt 600 ]; do sleep 1; i=$((i + 1)); done
	sleep 2
	if kill -0 $b 2>/dev/null; then
		bench_close bpftrace "$iters"
		kill -INT $b; wait $b 2>/dev/null
		echo "BENCHINFO {\"mode\":\"bpftrace\",\"lines\":$(wc -l < /tmp/bt.out),\"attach_s\":$i}"
	else
		echo "BENCHERR bpftrace did not start: $(head -c 300 /tmp/bt.err | tr '\n"' ' _')"
	fi
fi
bench_close none2 "$iters"
exit $fail
