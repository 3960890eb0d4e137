# The reader's bcc-style options against what the scenario knows
# (helper_closes: a FIN close, its passive peer and the listener on PORT;
# an abort-unread RST close and its reset peer on PORT+1; a REFDROP then a
# FIN close over ::1, or IPv4 without IPv6, on PORT+2; a UDP and two unix
# releases) and against the kernel's own counters:
#   - filters -L, -D, -4, -6, --laddr, --raddr, --type, --action, -u: each
#     selects exactly the records the helper's design says, and the same
#     records as selecting from the unfiltered output;
#   - filters the module understands are set in it while the reader runs
#     (records it drops are never written: `written` moves by what the
#     reader shows) and reset at its exit; filters someone else set stay;
#   - time order: the records as they come are out of order (a CLOSE is
#     written at tcp_close's return with its start time), the reader's are
#     not, live and from a file, and are the same records;
#   - -T: wall-clock times between `date` before and after the closes;
#     --timestamp mono: the records' ts_ns;
#   - -i: per-interval counts by action, reason and state, summing to the
#     TCP closes helper_conn made (and its abort to TCPAbortOnClose);
#   - --summary ends with the same table.
. /tests/lib.sh
PORT=20600
# JSON lines' field: jf FIELD < FILE
jf() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",]*\).*/\1/p"; }
# n_lines PATTERN FILE: lines of FILE matching the extended regular expression
n_lines() { grep -Ec "$1" "$2" || true; }

has6=0
[ -e /proc/net/if_inet6 ] && has6=1
echo clear > $C
a0=$(mib /proc/net/netstat TcpExt TCPAbortOnClose)
/tests/helper_closes $PORT > /dev/null || bad "helper_closes failed"
a1=$(mib /proc/net/netstat TcpExt TCPAbortOnClose)
closetrace --drain -r > /tmp/o.bin || bad "closetrace -r failed"
closetrace -f /tmp/o.bin -j > /tmp/o.json || bad "closetrace -f failed"
grep -q "\"sport\":$PORT," /tmp/o.json || bad "no record of the workload"

# sel OPTIONS...: the records closetrace -f selects, as JSON lines
sel() { closetrace -f /tmp/o.bin -j "$@" > /tmp/sel.json || bad "closetrace $* failed"; }
# --action rst --type CLOSE: the one abort-unread close, as the MIB counts it
sel --action rst --type CLOSE
[ "$(wc -l < /tmp/sel.json)" = $((a1 - a0)) ] && [ $((a1 - a0)) = 1 ] ||
	{ bad "--action rst: $(wc -l < /tmp/sel.json) CLOSE records, TCPAbortOnClose moved $((a1 - a0))"; cat /tmp/sel.json; }
grep -q "\"sport\":$((PORT + 1)),.*\"reason\":\"abort-unread\"" /tmp/sel.json ||
	bad "--action rst: not the abort-unread close on $((PORT + 1))"
# --action rst alone: that close and the RESET records; nothing that sent a FIN
sel --action rst
! grep -q '"action":"FIN"' /tmp/sel.json || bad "--action rst let a FIN close through"
[ "$(n_lines '"type":"(STATE|END|REFDROP|RELEASE|TIMEWAIT)"' /tmp/sel.json)" = 0 ] ||
	bad "--action rst let a record without an action through"
[ "$(wc -l < /tmp/sel.json)" = "$(n_lines '"type":"RESET"|"type":"(CLOSE|DEATH|TWEND)".*"action":"RST"' /tmp/o.json)" ] ||
	bad "--action rst: not every RST"
# -L PORT: the server side and the listener; -D PORT: the client
sel -L $PORT --type CLOSE
[ "$(wc -l < /tmp/sel.json)" = 2 ] || { bad "-L $PORT: want the server's and the listener's CLOSE"; cat /tmp/sel.json; }
[ "$(n_lines '"state_before":"LISTEN"' /tmp/sel.json)" = 1 ] || bad "-L $PORT: no listener"
sel -D $PORT --type CLOSE
[ "$(wc -l < /tmp/sel.json)" = 1 ] && grep -q "\"dport\":$PORT,.*\"state_before\":\"ESTABLISHED\"" /tmp/sel.json ||
	{ bad "-D $PORT: want the client's CLOSE"; cat /tmp/sel.json; }
! closetrace -f /tmp/o.bin -D 1-nothing > /dev/null 2>&1 || bad "-D 1-nothing accepted"
sel -L $((PORT + 1)),$PORT
[ "$(wc -l < /tmp/sel.json)" = "$(n_lines "\"sport\":($PORT|$((PORT + 1)))," /tmp/o.json)" ] ||
	bad "-L with two ports: not the records with those local ports"
# -4, -6, --laddr, --raddr: against the family and addresses of each record
sel -4
[ "$(wc -l < /tmp/sel.json)" = "$(n_lines '"type":"LOST"|"family":2,' /tmp/o.json)" ] || bad "-4: not the IPv4 records"
sel -6
[ "$(wc -l < /tmp/sel.json)" = "$(n_lines '"type":"LOST"|"family":10,' /tmp/o.json)" ] || bad "-6: not the IPv6 records"
if [ $has6 = 1 ]; then
	grep -q "\"type\":\"CLOSE\".*\"dport\":$((PORT + 2))," /tmp/sel.json ||
		bad "-6: no IPv6 close to $((PORT + 2))"
	# the client and the server (the listener's remote address is ::)
	sel --raddr ::1 --type CLOSE
	[ "$(wc -l < /tmp/sel.json)" = 2 ] || { bad "--raddr ::1: want the IPv6 client's and server's CLOSE"; cat /tmp/sel.json; }
fi
sel --laddr 127.0.0.0/8 --type CLOSE
[ "$(wc -l < /tmp/sel.json)" = "$(n_lines '"type":"CLOSE".*"src":"127\.' /tmp/o.json)" ] &&
	[ "$(wc -l < /tmp/sel.json)" -ge 5 ] || bad "--laddr 127.0.0.0/8: not the closes from 127/8"
sel --raddr 127.0.0.1 --type CLOSE
! grep -v '"dst":"127\.0\.0\.1:' /tmp/sel.json | grep -q . || bad "--raddr 127.0.0.1 let another address through"
sel --type release,refdrop
[ "$(n_lines '"type":"REFDROP"' /tmp/sel.json)" = 1 ] && [ "$(n_lines '"type":"RELEASE"' /tmp/sel.json)" = 3 ] &&
	[ "$(wc -l < /tmp/sel.json)" = 4 ] || { bad "--type release,refdrop: want one REFDROP (the dup), three RELEASEs (UDP, unix pair)"; cat /tmp/sel.json; }

# -u: the sockets nobody made (helper_conn as nobody: its client, server
# and listener), none of root's; by name and by number.
nobody=$(id -u nobody)
su nobody -s /bin/sh -c "/tests/helper_conn $((PORT + 50))" || bad "helper_conn as nobody failed"
/tests/helper_conn $((PORT + 51)) || bad "helper_conn failed"
closetrace --drain -r > /tmp/u.bin
for u in nobody "$nobody"; do
	closetrace -f /tmp/u.bin -j -u "$u" --type CLOSE > /tmp/u.json || bad "closetrace -u $u failed"
	[ "$(wc -l < /tmp/u.json)" = 3 ] && [ "$(n_lines "\"uid\":$nobody}" /tmp/u.json)" = 3 ] &&
		[ "$(n_lines "\"[sd]port\":$((PORT + 50))," /tmp/u.json)" = 3 ] ||
		{ bad "-u $u: want the 3 CLOSEs of nobody's helper_conn"; cat /tmp/u.json; }
done

# Time order. As they came (--reorder-window 0): a CLOSE after a record
# it began before. As the reader prints them: never back in time, and the
# same records.
closetrace -f /tmp/o.bin -j --reorder-window 0 | jf ts_ns > /tmp/ts.came
jf ts_ns < /tmp/o.json > /tmp/ts.out
awk 'NR > 1 && $1 < p { n++ } { p = $1 } END { exit !n }' /tmp/ts.came ||
	bad "no record came out of time order: the order check cannot see anything"
awk 'NR > 1 && $1 < p { n++ } { p = $1 } END { exit n }' /tmp/ts.out || bad "-f output not in time order"
[ "$(sort /tmp/ts.came | md5sum)" = "$(sort /tmp/ts.out | md5sum)" ] || bad "ordering changed the records"
# live: the reader holds records for the window, then in order
closetrace -j -d 5 > /tmp/live.json 2>/tmp/live.err &
rd=$!
sleep 1
/tests/helper_closes $((PORT + 10)) > /dev/null || bad "helper_closes failed"
wait $rd || bad "live reader failed: $(cat /tmp/live.err)"
grep -q "\"sport\":$((PORT + 10))," /tmp/live.json || bad "live: no record of the workload"
jf ts_ns < /tmp/live.json | awk 'NR > 1 && $1 < p { n++ } { p = $1 } END { exit n }' ||
	bad "live output not in time order"

# -T: wall-clock times within the seconds around the closes
t0=$(date +%s)
/tests/helper_conn $((PORT + 20)) || bad "helper_conn failed"
t1=$(date +%s)
closetrace --drain -T -P $((PORT + 20)) > /tmp/t.txt || bad "closetrace -T failed"
head -n 1 /tmp/t.txt | grep -q '^TIME ' || bad "-T: no TIME header"
awk -v lo=$(((t0 - 1) % 86400)) -v hi=$(((t1 + 1) % 86400)) 'NR > 1 {
	if ($1 !~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]{9}$/) { bad++; next }
	split($1, h, ":"); s = h[1] * 3600 + h[2] * 60 + int(h[3])
	if (lo <= hi ? (s < lo || s > hi) : (s < lo && s > hi)) bad++; n++ }
	END { exit bad || n < 3 }' /tmp/t.txt ||
	{ bad "-T: times not within $(date -d @$t0 +%T) - $(date -d @$t1 +%T)"; cat /tmp/t.txt; }
# --timestamp mono: ts_ns in seconds
/tests/helper_conn $((PORT + 21)) || bad "helper_conn failed"
closetrace --drain -r > /tmp/m.bin
closetrace -f /tmp/m.bin --timestamp mono -P $((PORT + 21)) | awk 'NR > 1 { print $1 }' > /tmp/m.t
closetrace -f /tmp/m.bin -j -P $((PORT + 21)) | jf ts_ns | awk '{ printf "%d.%06d\n", $1 / 1000000000, ($1 % 1000000000) / 1000 }' > /tmp/m.j
[ -s /tmp/m.t ] && cmp -s /tmp/m.t /tmp/m.j || { bad "--timestamp mono: not ts_ns"; paste /tmp/m.t /tmp/m.j; }

# Filters set in the module while the reader runs: what it drops is never
# written. helper_conn PORT+30 (shown) and PORT+31 (not) while -P PORT+30.
w0=$(v events_written)
closetrace -j -P $((PORT + 30)) -d 4 > /tmp/p.json 2>/tmp/p.err &
rd=$!
wait_until 3 sh -c "grep -q '^filter_port $((PORT + 30))\$' $S" || bad "-P not set in the module: $(grep filter_ $S)"
/tests/helper_conn $((PORT + 30)) 2
/tests/helper_conn $((PORT + 31)) 2
wait $rd || bad "reader -P failed: $(cat /tmp/p.err)"
w1=$(v events_written)
grep -q '^filter_port 0$' $S || bad "the module's port filter was not reset: $(grep filter_ $S)"
[ "$(n_lines '"type":"CLOSE"' /tmp/p.json)" = 5 ] || bad "-P: want 5 CLOSE records (2 clients, 2 servers, the listener)"
! grep -q "$((PORT + 31))" /tmp/p.json || bad "-P let port $((PORT + 31)) through"
[ $((w1 - w0)) = "$(wc -l < /tmp/p.json)" ] ||
	bad "written moved by $((w1 - w0)), the reader showed $(wc -l < /tmp/p.json): dropped records were written"
# A filter someone set stays, and the reader says so.
echo pid=1 > $C
closetrace --drain -P 80 > /dev/null 2>/tmp/p.err || bad "reader with a module filter set failed"
grep -q 'already set' /tmp/p.err || bad "no word about the module's own filter: $(cat /tmp/p.err)"
grep -q '^filter_pid 1$' $S && grep -q '^filter_port 0$' $S || bad "the reader changed someone else's filter: $(grep filter_ $S)"
echo filter=off > $C

# -i: counts per interval, summing to the closes made: helper_conn N makes
# N client, N server closes and the listener's.
closetrace -i 1 -d 4 -P $((PORT + 40)) > /tmp/i.txt 2>/tmp/i.err &
rd=$!
sleep 1
/tests/helper_conn $((PORT + 40)) 4
wait $rd || bad "closetrace -i failed: $(cat /tmp/i.err)"
[ "$(n_lines 'last 1 s:' /tmp/i.txt)" -ge 3 ] || { bad "-i 1 -d 4: want an interval line a second"; cat /tmp/i.txt; }
sed -n 's/.*last 1 s: .* \([0-9]*\) closes,.*/\1/p' /tmp/i.txt | awk '{ n += $1 } END { exit n != 9 }' ||
	{ bad "-i: the intervals' closes do not add up to 9"; cat /tmp/i.txt; }
awk '$1 ~ /^(FIN|RST|NONE)$/ { n += $NF } END { exit n != 9 }' /tmp/i.txt ||
	{ bad "-i: the action/reason/state rows do not add up to 9"; cat /tmp/i.txt; }
awk '$3 == "LISTEN" { n += $NF } END { exit n != 1 }' /tmp/i.txt || bad "-i: not one LISTEN close"
# --summary: the same table at the end
/tests/helper_conn $((PORT + 41))
closetrace --drain --summary -P $((PORT + 41)) > /tmp/s.txt || bad "--summary failed"
grep -q '^CLOSES BY ACTION, REASON AND STATE' /tmp/s.txt || bad "--summary: no action/reason/state table"
ct_done
