# Unloading under fire. Runs with closetrace loaded and leaves it loaded.
#  1. rmmod while the reader is blocked in poll: refused ("in use": debugfs'
#     proxy holds a module reference), the reader keeps reading, and rmmod
#     succeeds once the reader has exited.
#  2. rmmod while a close(2) waits out SO_LINGER inside tcp_close (the
#     kretprobe has an instance in flight): rmmod succeeds, the close ends.
#  3. rmmod with orphans in FIN_WAIT2, which then go to TIME_WAIT with the
#     module gone.
#  4. CT_UNLOAD_CYCLES (default 30; `make stress` runs 200) insmod/rmmod
#     cycles while two loops close connections, one per CPU; the memory
#     the module took comes back. The cycles load it with 4 MiB rings, 8 MiB
#     a cycle on two CPUs, and MemFree must end within 40 MiB of where it
#     started: room for KASAN's quarantine (at most 1/32 of the debug
#     guest's 1 GiB) and the sockets' slab, far less than a lost ring.
# After each part the module is loaded again and must record a close. An
# oops, a warning or a hung task fails run-suite's dmesg check; on the debug
# kernel a leak fails its kmemleak scan.
. /tests/lib.sh
cycles=${CT_UNLOAD_CYCLES:-30}
# TCP sockets whose remote port is 20430 in state $1 (hex, /proc/net/tcp)
orphans_in() {
	awk -v p=":$(printf '%04X' 20430)" -v st="$1" \
		'substr($3, length($3) - 4) == p && $4 == st { n++ } END { print n + 0 }' /proc/net/tcp
}
works() {	# PORT: the loaded module records a close on PORT
	/tests/helper_conn "$1"
	closetrace --drain --json > /tmp/works.json 2>/dev/null || bad "$2: the reader failed"
	grep -q "\"type\":\"CLOSE\".*\"dport\":$1" /tmp/works.json ||
		bad "$2: no CLOSE record for port $1 after reloading"
}

# 1. reader blocked in poll
closetrace --json > /tmp/unload.json 2>/tmp/unload.err &
reader=$!
sleep 1
if rmmod closetrace 2>/tmp/rmmod.err; then
	bad "rmmod succeeded with a reader blocked in poll"
	insmod /closetrace.ko
else
	grep -Eq 'in use|temporarily unavailable' /tmp/rmmod.err || bad "rmmod refused without saying why: $(cat /tmp/rmmod.err)"
fi
grep -q '^closetrace ' /proc/modules || bad "module gone after a refused rmmod"
kill -0 $reader 2>/dev/null || bad "reader died on the refused rmmod"
/tests/helper_conn 20410
# (the reader holds records for its reorder window, 1 s, before printing)
wait_record 5 '"dport":20410' /tmp/unload.json || bad "reader got no record within 5 s after the refused rmmod"
kill $reader
wait $reader || true	# (killed)
rmmod closetrace || bad "rmmod failed after the reader exited"
insmod /closetrace.ko || { bad "reload failed"; ct_done; }
echo "unload: rmmod refused while the reader polled, then succeeded"

# 2. a close waiting out SO_LINGER
rm -f /tmp/linger.ready
/tests/helper_unload linger 20420 4 > /tmp/linger.out &
lpid=$!
wait_until 10 test -e /tmp/linger.ready || bad "linger helper never got ready"
sleep 1
! grep -q linger-close-done /tmp/linger.out || bad "close returned before the linger time: no linger wait to test"
rmmod closetrace || bad "rmmod failed during a linger wait"
wait $lpid || bad "linger helper failed"
grep -q linger-close-done /tmp/linger.out || bad "the lingering close never returned"
insmod /closetrace.ko || { bad "reload failed"; ct_done; }
works 20421 "after a linger wait"
echo "unload: rmmod during a linger wait"

# 3. orphans in FIN_WAIT2, then TIME_WAIT without the module
rm -f /tmp/orphans.ready /tmp/orphans.go
/tests/helper_unload orphans 20430 20 > /tmp/orphans.out &
opid=$!
wait_until 10 test -e /tmp/orphans.ready || bad "orphans helper never got ready"
sleep 0.5
fw2=$(orphans_in 05)
[ "$fw2" -ge 20 ] || bad "expected 20 orphans in FIN_WAIT2, /proc/net/tcp has $fw2 ($(grep TCP: /proc/net/sockstat), tcp_max_tw_buckets $(cat /proc/sys/net/ipv4/tcp_max_tw_buckets))"
rmmod closetrace || bad "rmmod failed with orphans in FIN_WAIT2"
touch /tmp/orphans.go
wait $opid || bad "orphans helper failed"
sleep 0.5
tw=$(orphans_in 06)
[ "$tw" -ge 20 ] || bad "expected 20 orphans in TIME_WAIT after the peers closed, found $tw"
insmod /closetrace.ko || { bad "reload failed"; ct_done; }
works 20431 "after orphans"
echo "unload: rmmod with $fw2 orphans in FIN_WAIT2, $tw then in TIME_WAIT"

# 4. cycles under load on both CPUs
rmmod closetrace || bad "rmmod before the cycles failed"
free0=$(awk '/^MemFree:/ { print $2 }' /proc/meminfo)
rm -f /tmp/unload.stop
(while [ ! -e /tmp/unload.stop ]; do taskset 1 /tests/helper_conn 20411 20; done) &
l1=$!
(while [ ! -e /tmp/unload.stop ]; do taskset 2 /tests/helper_conn 20412 20; done) &
l2=$!
i=0
while [ $i -lt "$cycles" ]; do
	insmod /closetrace.ko buf_kb=4096 || { bad "insmod $i failed"; break; }
	rmmod closetrace || { bad "rmmod $i failed"; break; }
	i=$((i + 1))
done
touch /tmp/unload.stop
wait $l1 $l2 || true	# (the loops' last connection may meet an unload)
sleep 1
free1=$(awk '/^MemFree:/ { print $2 }' /proc/meminfo)
[ $((free0 - free1)) -le 40960 ] || bad "MemFree fell by $((free0 - free1)) KiB over $i cycles"
insmod /closetrace.ko || { bad "final reload failed"; ct_done; }
works 20413 "after the cycles"
echo "unload: $i load/unload cycles under load on both CPUs, MemFree change $((free1 - free0)) KiB"
ct_done
