# Runs in the guest (scripts/profile): where closetrace's writing goes.
# With -icount a guest-ns is an instruction, so the function_graph
# tracer's duration of a call is the instructions it ran. Each pass traces
# one set of functions, none of which calls another of the set (only
# those are hooked: set_ftrace_filter), at depth 1, over ITERS iterations
# of every bench_close workload with closetrace writing into a 16 MiB ring
# and no reader. mutex_unlock (a handful of instructions) is in every set:
# its duration is the tracer's own cost per call, which scripts/profile
# takes off the others. Prints PROF lines: pass, function, calls, mean.
set -u
iters=$1
T=/sys/kernel/tracing
[ -e $T/trace ] || mount -t tracefs nodev $T
echo 262144 > /proc/sys/net/ipv4/tcp_max_tw_buckets
bench_close warmup "$iters" > /dev/null
insmod /closetrace.ko buf_kb=16384 || { echo "PROFERR insmod"; exit 1; }
echo 32768 > $T/buffer_size_kb
for o in nofuncgraph-cpu nofuncgraph-overhead funcgraph-duration \
	nofuncgraph-proc nofuncgraph-irqs; do
	echo $o > $T/trace_options
done
echo 1 > $T/max_graph_depth
pass() {	# NAME FUNCTION...
	name=$1 fl=
	shift
	for f in mutex_unlock "$@"; do
		# (inlined on this build, or not a traceable function)
		grep -q "^$f\( \|$\)" $T/available_filter_functions && fl="$fl $f"
	done
	echo "$fl" > $T/set_ftrace_filter || { echo "PROFERR filter $fl"; exit 1; }
	echo "$fl" > $T/set_graph_function || { echo "PROFERR graph $fl"; exit 1; }
	echo > $T/trace
	echo function_graph > $T/current_tracer
	bench_close profile "$iters" > /dev/null
	echo 0 > $T/tracing_on
	awk -F'|' -v pass="$name" 'NF >= 2 && match($1, /[0-9]+\.[0-9]+ us/) {
		d = substr($1, RSTART, RLENGTH - 3); f = $2
		gsub(/[ ;(){}]/, "", f); sub(/\[closetrace\]/, "", f)
		if (f == "" || f ~ /^\/\*/) next
		n[f]++; s[f] += d * 1000
	} END { for (f in n) printf "PROF %s %s %d %.0f\n", pass, f, n[f], s[f] / n[f] }' $T/trace
	echo nop > $T/current_tracer
	echo 1 > $T/tracing_on
}
pass handlers ct_kp_fd_close ct_kp_final_put ct_kp_sock_release \
	ct_kp_inet_release ct_kp_send_fin ct_kp___tcp_close ct_kp_disconnect \
	ct_kp_destroy ct_tcp_close_entry ct_tcp_close_ret ct_tp_state \
	ct_tp_reset ct_tp_rcv_reset ct_tp_destroy
pass parts ct_ring_emit ct_new_ctx ct_ctx_free ct_track_insert ct_track_remove \
	ct_take_snapshot ct_pre_on_state
pass ring ct_ctx_alloc ct_fill_task ct_fill_sock ct_summary_account \
	ct_rb_write ct_write_lost ct_lookup ct_lookup_or_new
echo "PROFINFO written $(sed -n 's/^events_written //p' /proc/closetrace/stats) lost $(sed -n 's/^events_lost //p' /proc/closetrace/stats)"
rmmod closetrace
