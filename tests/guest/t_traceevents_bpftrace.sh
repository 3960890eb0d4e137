# closetrace's trace events read by Debian's bpftrace (bookworm's 0.17):
# with output=both, a bpftrace program on every tracepoint:closetrace:*
# printing args-> fields (type, close_id, fd, action, reason, family,
# ports, comm) sees the workload's records (helper_closes) one for one as
# the ring does, the ring's names mapped to numbers through the events'
# print format; and `tracepoint:closetrace:close { @[args->reason] =
# count(); }` counts what the ring's CLOSE records say. A kernel without
# bpf(2) is a SKIP with bpftrace's words, never a pass.
. /tests/lib.sh
. /tests/tracev-lib.sh

command -v bpftrace > /dev/null || { bad "bpftrace is not in the guest (scripts/guest-tools tracers)"; ct_done; }

ct_reload output=both
cd /tmp
# --- output=both: bpftrace against the ring
{
	for e in close refdrop release state reset timewait end death twend; do
		printf 'tracepoint:closetrace:%s { printf("%s %%llu %%d %%u %%u %%u %%u %%u %%s\\n", args->close_id, args->fd, args->action, args->reason, args->family, args->sport, args->dport, args->comm); }\n' $e $e
	done
	echo 'tracepoint:closetrace:close { @[args->reason] = count(); }'
	# BEGIN runs once every probe is attached ("Attaching N probes" is
	# printed before: on 6.12 and 7.2 the first closes were missed).
	echo 'BEGIN { printf("ready\n"); }'
} > /tmp/tv.bt
bpftrace /tmp/tv.bt > /tmp/tv.bt.out 2> /tmp/tv.bt.err &
tv_pid=$!
wait_until 300 eval 'grep -q "^ready" /tmp/tv.bt.out || ! kill -0 $tv_pid 2>/dev/null' || true
if ! kill -0 $tv_pid 2>/dev/null && grep -q 'Function not implemented' /tmp/tv.bt.err; then
	# ENOSYS: a kernel without bpf(2) (our tinyconfig debug kernels).
	tv_pid=
	echo "SKIP bpftrace cannot run on $(uname -r): $(grep -m 1 'Function not implemented' /tmp/tv.bt.err) (no bpf(2) in this kernel)"
	ct_reload_default
	exit 77
fi
grep -q '^ready' /tmp/tv.bt.out && kill -0 $tv_pid 2>/dev/null ||
	{ bad "bpftrace did not attach its probes (in 300 s):"; head -n 20 /tmp/tv.bt.err; }
echo clear > $C
/tests/helper_closes 21330 > /dev/null || bad "helper_closes 21330 failed"
tv_wait_quiet
closetrace --drain -j > /tmp/tv.ring.json
# bpftrace prints from its perf buffers as it polls them: let it catch up
# with the ring (at most 30 s; a shortfall then shows in the comparison).
nring=$(grep -c '"comm":"helper_closes"' /tmp/tv.ring.json) || true
wait_until 30 eval '[ "$(grep -c " $TV_COMM\$" /tmp/tv.bt.out)" -ge $nring ]' || true
tv_stop bpftrace $tv_pid
# bpftrace prints numbers: the ring's names mapped through the print format.
tv_symbols > /tmp/tv.syms
awk -v comm="$TV_COMM" 'FNR == NR { num[$1] = $2; next }
	function val(k,   m) {
		match($0, "\"" k "\":(\"[^\"]*\"|-?[0-9]+)")
		m = substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
		gsub(/"/, "", m)
		return m
	}
	# A DEATH has no comm: "-" (bpftrace prints nothing).
	(val("comm") == comm || (val("type") == "DEATH" && val("comm") == "")) && val("type") != "LOST" {
		print tolower(val("type")), val("close_id"), val("fd"), num[val("action")],
			num[val("reason")], val("family"), val("sport"), val("dport"),
			val("comm") == "" ? "-" : comm
	}' /tmp/tv.syms /tmp/tv.ring.json | sort > /tmp/tv.ring.bt
awk -v comm="$TV_COMM" '$1 == "death" && NF == 8 { $9 = "-" }
	$1 ~ /^(close|refdrop|release|state|reset|timewait|end|death|twend)$/ && ($9 == comm || ($1 == "death" && $9 == "-"))' \
	/tmp/tv.bt.out | sort > /tmp/tv.bt.lines
tv_same "bpftrace" /tmp/tv.ring.bt /tmp/tv.bt.lines
cmp -s /tmp/tv.ring.bt /tmp/tv.bt.lines ||
	{ echo "bpftrace's stderr:"; tail -n 20 /tmp/tv.bt.err; }
# @[reason]: count, against the ring's CLOSE records by reason (all comms)
awk 'FNR == NR { num[$1] = $2; next }
	/"type":"CLOSE"/ { match($0, /"reason":"[^"]*"/); r = substr($0, RSTART + 10, RLENGTH - 11); n[num[r]]++ }
	END { for (r in n) print "@[" r "]: " n[r] }' /tmp/tv.syms /tmp/tv.ring.json | sort > /tmp/tv.ring.count
grep '^@\[' /tmp/tv.bt.out | sort > /tmp/tv.bt.count
if [ ! -s /tmp/tv.ring.count ] || ! cmp -s /tmp/tv.ring.count /tmp/tv.bt.count; then
	bad "bpftrace's @[args->reason] = count() is not the ring's CLOSE count by reason:"
	diff -u /tmp/tv.ring.count /tmp/tv.bt.count || true
	echo "bpftrace's output ends:"
	tail -n 5 /tmp/tv.bt.out
	echo "bpftrace's stderr:"
	tail -n 20 /tmp/tv.bt.err
fi

ct_reload_default
ct_done
