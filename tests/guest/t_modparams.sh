# Bad module parameters fail the load with EINVAL and a dmesg line naming
# the parameter; load/unload leaves nothing behind.
set -u
fail=0
rmmod closetrace || { echo "rmmod failed"; exit 1; }
[ ! -e /proc/closetrace ] || { echo "/proc/closetrace left behind"; fail=1; }
[ ! -e /sys/kernel/debug/closetrace ] || { echo "debugfs dir left behind"; fail=1; }
if grep -q closetrace /sys/kernel/debug/kprobes/list 2>/dev/null; then echo "kprobes left"; fail=1; fi
grep -q '^closetrace ' /proc/modules && { echo "still in /proc/modules"; fail=1; }
for p in buf_kb=0 buf_kb=3 buf_kb=65537 max_tracked=1 filter_pid=99999999 \
	filter_port=70000 filter_comm=waytoolongcommandname 'filter_comm="a b"'; do
	name=${p%%=*}
	dmesg -c >/dev/null
	if insmod /closetrace.ko "$p" 2>/dev/null; then
		echo "insmod accepted $p"; fail=1; rmmod closetrace
	fi
	dmesg | grep -q "closetrace: invalid $name" || { echo "no dmesg line naming $name"; fail=1; }
	[ ! -e /proc/closetrace ] || { echo "/proc/closetrace after a failed load"; fail=1; }
done
# a non-number is refused by the kernel's own parser
insmod /closetrace.ko buf_kb=abc 2>/dev/null && { echo "accepted buf_kb=abc"; fail=1; rmmod closetrace; }
for i in 1 2 3; do
	insmod /closetrace.ko || { echo "reload $i failed"; fail=1; }
	/tests/helper_conn 20160
	rmmod closetrace || { echo "unload $i failed"; fail=1; }
done
insmod /closetrace.ko || { echo "final reload failed"; fail=1; }
exit $fail
