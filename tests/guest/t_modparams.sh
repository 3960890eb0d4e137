# Bad module parameters fail the load with EINVAL and a dmesg line naming
# the parameter (taken out of the log here: run-suite.sh fails a test whose
# log shows an error of closetrace's); load/unload leaves nothing behind.
. /tests/lib.sh
rmmod closetrace
[ ! -e /proc/closetrace ] || bad "/proc/closetrace left behind"
[ ! -e /sys/kernel/debug/closetrace ] || bad "debugfs dir left behind"
! grep -q closetrace /sys/kernel/debug/kprobes/list 2>/dev/null || bad "kprobes left"
! ct_loaded || bad "still in /proc/modules"
for p in buf_kb=0 buf_kb=3 buf_kb=65537 buf_kb=4294967295 max_tracked=1 \
	max_tracked=15 max_tracked=1048577 max_tracked=4294967295 max_closing=1 \
	max_closing=15 max_closing=4097 max_closing=4294967295 filter_pid=99999999 \
	filter_pid=4194305 filter_port=70000 filter_port=65536 filter_port=4294967295 \
	filter_comm=waytoolongcommandname filter_comm=sixteen_chars_xy 'filter_comm="a b"' \
	filter_uid=4294967295 filter_uid=4294967296 filter_uid=-1 filter_uid=1x; do
	name=${p%%=*}
	if insmod /closetrace.ko "$p" 2>/dev/null; then
		bad "insmod accepted $p"; rmmod closetrace
	fi
	dmesg_expected "closetrace: invalid $name" || bad "no dmesg line naming $name"
	[ ! -e /proc/closetrace ] || bad "/proc/closetrace after a failed load"
done
# what the kernel's own parsers refuse: non-numbers, negatives, overflow,
# a bool that is not one (a parameter that does not exist is the kernel's
# business: it loads the module and logs "Unknown parameter ... ignored")
for p in buf_kb=abc buf_kb=-1 buf_kb=4294967296 buf_kb=18446744073709551616 \
	max_tracked= filter_pid=-1 filter_port=1x enabled=2 enabled=maybe; do
	if insmod /closetrace.ko "$p" 2>/dev/null; then
		bad "insmod accepted $p"; rmmod closetrace
	fi
	[ ! -e /proc/closetrace ] || bad "/proc/closetrace after a failed load ($p)"
done
# (the kernel's parser quotes each refused value back: expected)
dmesg_expected "closetrace: .*invalid for parameter" || true
for i in 1 2 3; do
	insmod /closetrace.ko || bad "reload $i failed"
	/tests/helper_conn 20160
	rmmod closetrace || bad "unload $i failed"
done
# max_closing: the value in effect is shown; with room for all 200
# lingering closes, none is written without its return.
insmod /closetrace.ko || bad "reload for max_closing failed"
mc=$(cat /sys/module/closetrace/parameters/max_closing)
[ "$mc" = 64 ] || bad "default max_closing $mc on 2 CPUs, expected 64"
ct_reload max_closing=256
out=$(/tests/sc_many_lingers 2>&1) || { echo "$out"; bad "many-lingers with max_closing=256 failed"; }
case "$out" in *"PASS many-lingers"*) ;; *) echo "$out"; bad "no verdict from many-lingers" ;; esac
ct_reload_default
ct_done
