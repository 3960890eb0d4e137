# /proc/closetrace/summary and output=counters (docs/summary.md):
#   - the text: its version, the lines always present;
#   - a known workload (helper_closes, 3 runs: per run an IPv4 FIN close,
#     its peer's passive close, an abort-unread RST close and the closed
#     peer's close, three listeners, a REFDROP then a FIN close and its
#     passive peer over ::1, a UDP and two unix releases) moves each
#     counter by what it did, checked against observers closetrace does
#     not share: the kernel's MIB counters (TCPAbortOnClose), its
#     tracepoints (inet_sock_set_state into CLOSE_WAIT, tcp_receive_reset,
#     tcp_destroy_sock) and /proc/net/tcp's TIME_WAIT sockets;
#   - the histograms count what the records say and sum their buckets;
#     a 2 s SO_LINGER expiry (sc_linger_wait) lands in the 2^31 ns bucket;
#   - output=counters, at load and through the control file: the same
#     workload moves the summary exactly as with the ring, and no record
#     is written; a bad output= changes nothing;
#   - disabled, closetrace counts nothing.
. /tests/lib.sh
T=/sys/kernel/tracing
SUM=/proc/closetrace/summary
RUNS=3
# TCP closes per helper_closes run: three pairs and their listeners, and
# the IPv6 socket it opens to learn whether the guest has IPv6.
NCLOSE=9
[ -e /proc/net/if_inet6 ] && NCLOSE=10

# sv FILE KEY...: the count on FILE's line "KEY... COUNT" (0 if none)
sv() {
	_f=$1
	shift
	awk -v k="$*" '{ n = $NF; $NF = ""; sub(/ $/, ""); if ($0 == k) { print n; f = 1 } }
		END { if (!f) print 0 }' "$_f"
}
# delta KEY...: the count's change from /tmp/s0 to /tmp/s1
delta() { echo $(($(sv /tmp/s1 "$@") - $(sv /tmp/s0 "$@"))); }
# tw PORT0: TIME_WAIT sockets (st 06) with a local or remote port PORT0..PORT0+99
tw() {
	awk -v lo="$1" 'FNR > 1 && $4 == "06" {
		split($2, a, ":"); split($3, b, ":")
		p = sprintf("%d", "0x" a[2]); q = sprintf("%d", "0x" b[2])
		if ((p >= lo && p < lo + 100) || (q >= lo && q < lo + 100)) n++ }
		END { print n + 0 }' /proc/net/tcp /proc/net/tcp6
}

# workload PORT0: helper_closes RUNS times from PORT0, with the kernel's
# tracepoints counting; /tmp/s0 and /tmp/s1 the summary around it,
# /tmp/tp.trace the tracepoints' text, ABORTS the MIB's delta.
workload() {
	echo 0 > $T/tracing_on
	echo > $T/trace
	for e in sock/inet_sock_set_state tcp/tcp_receive_reset tcp/tcp_destroy_sock; do
		echo 1 > $T/events/$e/enable
	done
	echo 1 > $T/tracing_on
	cat $SUM > /tmp/s0
	a0=$(mib /proc/net/netstat TcpExt TCPAbortOnClose)
	_i=0
	while [ $_i -lt $RUNS ]; do
		/tests/helper_closes $(($1 + 3 * _i)) > /dev/null || bad "helper_closes $(($1 + 3 * _i)) failed"
		_i=$((_i + 1))
	done
	wait_until 30 eval '[ "$(v tracked)" = 0 ]' ||
		bad "closetrace still follows $(v tracked) sockets 30 s after the workload"
	cat $SUM > /tmp/s1
	ABORTS=$(($(mib /proc/net/netstat TcpExt TCPAbortOnClose) - a0))
	echo 0 > $T/tracing_on
	for e in sock/inet_sock_set_state tcp/tcp_receive_reset tcp/tcp_destroy_sock; do
		echo 0 > $T/events/$e/enable
	done
	cat $T/trace > /tmp/tp.trace
	echo 1 > $T/tracing_on
	TW=$(tw "$1")
}

# deltas S0 S1: "KEY DELTA" of the counters (not the histograms), sorted
deltas() {
	awk 'NR == FNR { n = $NF; $NF = ""; a[$0] = n; next }
		{ n = $NF; $NF = ""; b[$0] = n }
		END { for (k in b) if (b[k] != a[k]) print k b[k] - a[k]
			for (k in a) if (!(k in b)) print k (-a[k]) }' "$1" "$2" |
		grep -E '^(close|release|reset_sent|reset_received|close_wait_entered|orphan_end) ' | sort
}

# expect WHAT WANT GOT
expect() {
	[ "$2" = "$3" ] || bad "$1: $3, want $2"
}

# check_workload LABEL: the summary's deltas against the workload and the
# kernel's observers.
check_workload() {
	_l=$1
	# The third pair is IPv6 when the guest has ::1 (as helper_closes
	# decides, by opening and closing an IPv6 socket: one more close),
	# else IPv4.
	if [ -e /proc/net/if_inet6 ]; then f3=inet6; v4=1; else f3=inet; v4=2; fi
	expect "$_l: IPv4 FIN closes from ESTABLISHED" $((RUNS * v4)) "$(delta close inet FIN fin ESTABLISHED)"
	expect "$_l: IPv4 passive FIN closes (CLOSE_WAIT)" $((RUNS * v4)) "$(delta close inet FIN fin CLOSE_WAIT)"
	expect "$_l: IPv4 listeners" $((RUNS * (v4 + 1))) "$(delta close inet NONE listener LISTEN)"
	expect "$_l: abort-unread RST closes" $((RUNS)) "$(delta close inet RST abort-unread ESTABLISHED)"
	expect "$_l: closes of the reset peer" $((RUNS)) "$(delta close inet NONE already-closed CLOSE)"
	if [ $f3 = inet6 ]; then
		expect "$_l: IPv6 FIN closes" $RUNS "$(delta close inet6 FIN fin ESTABLISHED)"
		expect "$_l: IPv6 passive closes" $RUNS "$(delta close inet6 FIN fin CLOSE_WAIT)"
		expect "$_l: IPv6 listeners" $RUNS "$(delta close inet6 NONE listener LISTEN)"
		expect "$_l: IPv6 probe sockets" $RUNS "$(delta close inet6 NONE already-closed CLOSE)"
	fi
	expect "$_l: UDP releases" $RUNS "$(delta release inet)"
	expect "$_l: unix releases" $((2 * RUNS)) "$(delta release unix)"
	expect "$_l: IPv6 non-TCP releases" 0 "$(delta release inet6)"
	# Every close line's delta: exactly those above.
	_all=$(awk '$1 == "close" { print $2, $3, $4, $5 }' /tmp/s0 /tmp/s1 | sort -u |
		while read -r f a r s; do delta close "$f" "$a" "$r" "$s"; done |
		awk '{ n += $1 } END { print n + 0 }')
	expect "$_l: closes in all" $((RUNS * NCLOSE)) "$_all"

	# RSTs: the kernel's MIB says how many closes aborted on unread data;
	# its tracepoint, how many RSTs TCP received.
	expect "$_l: abort-unread RSTs sent (TcpExt TCPAbortOnClose $ABORTS)" "$ABORTS" \
		"$(delta reset_sent abort-unread)"
	[ "$ABORTS" = "$RUNS" ] || bad "$_l: TCPAbortOnClose moved by $ABORTS, the workload aborted $RUNS"
	_rr=$(grep -c 'tcp_receive_reset:' /tmp/tp.trace || true)
	expect "$_l: RSTs received (tracepoint tcp_receive_reset $_rr)" "$_rr" "$(delta reset_received)"
	_cw=$(grep -c 'inet_sock_set_state:.*newstate=TCP_CLOSE_WAIT' /tmp/tp.trace || true)
	expect "$_l: CLOSE_WAIT entries (tracepoint inet_sock_set_state $_cw)" "$_cw" \
		"$(delta close_wait_entered)"
	[ "$_cw" = $((RUNS * 2)) ] || bad "$_l: the tracepoint saw $_cw CLOSE_WAIT entries, the workload made $((RUNS * 2))"

	# Ends: every TCP socket the workload closed was destroyed
	# (tcp_destroy_sock); the FIN closers live on in TIME_WAIT.
	_ds=$(grep -c 'tcp_destroy_sock:' /tmp/tp.trace || true)
	_ends=$(($(delta orphan_end timewait) + $(delta orphan_end closed)))
	expect "$_l: ends (tracepoint tcp_destroy_sock $_ds)" "$_ds" "$_ends"
	expect "$_l: ends into TIME_WAIT (/proc/net/tcp TIME_WAIT sockets $TW)" "$TW" \
		"$(delta orphan_end timewait)"
	[ "$TW" = $((RUNS * 2)) ] || bad "$_l: $TW TIME_WAIT sockets, the workload's active closers were $((RUNS * 2))"

	# Histograms: one close_ns value per close, one orphan lifetime per
	# end, no linger; each count is its buckets' sum.
	expect "$_l: close_ns count" $((RUNS * NCLOSE)) "$(delta hist_count close_ns)"
	expect "$_l: orphan_lifetime_ns count" "$_ends" "$(delta hist_count orphan_lifetime_ns)"
	expect "$_l: linger_wait_ns count" 0 "$(delta hist_count linger_wait_ns)"
	for h in close_ns orphan_lifetime_ns linger_wait_ns; do
		_b=$(awk -v h=$h '$1 == "hist" && $2 == h { n += $4 } END { print n + 0 }' /tmp/s1)
		expect "$_l: $h's buckets" "$(sv /tmp/s1 hist_count $h)" "$_b"
	done
}

# --- the text
ct_reload_default
cat $SUM > /tmp/s
[ "$(sv /tmp/s summary_version)" = 1 ] || bad "summary_version '$(sv /tmp/s summary_version)', want 1"
for k in "release inet" "release inet6" "release unix" "release other" reset_received \
	close_wait_entered "orphan_end timewait" "orphan_end closed" "hist_sum close_ns" \
	"hist_count close_ns" "hist_sum linger_wait_ns" "hist_count linger_wait_ns" \
	"hist_sum orphan_lifetime_ns" "hist_count orphan_lifetime_ns"; do
	grep -Eq "^$k [0-9]+$" /tmp/s || bad "no line '$k COUNT' in the summary"
done
if grep -Evq '^(summary_version|output|close|release|reset_sent|reset_received|close_wait_entered|orphan_end|hist|hist_sum|hist_count) ' /tmp/s; then
	bad "the summary has lines not in docs/summary.md:"
	grep -Ev '^(summary_version|output|close|release|reset_sent|reset_received|close_wait_entered|orphan_end|hist|hist_sum|hist_count) ' /tmp/s
fi

# --- output=ring: the workload, and the records that made the summary
ct_reload output=ring
workload 21400
check_workload ring
closetrace --drain -j > /tmp/sum.ring.json
n=$(grep -c '"type":"CLOSE".*"comm":"helper_closes"' /tmp/sum.ring.json || true)
expect "ring: helper_closes's CLOSE records" $((RUNS * NCLOSE)) "$n"
cp /tmp/s0 /tmp/ring.s0
cp /tmp/s1 /tmp/ring.s1

# --- a 2 s SO_LINGER expiry lands in the bucket up to 2^31 - 1 ns
cat $SUM > /tmp/s0
/tests/sc_linger_wait > /tmp/sum.linger 2>&1 || { bad "sc_linger_wait failed:"; cat /tmp/sum.linger; }
cat $SUM > /tmp/s1
expect "linger waits (sc_linger_wait: expire, drain, signal)" 3 "$(delta hist_count linger_wait_ns)"
# The expiry waited 2 s (the linger timer) and at most as long as close(2)
# took, by the scenario's own clock: its bucket is 2147483647 (up to
# 2.147 s), or the next one if close(2) took longer.
ms=$(sed -n 's/.*linger-wait expire: close(2) \([0-9]*\) ms.*/\1/p' /tmp/sum.linger)
b=$(delta hist linger_wait_ns 2147483647)
[ "${ms:-0}" -gt 2147 ] && b=$((b + $(delta hist linger_wait_ns 4294967295)))
[ "$b" -ge 1 ] ||
	bad "the 2 s linger expiry (close(2) ${ms:-?} ms) is not in linger_wait_ns's bucket 2147483647: $(grep 'hist linger_wait_ns' /tmp/s1)"

# --- output=counters through the control file
w0=$(v events_written)
echo output=counters > $C
[ "$(v output)" = counters ] || bad "stats say output '$(v output)' after output=counters"
[ "$(sv $SUM output)" = counters ] || bad "the summary says output '$(sv $SUM output)'"
workload 21500
check_workload counters
[ "$(v events_written)" = "$w0" ] || bad "output=counters: $(($(v events_written) - w0)) records written"
closetrace --drain -j > /tmp/sum.counters.json
[ -s /tmp/sum.counters.json ] && bad "output=counters: the reader got $(wc -l < /tmp/sum.counters.json) records"
# the same workload, the same counters' deltas as with the ring
deltas "/tmp/ring.s0" "/tmp/ring.s1" > /tmp/sum.d.ring
deltas /tmp/s0 /tmp/s1 > /tmp/sum.d.counters
if ! cmp -s /tmp/sum.d.ring /tmp/sum.d.counters; then
	bad "output=counters: the workload moved the counters otherwise than with output=ring:"
	diff /tmp/sum.d.ring /tmp/sum.d.counters || true
fi
# bad values change nothing
for o in garbage RING ring2 'both,ring' ''; do
	if echo "output=$o" > $C 2>/dev/null; then
		bad "control: output=$o was accepted"
	fi
	[ "$(v output)" = counters ] || bad "control: output=$o changed output to '$(v output)'"
done
echo output=ring > $C
[ "$(v output)" = ring ] || bad "output=ring through the control file: stats say '$(v output)'"

# --- disabled: nothing is counted
echo disable > $C
cat $SUM > /tmp/s0
/tests/helper_closes 21700 > /dev/null || bad "helper_closes 21700 failed"
cat $SUM > /tmp/s1
deltas /tmp/s0 /tmp/s1 > /tmp/sum.d.off
if [ -s /tmp/sum.d.off ]; then
	bad "disabled: the summary moved:"
	cat /tmp/sum.d.off
fi
echo enable > $C

# --- output=counters at load
ct_reload output=counters
[ "$(v output)" = counters ] || bad "output=counters at load: stats say '$(v output)'"
/tests/helper_closes 21600 > /dev/null || bad "helper_closes 21600 failed"
[ "$(v events_written)" = 0 ] || bad "output=counters at load: $(v events_written) records written"
[ "$(sv $SUM hist_count close_ns)" = $NCLOSE ] ||
	bad "output=counters at load: close_ns count $(sv $SUM hist_count close_ns), want $NCLOSE"
ct_reload_default
ct_done
