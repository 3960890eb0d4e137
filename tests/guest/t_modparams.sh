# Bad module parameters fail the load with EINVAL and a dmesg line naming
# the parameter; load/unload leaves nothing behind.
set -u
fail=0
rmmod closetrace || { echo "rmmod failed"; exit 1; }
[ ! -e /proc/closetrace ] || { echo "/proc/closetrace left behind"; fail=1; }
[ ! -e /sys/kernel/debug/closetrace ] || { echo "debugfs dir left behind"; fail=1; }
if grep -q closetrace /sys/kernel/debug/kprobes/list 2>/dev/null; then echo "kprobes left"; fail=1; fi
grep -q '^closetrace ' /proc/modules && { echo "still in /proc/modules"; fail=1; }
for p in buf_kb=0 buf_kb=3 buf_kb=65537 buf_kb=4294967295 max_tracked=1 \
	max_tracked=15 max_tracked=1048577 max_tracked=4294967295 max_closing=1 \
	max_closing=15 max_closing=4097 max_closing=4294967295 filter_pid=99999999 \
	filter_pid=4194305 filter_port=70000 filter_port=65536 filter_port=4294967295 \
	filter_comm=waytoolongcommandname filter_comm=sixteen_chars_xy 'filter_comm="a b"'; do
	name=${p%%=*}
	dmesg -c >/dev/null
	if insmod /closetrace.ko "$p" 2>/dev/null; then
		echo "insmod accepted $p"; fail=1; rmmod closetrace
	fi
	dmesg | grep -q "closetrace: invalid $name" || { echo "no dmesg line naming $name"; fail=1; }
	[ ! -e /proc/closetrace ] || { echo "/proc/closetrace after a failed load"; fail=1; }
done
# what the kernel's own parsers refuse: non-numbers, negatives, overflow,
# a bool that is not one (a parameter that does not exist is the kernel's
# business: it loads the module and logs "Unknown parameter ... ignored")
for p in buf_kb=abc buf_kb=-1 buf_kb=4294967296 buf_kb=18446744073709551616 \
	max_tracked= filter_pid=-1 filter_port=1x enabled=2 enabled=maybe; do
	insmod /closetrace.ko "$p" 2>/dev/null && { echo "insmod accepted $p"; fail=1; rmmod closetrace; }
	[ ! -e /proc/closetrace ] || { echo "/proc/closetrace after a failed load ($p)"; fail=1; }
done
for i in 1 2 3; do
	insmod /closetrace.ko || { echo "reload $i failed"; fail=1; }
	/tests/helper_conn 20160
	rmmod closetrace || { echo "unload $i failed"; fail=1; }
done
# max_closing: the value in effect is shown; with room for all 200
# lingering closes, none is written without its return.
insmod /closetrace.ko || { echo "reload for max_closing failed"; fail=1; }
v=$(cat /sys/module/closetrace/parameters/max_closing)
[ "$v" = 64 ] || { echo "default max_closing $v on 2 CPUs, expected 64"; fail=1; }
rmmod closetrace
insmod /closetrace.ko max_closing=256 || { echo "insmod max_closing=256 failed"; fail=1; }
out=$(/tests/sc_many_lingers 2>&1) || { echo "$out"; echo "many-lingers with max_closing=256 failed"; fail=1; }
case "$out" in *"PASS many-lingers"*) ;; *) echo "$out"; echo "no verdict from many-lingers"; fail=1 ;; esac
rmmod closetrace
insmod /closetrace.ko || { echo "final reload failed"; fail=1; }
exit $fail
