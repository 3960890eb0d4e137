# Filters: with port=N only sockets on port N are followed; with pid=N
# only closes by process N; with uid=N (or filter_uid=N at load) only
# sockets owned by uid N.
. /tests/lib.sh
echo port=20150 > $C
cat /sys/kernel/debug/closetrace/trace > /dev/null	# drain
/tests/helper_conn 20150 && /tests/helper_conn 20151
out=$(cat /sys/kernel/debug/closetrace/trace)
echo filter=off > $C
echo "$out" | grep -q 'CLOSE .*:20150 ' || bad "no CLOSE for the filtered port"
! echo "$out" | grep -q ':20151' || bad "a record for port 20151 passed the filter"
echo pid=1 > $C
/tests/helper_conn 20152
out=$(cat /sys/kernel/debug/closetrace/trace)
echo filter=off > $C
! echo "$out" | grep -q ':20152' || bad "pid filter let another pid through"
echo "$out" > /tmp/filter.out

# uid=N: only sockets whose owner (sk_uid, as ss -e shows it: who made the
# socket) is uid N. nobody's closes pass, root's do not; the records say
# whose they were, as ss -e said while a socket was open. A listener held
# open by nobody (busybox nc) is what ss is asked about.
nobody=$(id -u nobody)
[ "$nobody" != 0 ] || bad "id -u nobody says 0"
nc_pid=
t_filter_exit() {
	_st=$?
	[ -z "$nc_pid" ] || kill "$nc_pid" 2>/dev/null || true
	return $_st
}
trap 't_filter_exit; ct_on_exit' EXIT
ss_line() { ss -tlnHe "sport = :$1"; }
echo "uid=$nobody" > $C
[ "$(v filter_uid)" = "$nobody" ] || bad "stats say filter_uid $(v filter_uid), not $nobody"
cat $D/trace > /dev/null	# drain
su nobody -s /bin/sh -c '/tests/helper_conn 20153' || bad "helper_conn 20153 as nobody failed"
/tests/helper_conn 20154
ss_uid=
if command -v ss > /dev/null; then
	# (busybox su execs the shell, the shell execs nc: $! is nc)
	su nobody -s /bin/sh -c 'exec nc -l -p 20155' < /dev/null > /dev/null 2>&1 &
	nc_pid=$!
	if wait_until 10 eval '[ -n "$(ss_line 20155)" ]'; then
		ss_uid=$(ss_line 20155 | sed -n 's/.* uid:\([0-9]*\).*/\1/p')
		[ "$ss_uid" = "$nobody" ] || bad "ss -e says nobody's listener has uid '$ss_uid', not $nobody: $(ss_line 20155)"
	else
		bad "nc as nobody is not listening on 20155"
	fi
	kill "$nc_pid" 2>/dev/null || true
	wait "$nc_pid" 2>/dev/null || true
	nc_pid=
else
	bad "no ss in the guest (scripts/guest-tools)"
fi
wait_until 30 eval '[ "$(v tracked)" = 0 ]' || bad "closetrace still follows $(v tracked) sockets"
out=$(cat $D/trace)
echo filter=off > $C
[ "$(v filter_uid)" = - ] || bad "filter=off left filter_uid $(v filter_uid)"
echo "$out" > /tmp/filter-uid.out
echo "$out" | grep -Eq "CLOSE .*:20153 .* uid=$nobody( |\$)" ||
	bad "no CLOSE of nobody's port 20153 with uid=$nobody"
! echo "$out" | grep -q ':20154 ' || bad "a record of root's port 20154 passed uid=$nobody"
if [ -n "$ss_uid" ]; then
	echo "$out" | grep -Eq "CLOSE .*:20155 .* uid=$ss_uid( |\$)" ||
		bad "no CLOSE of nobody's listener on 20155 with ss's uid $ss_uid"
fi
# Every close that began under the filter is nobody's. (A close followed
# from before, an earlier test's timewait socket, may still write its
# TWEND: the filter is applied where a close starts being followed.)
echo "$out" | grep -E ' (CLOSE|REFDROP|RELEASE|DEATH) ' | grep -Ev " uid=$nobody( |\$)" > /tmp/filter-uid.other || true
[ ! -s /tmp/filter-uid.other ] || bad "records of another uid passed uid=$nobody: $(head -n 1 /tmp/filter-uid.other)"

# the module parameter filter_uid: the same filter from the load on
ct_reload "filter_uid=$nobody"
[ "$(v filter_uid)" = "$nobody" ] || bad "filter_uid=$nobody at load: stats say $(v filter_uid)"
su nobody -s /bin/sh -c '/tests/helper_conn 20156' || bad "helper_conn 20156 as nobody failed"
/tests/helper_conn 20157
out=$(cat $D/trace)
ct_reload_default
echo "$out" | grep -Eq "CLOSE .*:20156 .* uid=$nobody( |\$)" ||
	bad "filter_uid=$nobody: no CLOSE of nobody's port 20156"
! echo "$out" | grep -q ':20157 ' || bad "filter_uid=$nobody: a record of root's port 20157 passed"
ct_done
