# Filters: with port=N only sockets on port N are followed.
set -u
C=/sys/kernel/debug/closetrace/control
fail=0
echo port=20150 > $C
cat /sys/kernel/debug/closetrace/trace > /dev/null	# drain
/tests/helper_conn 20150 && /tests/helper_conn 20151
out=$(cat /sys/kernel/debug/closetrace/trace)
echo filter=off > $C
echo "$out" | grep -q 'CLOSE .*:20150 ' || { echo "no CLOSE for the filtered port"; fail=1; }
if echo "$out" | grep -q ':20151'; then echo "a record for port 20151 passed the filter"; fail=1; fi
echo pid=1 > $C
/tests/helper_conn 20152
out=$(cat /sys/kernel/debug/closetrace/trace)
echo filter=off > $C
if echo "$out" | grep -q ':20152'; then echo "pid filter let another pid through"; fail=1; fi
echo "$out" > /tmp/filter.out
exit $fail
