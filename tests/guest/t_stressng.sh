# stress-ng's socket stressors (Debian's stress-ng, in the guest with its
# libraries) on both CPUs for CT_LOAD_SECONDS (default 30; `make stress`
# runs 900), with closetrace loaded and a reader draining. On a kernel with
# KASAN (the debug kernel) only: elsewhere it says SKIP. Passes when
#  - the accounting is exact (stress_closes -x): per CPU, records written
#    = records read, none lost, and records by kind = the moves of
#    closetrace's closes_tcp/udp/unix;
#  - closes_tcp moved as often as the kernel ran tcp_close, counted by an
#    observer closetrace does not share (ftrace's own kprobe event). The
#    kernel's unix_release_sock calls (embryos aside) are printed beside
#    closes_unix but not compared: under stress-ng they run a few (3-4 in
#    8,000) more often, unexplained yet; a socket released without ever
#    having had a file (a socket(2) or socketpair(2) whose file could not
#    be allocated) would be one, and is no close (docs/reliability.md);
#  - the kernel logs no report (run-suite.sh's scan: KASAN, lockdep, WARN,
#    ...), and the module unloads cleanly afterwards (kmemleak scan).
. /tests/lib.sh
secs=${CT_LOAD_SECONDS:-30}
if ! grep -q ' kasan_report$' /proc/kallsyms; then
	echo "SKIP stress-ng runs on the debug kernels (KASAN, lockdep, kmemleak) only"
	exit 77
fi
command -v stress-ng > /dev/null || { bad "no stress-ng in the guest (scripts/guest-tools)"; ct_done; }
# (unix_release_sock with embrion 0: a listener's release also releases its
# unaccepted embryos, which are no socket anyone closed)
kprobe_observe tcp_close "unix_release_sock embrion=%si:u32|embrion == 0"
before=$(mktemp)
cat $S > "$before"
out=$(/tests/stress_closes -x "cd /tmp && stress-ng --sock 1 --sockfd 1 --sockmany 1 --sockabuse 1 \
	--sockdiag 1 --udp 1 --sockpair 1 --epoll 1 --timeout ${secs}s --metrics-brief > /tmp/sng.out 2>&1") ||
	{ bad "stress_closes -x stress-ng failed"; cat /tmp/sng.out; }
echo "$out"
grep -E 'bogo ops|sock|udp|epoll|successful' /tmp/sng.out | grep -v '^stress-ng: metrc: .*(secs)' || true
tcp=$(($(v closes_tcp) - $(sed -n 's/^closes_tcp //p' "$before")))
unx=$(($(v closes_unix) - $(sed -n 's/^closes_unix //p' "$before")))
kprobe_observe_end
obs_tcp=$(kprobe_hits tcp_close) obs_unix=$(kprobe_hits unix_release_sock)
echo "stress-ng: closetrace closes_tcp +$tcp closes_unix +$unx; the kernel's tcp_close $obs_tcp, unix_release_sock $obs_unix"
[ "$tcp" = "$obs_tcp" ] || bad "closes_tcp moved by $tcp, the kernel ran tcp_close $obs_tcp times"
[ "$tcp" -gt 0 ] && [ "$unx" -gt 0 ] || bad "stress-ng closed no TCP or no unix socket: nothing was tested"
rmmod closetrace || bad "rmmod after stress-ng failed"
ct_reload_default
ct_done
