# Filters: with port=N only sockets on port N are followed.
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
ct_done
