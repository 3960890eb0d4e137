#!/bin/sh
# Runs in the guest: every scenario program and shell test, each one
# attributed. For each test:
#   - "START name" on the verdict channel ($CT_VERDICT, the guest's second
#     serial port: a file on the host, apart from the console), so a panic
#     (the guest boots with panic_on_warn=1 and oops=panic) or a timeout
#     is pinned on the test that was running;
#   - the test runs;
#   - closetrace must be back in its default state (a test that left it
#     otherwise fails, and the module is loaded again for the next one);
#   - on a kernel with kmemleak, after a test that loads or unloads the
#     module (insmod, rmmod, lib.sh's ct_reload), nothing may have leaked;
#     and whenever kmemleak's own periodic scan reports leaks in the log,
#     its objects (with their allocation backtraces) are printed;
#   - the kernel log since the last test must show no report (WARN, BUG,
#     Oops, KASAN, UBSAN, lockdep, kmemleak, hung task, an error of
#     closetrace's own), and is cleared.
# The verdicts are "PASS name", "FAIL name: why" and "SKIP name: why",
# on the console and the verdict channel, each followed on the console by
# "time: name N s" (the guest's uptime clock); the run ends with
# "guest: N passed, N failed, N skipped" and "END N N N" on the channel.
# CT_ONLY="name ..." runs only those tests (for a developer's quick look).
# CT_ELSEWHERE="name ..." leaves those tests out, each a SKIP saying so
# (make check's debug kernels: tests/run).
. /tests/lib.sh
trap - EXIT TERM INT
set +e
exec 3>"${CT_VERDICT:-/dev/null}"
# The runner is never the OOM killer's choice (stress-ng exhausts memory
# by design); each test runs with the default adjustment (run_one).
echo -1000 > /proc/$$/oom_score_adj
run_one() {	# SECS PROGRAM...
	_secs=$1
	shift
	timeout "$_secs" sh -c 'echo 0 > /proc/self/oom_score_adj && exec "$@"' sh "$@"
}
pass=0 fail=0 skip=0
# chosen NAME: the test is to run (CT_ONLY)
chosen() {
	case " ${CT_ONLY:-$1} " in *" $1 "*) ;; *) return 1 ;; esac
	case " ${CT_ELSEWHERE:-} " in
	*" $1 "*)
		verdict SKIP "$1" "left out on this kernel by make check: it tests the reader's own features and the tools' (no closetrace kernel path the other tests leave out); make check runs it on the four Debian kernels, make stress on this one"
		return 1 ;;
	esac
	return 0
}
verdict() {	# PASS|FAIL|SKIP NAME [REASON]
	line="$1 $2${3:+: $3}"
	echo "$line"
	echo "$line" >&3
	case $1 in
	PASS) pass=$((pass + 1)) ;;
	FAIL) fail=$((fail + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	esac
}
# What counts as a kernel report: the kernel's own report headers (lockdep's
# begin "WARNING:" or "INFO: possible"), and an error (level 0-3) that
# closetrace logged.
report_re='WARNING:|BUG:|Oops|general protection|Call Trace|kernel BUG|UBSAN|KASAN|INFO: possible|lockdep is turned off|suspicious RCU usage|circular locking|suspected memory leak|INFO: task .* blocked|soft lockup|^<[0-3]>\[[ 0-9.]*\] closetrace: '
# kernel_reports: the log since the last call (what a test's
# dmesg_expected kept of it, then the rest, taken and cleared in one step);
# prints the lines that are reports, fails if there are any.
KMEMLEAK=/sys/kernel/debug/kmemleak
kernel_reports() {
	{ cat /tmp/dmesg.kept 2>/dev/null; dmesg -c -r; } > /tmp/dmesg.last
	rm -f /tmp/dmesg.kept
	grep -E "$report_re" /tmp/dmesg.last || return 0
	# kmemleak's periodic scan logs only a count: show whose objects.
	! grep -q 'suspected memory leak' /tmp/dmesg.last ||
		[ ! -e $KMEMLEAK ] || cat $KMEMLEAK
	return 1
}
# leaks: on a kernel with kmemleak, whether the test leaked. kmemleak
# lists an object only when a scan finds no reference to it, its content
# unchanged since the scan before (an object's first scan only takes its
# checksum: it is never listed then), and it is 5 s old at the scan's
# start. So two scans, the second starting 6 s or more after the test
# ended: one scan takes about 7 s on the debug guests, the pause makes up
# any rest.
leaks() {
	[ -e $KMEMLEAK ] || return 0
	_end=$(uptime_s)
	echo scan > $KMEMLEAK
	while [ $(($(uptime_s) - _end)) -lt 6 ]; do sleep 1; done
	echo scan > $KMEMLEAK
	cat $KMEMLEAK > /tmp/kmemleak.last
	[ ! -s /tmp/kmemleak.last ] || { cat /tmp/kmemleak.last; return 1; }
}
# skipped NAME OUT: a test that cannot run on this kernel; the first line
# of its output says why. Its log is still scanned.
skipped() {
	verdict SKIP "$1" "$(echo "$2" | head -n 1 | sed 's/^SKIP //')"
	kernel_reports || verdict FAIL "$1" "the kernel logged a report during it"
}
# after NAME RC WHY FILE: the checks every test gets after it ran; FILE is
# the program, grepped for insmod/rmmod to know whether it (re)loads the
# module. Prints the verdict.
after() {
	name=$1 rc=$2 why=$3
	if ! ct_restore; then
		[ $rc != 0 ] || why="left closetrace in a non-default state"
		rc=1
	fi
	if grep -aqE 'insmod|rmmod|ct_reload' "$4" && ! leaks; then
		why="${why:+$why; }kmemleak found leaks"; rc=1
	fi
	if ! kernel_reports; then
		why="${why:+$why; }the kernel logged a report during it"; rc=1
	fi
	if [ $rc = 0 ]; then verdict PASS "$name"; else verdict FAIL "$name" "$why"; fi
	echo "time: $name $(($(uptime_s) - t0)) s"
}
# uptime_s: the guest's uptime in whole seconds (a test's time: t0 is set
# when it starts).
uptime_s() {
	read -r up _ < /proc/uptime
	echo "${up%%.*}"
}

# A WARN's own line (level 4) on the console too, before panic_on_warn's
# panic: the console shows only levels 0-3 (vm-run boots "quiet").
dmesg -n 5
# kmemleak's periodic scan (every 10 min) logs only a count, and an
# object it listed leaves the list once freed or seen referenced again: by
# the end of a long test a transient suspect is gone. A watcher prints the
# list whenever it changes, while its objects are on it.
kmemleak_watch() {
	: > /tmp/kmemleak.seen
	while sleep 20; do
		cat $KMEMLEAK > /tmp/kmemleak.now 2>/dev/null
		[ -s /tmp/kmemleak.now ] || continue
		cmp -s /tmp/kmemleak.now /tmp/kmemleak.seen && continue
		echo "kmemleak lists (its periodic scan):"
		cat /tmp/kmemleak.now
		mv /tmp/kmemleak.now /tmp/kmemleak.seen
	done
}

# The boot itself: its log must be clean too.
echo "START boot" >&3
if [ -e $KMEMLEAK ]; then
	echo clear > $KMEMLEAK
	kmemleak_watch &
	watcher=$!
fi
if kernel_reports; then verdict PASS boot; else verdict FAIL boot "the kernel logged a report while booting"; fi
ct_state > $CT_DEFAULT_STATE

# The scenarios' BPF oracle needs the kernel's BTF (CO-RE); a kernel
# without it runs them with the other oracles, and says so here, once.
[ -r /sys/kernel/btf/vmlinux ] ||
	verdict SKIP bpf-oracle "the kernel has no BTF (/sys/kernel/btf/vmlinux); every scenario runs without it"
# Bounds the kernel's FIN_WAIT2 "bad case" (see wait_end in ctlib.c): an
# orphan left on its keepalive timer ends within 5 s, not 60.
echo 5 > /proc/sys/net/ipv4/tcp_fin_timeout
# t_stress leaves thousands of TIME_WAIT sockets; past tcp_max_tw_buckets
# (2048 in a 512 MiB guest) the kernel drops orphans instead of keeping
# them in TIME_WAIT or FIN_WAIT2, which later tests need to see.
echo 262144 > /proc/sys/net/ipv4/tcp_max_tw_buckets
# Branches of the close no scenario can provoke, and why: skipped, said.
verdict SKIP rst-reply "no known path of 5.10-7.x answers a segment to a closing or orphaned socket with a RST other than abort-data's and TCP_LINGER2's (both provoked)"
verdict SKIP check-net "a close during netns teardown (!check_net, no RST) needs a kernel socket: a user's socket holds its namespace"
verdict SKIP unread-consumed "every kernel of the matrix has upstream 5f9238530970 (Debian 5.10.262, 6.1, 6.12.118; 7.x upstream): skbs read to the end but still queued no longer make __tcp_close send a RST (older kernels: the classifier trusts the RST)"

for t in /tests/sc_*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	chosen "$name" || continue
	echo "START $name" >&3
	t0=$(uptime_s)
	# 120 s: many-lingers takes about 50 s on the debug kernel.
	out=$(run_one 120 "$t" 2>&1)
	rc=$?
	[ -z "$out" ] || echo "$out"
	why=
	case "$out" in
	*"FAIL "*) rc=1; why="the scenario failed" ;;
	# A scenario this kernel cannot run says so and why: not a pass.
	"SKIP "*) skipped "$name" "$out"; continue ;;
	*"PASS "*) [ $rc = 0 ] || why="exit $rc after its PASS" ;;
	*) why="exit $rc, no verdict"; rc=1 ;;
	esac
	after "$name" $rc "$why" "$t"
done
for t in /tests/t_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	chosen "$name" || continue
	echo "START $name" >&3
	t0=$(uptime_s)
	out=$(run_one "${CT_T_TIMEOUT:-300}" sh "$t" 2>&1)
	rc=$?
	[ -z "$out" ] || echo "$out"
	# exit 77: the test cannot run on this kernel; its first line says why.
	[ $rc != 77 ] || { skipped "$name" "$out"; continue; }
	why=
	[ $rc = 0 ] || why="exit $rc"
	after "$name" $rc "$why" "$t"
done
[ -z "${watcher:-}" ] || kill $watcher
echo "guest: $pass passed, $fail failed, $skip skipped"
echo "END $pass $fail $skip" >&3
exec 3>&-
[ $fail = 0 ]
