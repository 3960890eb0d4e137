# Control file: valid commands work, anything else is EINVAL and changes nothing.
. /tests/lib.sh
state() { grep -E '^(enabled|filter_)' $S; }
before=$(state)
for bad in "garbage" "pid=" "pid=0" "pid=-1" "pid=99999999" "port=0" "port=65536" \
	"port=12x" "comm=" "comm=waytoolongcommandname" "comm=a b" "enable now" \
	"filter=on" "ENABLE" "pid=1 port=2" "uid=" "uid=-1" "uid=4294967295" \
	"uid=4294967296" "uid=1x"; do
	r=$(printf '%s' "$bad" | /tests/helper_write $C) || true
	case "$r" in
	"Invalid argument") ;;
	*) bad "control answered '$r' to '$bad' (want Invalid argument)" ;;
	esac
done
# NUL bytes, a huge write, binary junk
! printf 'pid=1\0' | /tests/helper_write $C >/dev/null || bad "accepted a NUL byte"
! head -c 4096 /dev/zero | tr '\0' 'a' | /tests/helper_write $C >/dev/null || bad "accepted 4 KiB"
for i in 1 2 3 4 5 6 7 8; do
	! head -c $((i * 8)) /dev/urandom | /tests/helper_write $C >/dev/null || bad "accepted random bytes"
done
after=$(state)
[ "$before" = "$after" ] || bad "state changed by rejected writes: $after"
# valid commands take effect
echo pid=123 > $C && grep -q '^filter_pid 123$' $S || bad "pid=123 not applied"
echo port=8080 > $C && grep -q '^filter_port 8080$' $S || bad "port not applied"
echo comm=nginx > $C && grep -q '^filter_comm nginx$' $S || bad "comm not applied"
# uid 0 is root's, a filter like any other: "-" says none
echo uid=0 > $C && grep -q '^filter_uid 0$' $S || bad "uid=0 not applied"
echo filter=off > $C && grep -q '^filter_pid 0$' $S && grep -q '^filter_comm -$' $S &&
	grep -q '^filter_uid -$' $S || bad "filter=off"
echo disable > $C && grep -q '^enabled 0$' $S || bad "disable"
echo enable > $C && grep -q '^enabled 1$' $S || bad "enable"
ct_done
