# Control file: valid commands work, anything else is EINVAL and changes nothing.
set -u
C=/sys/kernel/debug/closetrace/control
S=/proc/closetrace/stats
fail=0
state() { grep -E '^(enabled|filter_)' $S; }
before=$(state)
for bad in "garbage" "pid=" "pid=0" "pid=-1" "pid=99999999" "port=0" "port=65536" \
	"port=12x" "comm=" "comm=waytoolongcommandname" "comm=a b" "enable now" \
	"filter=on" "ENABLE" "pid=1 port=2"; do
	r=$(printf '%s' "$bad" | /tests/helper_write $C)
	case "$r" in
	"Invalid argument") ;;
	*) echo "control answered '$r' to '$bad' (want Invalid argument)"; fail=1 ;;
	esac
done
# NUL bytes, a huge write, binary junk
printf 'pid=1\0' | /tests/helper_write $C >/dev/null && { echo "accepted a NUL byte"; fail=1; }
head -c 4096 /dev/zero | tr '\0' 'a' | /tests/helper_write $C >/dev/null && { echo "accepted 4 KiB"; fail=1; }
for i in 1 2 3 4 5 6 7 8; do
	head -c $((i * 8)) /dev/urandom | /tests/helper_write $C >/dev/null && { echo "accepted random bytes"; fail=1; }
done
after=$(state)
[ "$before" = "$after" ] || { echo "state changed by rejected writes:"; echo "$after"; fail=1; }
# valid commands take effect
echo pid=123 > $C && grep -q '^filter_pid 123$' $S || { echo "pid=123 not applied"; fail=1; }
echo port=8080 > $C && grep -q '^filter_port 8080$' $S || { echo "port not applied"; fail=1; }
echo comm=nginx > $C && grep -q '^filter_comm nginx$' $S || { echo "comm not applied"; fail=1; }
echo filter=off > $C && grep -q '^filter_pid 0$' $S && grep -q '^filter_comm -$' $S || { echo "filter=off"; fail=1; }
echo disable > $C && grep -q '^enabled 0$' $S || { echo "disable"; fail=1; }
echo enable > $C && grep -q '^enabled 1$' $S || { echo "enable"; fail=1; }
exit $fail
