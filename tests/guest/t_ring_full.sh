# A tiny ring that nobody reads: loss is counted exactly and reported in-band:
# written = read + lost, and the LOST records add up to the lost count.
. /tests/lib.sh
ct_reload buf_kb=4
/tests/helper_conn 20170 300
lost_before=$(v events_lost)
[ "$lost_before" -gt 0 ] || bad "nothing lost with a 4 KiB ring"
closetrace --drain --json > /tmp/ring.json 2>/tmp/ring.err || bad "the reader failed: $(cat /tmp/ring.err)"
written=$(v events_written); read=$(v events_read); lost=$(v events_lost)
lost_inband=$(grep '"type":"LOST"' /tmp/ring.json | sed 's/.*"lost":\([0-9]*\).*/\1/' | awk '{s+=$1} END {print s+0}')
echo "written=$written read=$read lost=$lost lost_inband=$lost_inband"
[ "$written" -eq "$read" ] || bad "written $written != read $read with an idle ring"
[ "$lost_inband" -eq "$lost" ] || bad "LOST records add up to $lost_inband, stats say $lost"
grep -q 'records lost' /tmp/ring.err || bad "reader did not report the loss on stderr"
ct_reload_default
ct_done
