# A tiny ring that nobody reads: loss is counted exactly and reported in-band:
# written = read + lost, and the LOST records add up to the lost count.
set -u
fail=0
rmmod closetrace && insmod /closetrace.ko buf_kb=4 || { echo "reload with buf_kb=4 failed"; exit 1; }
/tests/helper_conn 20170 300
S=/proc/closetrace/stats
v() { sed -n "s/^$1 //p" $S; }
lost_before=$(v events_lost)
[ "$lost_before" -gt 0 ] || { echo "nothing lost with a 4 KiB ring"; fail=1; }
closetrace --drain --json > /tmp/ring.json 2>/tmp/ring.err
written=$(v events_written); read=$(v events_read); lost=$(v events_lost)
lost_inband=$(grep '"type":"LOST"' /tmp/ring.json | sed 's/.*"lost":\([0-9]*\).*/\1/' | awk '{s+=$1} END {print s+0}')
echo "written=$written read=$read lost=$lost lost_inband=$lost_inband"
[ "$written" -eq "$read" ] || { echo "written $written != read $read with an idle ring"; fail=1; }
[ "$lost_inband" -eq "$lost" ] || { echo "LOST records add up to $lost_inband, stats say $lost"; fail=1; }
grep -q 'records lost' /tmp/ring.err || { echo "reader did not report the loss on stderr"; fail=1; }
rmmod closetrace && insmod /closetrace.ko || { echo "restore failed"; fail=1; }
exit $fail
