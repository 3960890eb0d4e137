#!/usr/bin/env bash
# closetrace --close-wait on the host, from sample /proc/closetrace files
# (CLOSETRACE_PROC): the module's list parsed, the age threshold applied,
# the oldest first, the table and the JSON lines; and bad input refused
# with a clear error and a non-zero exit. The owners (/proc/PID/fd) and the
# real module's list are checked in the guest by sc_close_wait.
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s -C userspace closetrace
ct=userspace/closetrace
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
bad=0
no() { echo "  close-wait reader: $*"; bad=1; }

mkdir -p "$d/ok" "$d/hdr" "$d/line" "$d/none"
cat > "$d/ok/close_wait" <<'E'
# cookie ino netns age_ms unread local remote
7 1001 4026531840 1500 5 127.0.0.1:20150 127.0.0.1:40000
9 1002 4026531840 61250 0 [::1]:8080 [::1]:51234
8 1003 4026532119 250 1 10.0.0.1:443 10.0.0.2:5555
E
printf '# cookie ino age\n' > "$d/hdr/close_wait"
printf '# cookie ino netns age_ms unread local remote\n7 1001 x 1500 5 a b\n' > "$d/line/close_wait"

# the table: oldest first, ages in seconds, no owner found (no such inodes)
out=$(CLOSETRACE_PROC=$d/ok $ct --close-wait)
[ "$(echo "$out" | head -n 1 | awk '{print $1, $2, $3, $4}')" = "PID FD COMM AGE(s)" ] || no "no table header: $out"
[ "$(echo "$out" | sed -n 2p | awk '{print $1, $4, $5, $6, $7, $8, $9}')" = "- 61.250 0 [::1]:8080 [::1]:51234 9 1002" ] ||
	no "first row is not the oldest: $(echo "$out" | sed -n 2p)"
[ "$(echo "$out" | wc -l)" = 4 ] || no "want 3 rows: $out"
# the threshold: 1 s keeps two, 100 s none
[ "$(CLOSETRACE_PROC=$d/ok $ct --close-wait 1 | wc -l)" = 3 ] || no "--close-wait 1 does not keep the two older than 1 s"
[ "$(CLOSETRACE_PROC=$d/ok $ct --close-wait 100 | wc -l)" = 1 ] || no "--close-wait 100 lists sockets younger than 100 s"
# JSON lines, one per socket, every key
j=$(CLOSETRACE_PROC=$d/ok $ct --close-wait 1 -j)
[ "$(echo "$j" | wc -l)" = 2 ] || no "JSON: want 2 lines: $j"
echo "$j" | head -n 1 | grep -q '^{"pid":-1,"fd":-1,"comm":"-","age_ms":61250,"unread":0,"local":"\[::1\]:8080","remote":"\[::1\]:51234","cookie":9,"ino":1002,"netns":4026531840}$' ||
	no "JSON line: $(echo "$j" | head -n 1)"
# bad input: a header of another version, a line that does not parse, a
# bad age, another option, the module absent: an error, non-zero, nothing on stdout
check_err() {	# WANT-RC WHAT CMD...
	local want=$1 what=$2 rc=0
	shift 2
	"$@" > "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" = "$want" ] || no "$what: exit $rc, want $want"
	[ -s "$d/err" ] || no "$what: nothing on stderr"
	[ ! -s "$d/out" ] || [ "$want" = 0 ] || no "$what: wrote to stdout: $(head -c 200 "$d/out")"
}
check_err 1 "another header" env CLOSETRACE_PROC=$d/hdr $ct --close-wait
grep -q "unknown header" "$d/err" || no "another header: $(cat "$d/err")"
check_err 1 "a bad line" env CLOSETRACE_PROC=$d/line $ct --close-wait
grep -q "cannot parse" "$d/err" || no "a bad line: $(cat "$d/err")"
check_err 1 "no module" env CLOSETRACE_PROC=$d/none $ct --close-wait
check_err 2 "a bad age" env CLOSETRACE_PROC=$d/ok $ct --close-wait 12x
check_err 2 "another option" env CLOSETRACE_PROC=$d/ok $ct --close-wait -P 80
check_err 2 "CSV" env CLOSETRACE_PROC=$d/ok $ct --close-wait --csv
[ $bad = 0 ] || exit 1
echo "  close-wait reader: table, threshold, JSON and 6 kinds of bad input"
