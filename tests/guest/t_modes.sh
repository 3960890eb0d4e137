# Hook modes. file_hooks=0: the per-file hooks (fd close, final reference
# drop) are not attached (the kernel's kprobe list agrees), non-socket closes
# hit nothing, and a socket close is still recorded, from sock_close on,
# without its fd. hooks_only=1: every hook attached and hit, nothing recorded.
set -u
D=/sys/kernel/debug/closetrace
fail=0
hits() { awk -v r="$1" '$1 == r { print $5 }' /proc/closetrace/probes; }
sym() { awk -v r="$1" '$1 == r { print $4 }' /proc/closetrace/probes; }
v() { sed -n "s/^$1 //p" /proc/closetrace/stats; }

fdsym=$(sym fd_close) putsym=$(sym final_put)
[ -n "$fdsym" ] && [ "$fdsym" != off ] && [ "$fdsym" != absent ] ||
	{ echo "default load: no fd_close hook ($fdsym)"; exit 1; }
grep -q "$fdsym" /sys/kernel/debug/kprobes/list ||
	{ echo "default load: $fdsym not in the kernel's kprobe list"; fail=1; }

rmmod closetrace || { echo "rmmod failed"; exit 1; }
insmod /closetrace.ko file_hooks=0 || { echo "insmod file_hooks=0 failed"; exit 1; }
for r in fd_close final_put; do
	[ "$(sym $r)" = off ] || { echo "file_hooks=0: $r is '$(sym $r)', not off"; fail=1; }
done
for s in $fdsym $putsym; do
	if grep -q " $s+" /sys/kernel/debug/kprobes/list; then
		echo "file_hooks=0: $s is in the kernel's kprobe list"; fail=1
	fi
done
cat $D/trace > /dev/null
i=0
while [ $i -lt 50 ]; do cat /proc/version > /dev/null; i=$((i + 1)); done
[ "$(hits fd_close)" = 0 ] && [ "$(hits final_put)" = 0 ] ||
	{ echo "file_hooks=0: per-file hooks hit: $(hits fd_close) $(hits final_put)"; fail=1; }
/tests/helper_conn 20170
sleep 1
out=$(cat $D/trace)
n=$(echo "$out" | grep -c ' CLOSE .*comm=helper_conn fd=-1 .*:20170 ')
[ "$n" = 3 ] || { echo "file_hooks=0: $n CLOSE records with fd=-1 for port 20170, want 3 (client, server, listener)"; echo "$out"; fail=1; }
if echo "$out" | grep -q ' REFDROP '; then echo "file_hooks=0: a REFDROP record"; fail=1; fi

rmmod closetrace || { echo "rmmod failed"; exit 1; }
insmod /closetrace.ko hooks_only=1 || { echo "insmod hooks_only=1 failed"; exit 1; }
/tests/helper_conn 20171 5
sleep 1
[ "$(v events_written)" = 0 ] || { echo "hooks_only=1: $(v events_written) records written"; fail=1; }
[ "$(v closes_tcp)" = 0 ] || { echo "hooks_only=1: closes_tcp $(v closes_tcp)"; fail=1; }
for r in fd_close sock_release tcp_close; do
	h=$(hits $r)
	[ "${h:-0}" -ge 10 ] || { echo "hooks_only=1: $r hit ${h:-0} times for 10 socket closes"; fail=1; }
done
[ -z "$(cat $D/trace)" ] || { echo "hooks_only=1: the trace file is not empty"; fail=1; }

rmmod closetrace || { echo "rmmod failed"; exit 1; }
insmod /closetrace.ko || { echo "final reload failed"; exit 1; }
exit $fail
