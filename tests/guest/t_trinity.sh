# trinity (Debian's; the kernel community's syscall fuzzer) on the socket
# syscalls for CT_LOAD_SECONDS (default 30; `make stress` runs 900), as
# nobody (in the guest's own network: in a namespace of its own, or with
# fd providers turned off, trinity 2023.01 made no syscall at all in the
# debug guest), with closetrace loaded and a
# reader draining. On a kernel with KASAN (the debug kernel) only:
# elsewhere it says SKIP. Passes when
#  - the accounting is exact (stress_closes -x): per CPU, records written
#    = records read, none lost, and records by kind = the moves of
#    closetrace's closes_tcp/udp/unix;
#  - closes_tcp moved as often as the kernel ran tcp_close (ftrace's own
#    kprobe event, an observer closetrace does not share);
#  - the kernel logs no report (run-suite.sh's scan: KASAN, lockdep, WARN,
#    ...), and the module unloads cleanly afterwards (kmemleak scan).
. /tests/lib.sh
secs=${CT_LOAD_SECONDS:-30}
if ! grep -q ' kasan_report$' /proc/kallsyms; then
	echo "SKIP trinity runs on the debug kernels (KASAN, lockdep, kmemleak) only"
	exit 77
fi
command -v trinity > /dev/null || { bad "no trinity in the guest (scripts/guest-tools)"; ct_done; }
# Its victim files and working directory: its own, writable by nobody.
# (-P INET: its socket cache generator crashes on some other families in
# this guest; -T: closetrace's own taint, O and E, is no finding.)
W=/tmp/trinity
rm -rf $W
mkdir -p $W/victims
echo victim > $W/victims/file
chmod -R 777 $W
calls=
# (no read, recv* or accept: a child blocked in one fuzzes nothing more)
for c in socket socketpair setsockopt getsockopt bind listen connect shutdown \
	close dup2 dup3 close_range sendmsg sendto; do
	calls="$calls -c $c"
done
kprobe_observe "tcp_close tcp_close"
before=$(mktemp)
cat $S > "$before"
out=$(/tests/stress_closes -x "su nobody -s /bin/sh -c \
	'cd $W && timeout -s INT $secs trinity -q -l off -C 2 -P INET -V $W/victims \
	-T WARN,BAD_PAGE,DIE $calls' > $W/out 2>&1") ||
	{ bad "stress_closes -x trinity failed"; tail -20 $W/out; }
echo "$out"
ran=$(sed -n 's/.*Ran \([0-9]*\) syscalls.*/\1/p' $W/out | tail -n 1)
tcp=$(($(v closes_tcp) - $(sed -n 's/^closes_tcp //p' "$before")))
kprobe_observe_end
obs_tcp=$(kprobe_hits tcp_close)
echo "trinity: ${ran:-no} syscalls in ${secs}s; closetrace closes_tcp +$tcp, the kernel's tcp_close $obs_tcp"
[ -n "$ran" ] && [ "$ran" -gt 0 ] || { bad "trinity ran no syscall"; tail -20 $W/out; }
[ "$tcp" = "$obs_tcp" ] || bad "closes_tcp moved by $tcp, the kernel ran tcp_close $obs_tcp times"
rmmod closetrace || bad "rmmod after trinity failed"
ct_reload_default
ct_done
