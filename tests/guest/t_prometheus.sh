# closetrace --prometheus, read by the real node_exporter (Debian
# bookworm's, scripts/guest-tools prometheus) as a fleet would:
#   - node_exporter's textfile collector serves exactly what closetrace
#     wrote (every sample, values compared as numbers), with no scrape
#     error, and promtool check metrics accepts the file;
#   - the scraped counts move by exactly the closes helper_closes made
#     (its header: a FIN close and its passive peer, a listener, an
#     abort-unread RST and the reset peer's close, a dup'ed fd's last
#     close over IPv6 and its passive peer, a UDP and a unix pair
#     released, and its IPv6 probe socket): 10 TCP closes, each by
#     action, reason and state, the close-duration histogram's count, the
#     RST sent and received, two CLOSE_WAITs; and they agree with the kernel's own MIB counters
#     (TcpExt TCPAbortOnClose, Tcp OutRsts), an observer closetrace does
#     not share;
#   - --interval rewrites the file until SIGTERM, then exits 0;
#   - bad input: --interval 0, abc, 86401; a directory that does not exist
#     or is read-only; a summary_version it does not know; an unparsable
#     line; the module not loaded: an error, a non-zero exit, and the file
#     left as it was (no temporary file either).
. /tests/lib.sh
NE=/usr/bin/prometheus-node-exporter
PT=/usr/bin/promtool
TD=/tmp/prom.textfile
PROM=$TD/closetrace.prom
URL=http://127.0.0.1:9100/metrics
SUM=/proc/closetrace/summary

for t in $NE $PT; do
	[ -x "$t" ] || { bad "$t is not in the guest (scripts/guest-tools prometheus)"; ct_done; }
done
[ -r $SUM ] || { bad "no $SUM: the module does not write the summary --prometheus reads"; ct_done; }

ne_pid=
ne_on_exit() {
	_st=$?
	[ -z "$ne_pid" ] || kill -KILL "$ne_pid" 2>/dev/null || true
	umount /tmp/prom.ro 2>/dev/null || true
	return $_st
}
trap 'ne_on_exit; ct_on_exit' EXIT

# msum FILE NAME [LABEL="VALUE"...]: the sum of the samples of NAME that
# have all these labels (in any order: node_exporter sorts them), as an
# integer.
msum() {
	_f=$1 _n=$2
	shift 2
	awk -v n="$_n" -v want="$*" '
		BEGIN { k = split(want, w, " ") }
		{
			name = $1; sub(/\{.*/, "", name)
			if (name != n) next
			lab = $1
			if (index(lab, "{")) { sub(/^[^{]*\{/, ",", lab); sub(/\}$/, ",", lab) } else lab = ","
			for (i = 1; i <= k; i++) if (!index(lab, "," w[i] ",")) next
			s += $2
		}
		END { printf "%.0f\n", s }' "$_f"
}

# samples FILE: the closetrace_ samples, normalised: labels sorted, le
# bounds and values as numbers ("0.000001023" and "1.023e-06" are one).
samples() {
	awk '/^closetrace_/ {
		name = $1; lab = ""
		if (index(name, "{")) { lab = name; sub(/\{.*/, "", name); sub(/^[^{]*\{/, "", lab); sub(/\}$/, "", lab) }
		k = split(lab, l, ",")
		for (i = 1; i <= k; i++) {
			if (l[i] ~ /^le="/ && l[i] != "le=\"+Inf\"") {
				v = l[i]; gsub(/^le="|"$/, "", v); l[i] = sprintf("le=\"%.17g\"", v + 0)
			}
		}
		for (i = 2; i <= k; i++)	# insertion sort: at most 4 labels
			for (j = i; j > 1 && l[j - 1] > l[j]; j--) { t = l[j]; l[j] = l[j - 1]; l[j - 1] = t }
		key = name "{"
		for (i = 1; i <= k; i++) key = key (i > 1 ? "," : "") l[i]
		printf "%s} %.17g\n", key, $2 + 0
	}' "$1" | sort
}

# quiet: no TCP socket but listeners and timewait sockets (an earlier
# test's or the workload's orphans have ended), and closetrace follows none.
TCPFILES=/proc/net/tcp
[ ! -e /proc/net/tcp6 ] || TCPFILES="$TCPFILES /proc/net/tcp6"
closing() { awk 'FNR > 1 && $4 != "0A" && $4 != "06"' $TCPFILES; }
quiet() { [ "$(v tracked)" = 0 ] && [ -z "$(closing)" ]; }

rm -rf $TD
mkdir -p $TD
$NE --web.listen-address=127.0.0.1:9100 --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory=$TD --web.disable-exporter-metrics > /tmp/prom.ne.log 2>&1 &
ne_pid=$!
wait_until 60 eval "wget -q -O /tmp/prom.scrape0 $URL 2> /dev/null" ||
	{ bad "node_exporter did not answer on $URL within 60 s:"; head -n 20 /tmp/prom.ne.log; ct_done; }
echo "node_exporter $($NE --version 2>&1 | head -n 1)"

# --- the workload's closes, counted
wait_until 30 quiet ||
	{ bad "before the workload, closetrace follows $(v tracked) sockets and these still close after 30 s:"; closing | head -n 5; }
closetrace --prometheus $PROM || bad "closetrace --prometheus $PROM failed (exit $?)"
cp $PROM /tmp/prom.before
abort0=$(mib /proc/net/netstat TcpExt TCPAbortOnClose)
rsts0=$(mib /proc/net/snmp Tcp OutRsts)
/tests/helper_closes 21800 > /dev/null || bad "helper_closes 21800 failed"
wait_until 30 quiet || bad "the workload's sockets still closing after 30 s"
abort1=$(mib /proc/net/netstat TcpExt TCPAbortOnClose)
rsts1=$(mib /proc/net/snmp Tcp OutRsts)
closetrace --prometheus $PROM || bad "closetrace --prometheus $PROM failed (exit $?)"
cp $PROM /tmp/prom.after
# (the scrape's own connection closes after the file was written)
wget -q -O /tmp/prom.scrape $URL || bad "scraping $URL failed"

# node_exporter serves what closetrace wrote, and promtool accepts it
samples /tmp/prom.after > /tmp/prom.after.s
samples /tmp/prom.scrape > /tmp/prom.scrape.s
n=$(wc -l < /tmp/prom.after.s)
[ "$n" -ge 200 ] || bad "only $n closetrace samples in the file"
cmp -s /tmp/prom.after.s /tmp/prom.scrape.s ||
	{ bad "node_exporter's closetrace samples differ from the file's (< file, > scrape):"; diff /tmp/prom.after.s /tmp/prom.scrape.s | head -n 20; }
grep -q '^node_textfile_scrape_error 0$' /tmp/prom.scrape ||
	{ bad "node_exporter's textfile collector reports an error:"; grep -E '^node_textfile|level=(error|warn)' /tmp/prom.scrape /tmp/prom.ne.log | head -n 10; }
grep -q '^node_textfile_mtime_seconds{file="[^"]*closetrace.prom"}' /tmp/prom.scrape ||
	bad "node_exporter shows no mtime of closetrace.prom"
if ! $PT check metrics < /tmp/prom.after > /tmp/prom.promtool 2>&1; then
	bad "promtool check metrics refuses the file:"; head -n 20 /tmp/prom.promtool
elif [ -s /tmp/prom.promtool ]; then
	bad "promtool check metrics complains:"; head -n 20 /tmp/prom.promtool
fi
for m in closetrace_closes_total closetrace_releases_total closetrace_resets_sent_total \
	closetrace_resets_received_total closetrace_close_wait_entered_total closetrace_orphan_ends_total \
	closetrace_lost_records_total closetrace_untracked_total closetrace_incomplete_total; do
	grep -q "^# TYPE $m counter\$" /tmp/prom.scrape || bad "the scrape has no '# TYPE $m counter'"
	grep -q "^# HELP $m ." /tmp/prom.scrape || bad "the scrape has no HELP for $m"
done
for m in closetrace_close_duration_seconds closetrace_linger_wait_seconds closetrace_orphan_lifetime_seconds; do
	grep -q "^# TYPE $m histogram\$" /tmp/prom.scrape || bad "the scrape has no '# TYPE $m histogram'"
	[ "$(msum /tmp/prom.scrape ${m}_bucket 'le="+Inf"')" = "$(msum /tmp/prom.scrape ${m}_count)" ] ||
		bad "$m: the +Inf bucket is not the count"
done

# d NAME [LABEL...]: how much a metric moved (the scrape after the
# workload, less closetrace's file before it)
d() { echo $(($(msum /tmp/prom.scrape "$@") - $(msum /tmp/prom.before "$@"))); }
# want WHAT GOT EXPECTED
want() { [ "$2" = "$3" ] || bad "$1: $2, want $3"; }
C=closetrace_closes_total
want "RST abort-unread closes (the server's close with 13 unread bytes)" "$(d $C 'action="RST"' 'reason="abort-unread"' 'state="ESTABLISHED"' 'family="inet"')" 1
want "RST closes" "$(d $C 'action="RST"')" 1
want "listener closes" "$(d $C 'action="NONE"' 'reason="listener"' 'state="LISTEN"')" 3
want "FIN closes from ESTABLISHED (the two active closers)" "$(d $C 'action="FIN"' 'reason="fin"' 'state="ESTABLISHED"')" 2
want "FIN closes from CLOSE_WAIT (the two passive closers)" "$(d $C 'action="FIN"' 'reason="fin"' 'state="CLOSE_WAIT"')" 2
# helper_closes tries socket(AF_INET6) first and closes it unconnected
# (CLOSE: already-closed); with IPv6 its third pair is over ::1.
tcp=9 done=1
if [ -e /proc/net/tcp6 ]; then
	tcp=10 done=2
	want "IPv6 closes (the probe socket, the dup'ed fd's last close, its peer, their listener)" "$(d $C 'family="inet6"')" 4
fi
want "closes of sockets already closed (the reset client, the IPv6 probe)" "$(d $C 'action="NONE"' 'reason="already-closed"' 'state="CLOSE"')" $done
want "TCP closes in all" "$(d $C)" $tcp
want "the close-duration histogram's count" "$(d closetrace_close_duration_seconds_count)" $tcp
# (the sum in seconds: compared as a number)
awk -v a="$(grep '^closetrace_close_duration_seconds_sum ' /tmp/prom.before)" \
	-v b="$(grep '^closetrace_close_duration_seconds_sum ' /tmp/prom.scrape)" \
	'BEGIN { split(a, x, " "); split(b, y, " "); exit !(y[2] + 0 > x[2] + 0) }' ||
	bad "the close-duration histogram's sum did not grow"
want "the linger-wait histogram's count (no SO_LINGER)" "$(d closetrace_linger_wait_seconds_count)" 0
want "UDP releases" "$(d closetrace_releases_total 'family="inet"')" 1
want "unix releases (a socketpair)" "$(d closetrace_releases_total 'family="unix"')" 2
want "RSTs sent (abort-unread)" "$(d closetrace_resets_sent_total 'reason="abort-unread"')" 1
want "RSTs sent" "$(d closetrace_resets_sent_total)" 1
want "RSTs received (the client)" "$(d closetrace_resets_received_total)" 1
want "CLOSE_WAITs entered (the two passive closers)" "$(d closetrace_close_wait_entered_total)" 2
o=$(d closetrace_orphan_ends_total)
[ "$o" -ge 4 ] || bad "orphan ends: $o, want at least the workload's 4 (two to timewait, two from LAST_ACK)"
for m in closetrace_lost_records_total closetrace_untracked_total closetrace_incomplete_total; do
	want "$m" "$(d $m)" 0
done
# The kernel's own counters
want "TcpExt TCPAbortOnClose, the kernel's (closetrace: 1 abort-unread)" $((abort1 - abort0)) 1
want "Tcp OutRsts, the kernel's, against closetrace's RSTs sent" $((rsts1 - rsts0)) "$(d closetrace_resets_sent_total)"
if [ $fail = 1 ]; then
	echo "what moved (closetrace's file before, the scrape after):"
	samples /tmp/prom.before | grep -v _bucket > /tmp/prom.b
	samples /tmp/prom.scrape | grep -v _bucket > /tmp/prom.a
	diff /tmp/prom.b /tmp/prom.a | grep '^[<>]' | head -n 40
fi

# --- --interval: rewrites until SIGTERM
rm -f $TD/interval.prom
closetrace --prometheus $TD/interval.prom --interval 1 2> /tmp/prom.interval.err &
ip=$!
wait_until 10 test -s $TD/interval.prom || bad "--interval 1: no file after 10 s"
n0=$(msum $TD/interval.prom closetrace_releases_total 'family="unix"')
/tests/helper_closes 21810 > /dev/null || bad "helper_closes 21810 failed"
wait_until 10 eval '[ "$(msum $TD/interval.prom closetrace_releases_total family=\"unix\")" = $((n0 + 2)) ]' ||
	bad "--interval 1: the file did not show the 2 new unix releases within 10 s"
kill -TERM $ip
wait_until 5 eval '! kill -0 $ip 2>/dev/null' || bad "--interval: still running 5 s after SIGTERM"
rc=0
wait $ip || rc=$?
want "--interval: exit status after SIGTERM" $rc 0
[ ! -s /tmp/prom.interval.err ] || { bad "--interval wrote to stderr:"; head -n 5 /tmp/prom.interval.err; }
wait_until 30 quiet || true

# --- bad input: an error, a non-zero exit, no file or the file unchanged
ls $TD > /tmp/prom.ls0
# refused ARGS... (FILE, ERE): closetrace ARGS fails, saying ERE, and
# leaves $TD as it was (no new file, no temporary file)
refused() {
	_want=$1
	shift
	_rc=0
	"$@" > /tmp/prom.out 2> /tmp/prom.err || _rc=$?
	[ $_rc != 0 ] || bad "'$*' exited 0"
	grep -Eq "$_want" /tmp/prom.err || { bad "'$*': stderr does not say /$_want/:"; head -n 3 /tmp/prom.err; }
	ls $TD > /tmp/prom.ls1
	cmp -s /tmp/prom.ls0 /tmp/prom.ls1 || { bad "'$*' changed $TD:"; diff /tmp/prom.ls0 /tmp/prom.ls1; }
}
for i in 0 abc 86401 -5 ''; do
	refused "invalid interval '$i' \(1-86400 seconds\)" closetrace --prometheus $TD/bad.prom --interval "$i"
done
refused "takes no other option than --interval" closetrace --prometheus $TD/bad.prom --interval 5 -j
# (without --prometheus, --interval is -i: the reader's periodic summaries)
refused "prints summaries as text" closetrace --interval 5 --csv
refused "cannot write /tmp/prom.none/x.prom.tmp.[0-9]+: No such file or directory" closetrace --prometheus /tmp/prom.none/x.prom
mkdir -p /tmp/prom.ro
mount -t tmpfs -o ro none /tmp/prom.ro
refused "cannot write /tmp/prom.ro/x.prom.tmp.[0-9]+: Read-only file system" closetrace --prometheus /tmp/prom.ro/x.prom
[ -z "$(ls -A /tmp/prom.ro)" ] || bad "a file was left in the read-only directory"
umount /tmp/prom.ro

# The file itself left as it was on a summary it refuses
cp $PROM /tmp/prom.keep
mkdir -p /tmp/prom.fake
cat $SUM > /tmp/prom.fake/summary
cat $S > /tmp/prom.fake/stats
sed -i 's/^summary_version 1$/summary_version 2/' /tmp/prom.fake/summary
refused "summary_version 2: this closetrace reads version 1 only" env CLOSETRACE_PROC=/tmp/prom.fake closetrace --prometheus $PROM
cat $SUM > /tmp/prom.fake/summary
echo "close inet FIN fin ESTABLISHED many" >> /tmp/prom.fake/summary
refused "summary: line [0-9]+: want 'close FAMILY ACTION REASON STATE COUNT'" env CLOSETRACE_PROC=/tmp/prom.fake closetrace --prometheus $PROM
cat $SUM > /tmp/prom.fake/summary
echo "bogus 1" >> /tmp/prom.fake/summary
refused "summary: line [0-9]+: unknown line 'bogus'" env CLOSETRACE_PROC=/tmp/prom.fake closetrace --prometheus $PROM
cmp -s $PROM /tmp/prom.keep || bad "a refused summary changed $PROM"
# (the fake summary's good copy is accepted: the edits are what it refused)
cat $SUM > /tmp/prom.fake/summary
CLOSETRACE_PROC=/tmp/prom.fake closetrace --prometheus $TD/fake.prom || bad "the summary's copy was refused"
rm -f $TD/fake.prom
cp /tmp/prom.keep $PROM

rmmod closetrace
refused "the closetrace module is not loaded" closetrace --prometheus $PROM
cmp -s $PROM /tmp/prom.keep || bad "with the module unloaded, $PROM changed"
ct_reload_default

kill -TERM $ne_pid
wait $ne_pid 2>/dev/null || true
ne_pid=
ct_done
