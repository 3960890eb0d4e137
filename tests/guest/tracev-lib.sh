# Sourced by t_traceevents.sh, t_traceevents_bpftrace.sh and t_traceevents_perf.sh (after lib.sh):
# closetrace's records as the trace events closetrace:* (output=trace or
# both), and their comparison with the ring's, record for record.
#
# A record is compared as one line, "type key=value ...", with the keys
# the event prints (module/trace/closetrace.h's TP_printk, in its order)
# taken from the ring's JSON line on one side and from the tool's text on
# the other. Only the workload's records (comm helper_closes, and the
# DEATH records, which have no comm) count.
TV_COMM=helper_closes
TV_EVENTS=/sys/kernel/tracing/events/closetrace
TV_ID='close_id pid tid comm fd ino family protocol sock_type src dst cookie netns cgroup_id vpid uid'
# The keys each event prints after TV_ID (closetrace.h).
tv_keys() {
	case $1 in
	close) echo state_before state_after action reason predicted_action \
		predicted_reason kernel_reason linger_on linger_sec linger2 \
		unread unsent unacked refs fins rsts timeout_ms blocked_ns flags \
		bytes_acked bytes_received segs_in segs_out total_retrans srtt_us \
		lifetime_ns death sk_err since_ns ;;
	refdrop) echo state_before action reason refs flags ;;
	release) echo action reason flags ;;
	state) echo state_before state_after action reason flags ;;
	reset) echo state_before action reason kernel_reason flags ;;
	timewait) echo state_before state_after action reason timeout_ms flags ;;
	end) echo state_before action reason count flags bytes_acked \
		bytes_received segs_in segs_out total_retrans srtt_us lifetime_ns ;;
	death) echo state_before action reason kernel_reason sk_err retransmits \
		unread rsts since_ns flags bytes_acked bytes_received segs_in \
		segs_out total_retrans srtt_us lifetime_ns ;;
	twend) echo state_before action reason count timeout_ms rsts lifetime_ns flags ;;
	esac
}
TV_KEYS=
for _t in close refdrop release state reset timewait end death twend; do
	TV_KEYS="$TV_KEYS $_t:$(tv_keys $_t | tr ' ' ,)"
done

# tv_ring_lines JSON: the ring's records (closetrace --json) as lines. A
# unix socket has no address: "-" in the JSON, nothing in the event (the
# tools print it empty, or "(einval)"): both sides say "-".
tv_ring_lines() {
	awk -v comm="$TV_COMM" -v id="$TV_ID" -v keys="$TV_KEYS" '
	function val(k,   m) {
		if (!match($0, "\"" k "\":(\"[^\"]*\"|-?[0-9]+)"))
			return "?"
		m = substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
		gsub(/"/, "", m)
		return m
	}
	BEGIN {
		n = split(keys, kl, " ")
		for (i = 1; i <= n; i++) {
			split(kl[i], p, ":")
			ks[p[1]] = p[2]
		}
	}
	# A DEATH has no closer (comm ""): the workload is all this guest runs.
	val("comm") == comm || (val("type") == "DEATH" && val("comm") == "") {
		t = tolower(val("type"))
		if (!(t in ks))
			next
		line = t
		nk = split(id, a, " ")
		nk2 = split(ks[t], b, ",")
		for (i = 1; i <= nk2; i++)
			a[nk + i] = b[i]
		for (i = 1; i <= nk + nk2; i++) {
			v = val(a[i])
			if ((a[i] == "src" || a[i] == "dst") && val("family") == 1)
				v = "-"
			line = line " " a[i] "=" v
		}
		print line
	}' "$1" | sort
}

# tv_text_lines FILE: the events in a tool's text (trace-cmd report, perf
# script, tracefs trace) as lines: the event's name, then its key=value
# pairs as printed.
tv_text_lines() {
	awk -v comm="$TV_COMM" '
	{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(closetrace:)?(close|refdrop|release|state|reset|timewait|end|death|twend):$/)
				break
		if (i > NF)
			next
		t = $i
		sub(/^closetrace:/, "", t)
		sub(/:$/, "", t)
		line = t
		fam = ""
		c = ""
		for (j = i + 1; j <= NF; j++) {
			k = $j
			sub(/=.*/, "", k)
			if (k == "family")
				fam = substr($j, 8)
			if (k == "comm")
				c = substr($j, 6)
		}
		if (c != comm && !(t == "death" && c == ""))
			next
		for (j = i + 1; j <= NF; j++) {
			f = $j
			if (fam == 1 && f ~ /^(src|dst)=/)
				f = substr(f, 1, 4) "-"
			line = line " " f
		}
		print line
	}' "$1" | sort
}

# tv_same WHAT RING_LINES TOOL_LINES: the same records, one for one.
tv_same() {
	if [ ! -s "$2" ]; then
		bad "$1: the ring has no record of $TV_COMM"
	elif ! cmp -s "$2" "$3"; then
		bad "$1: not the ring's records ($(wc -l < "$2") in the ring, $(wc -l < "$3") from the tool); - ring, + tool:"
		diff -u "$2" "$3" | grep '^[-+][^-+]' | head -n 40
	else
		echo "$1: the ring's $(wc -l < "$2") records, one for one"
	fi
}

# tv_wait_quiet: the workload's sockets have all ended (nothing tracked).
tv_wait_quiet() {
	wait_until 30 eval '[ "$(v tracked)" = 0 ]' ||
		bad "closetrace still follows $(v tracked) sockets 30 s after the workload"
}

# tv_stop NAME PID: SIGINT (the tools write their data and exit), then
# wait for it, at most 120 s.
tv_stop() {
	kill -INT "$2" 2>/dev/null || true
	if ! wait_until 120 eval '! kill -0 '"$2"' 2>/dev/null'; then
		bad "$1 did not stop within 120 s of SIGINT"
		kill -KILL "$2" 2>/dev/null || true
	fi
	wait "$2" 2>/dev/null || true
	tv_pid=
}

# The tracer running in the background (trace-cmd, bpftrace, perf), set by
# the test after starting it: a test that stops early kills it and turns
# the events off, then lib.sh's ct_on_exit restores the module. (Returns
# the test's status, for ct_on_exit.)
tv_pid=
tv_on_exit() {
	_st=$?
	echo 0 > $TV_EVENTS/enable 2>/dev/null || true
	[ -z "$tv_pid" ] || kill -KILL "$tv_pid" 2>/dev/null || true
	return $_st
}
trap 'tv_on_exit; ct_on_exit' EXIT

# tv_symbols: "name number" for every name the events' print format maps
# (__print_symbolic, after TRACE_DEFINE_ENUM made the values numbers).
tv_symbols() {
	grep -o '{ [0-9]*, "[^"]*" }' $TV_EVENTS/close/format |
		sed 's/{ \([0-9]*\), "\([^"]*\)" }/\2 \1/' | sort -u
}
