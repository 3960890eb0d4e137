# Security:
#  1. every file closetrace creates is root-only: mode bits, and an
#     unprivileged user (nobody) is refused reading and writing, also as
#     "root" of its own user and network namespaces;
#  2. no output carries a kernel address: /proc/closetrace/*, the debugfs
#     trace file, the reader in each format, and the kernel log.
# (Uninitialised bytes in records are checked by stress_closes on every
# record it reads.)
. /tests/lib.sh
files="/proc/closetrace/stats /proc/closetrace/probes $D/events $D/trace $D/control"
for f in $files; do
	[ -e "$f" ] || { bad "$f missing"; continue; }
	mode=$(stat -c '%a %U' "$f")
	case "$mode" in
	"400 root"|"600 root"|"200 root") ;;
	*) bad "$f: mode/owner $mode, want root-only" ;;
	esac
	! su nobody -s /bin/sh -c "cat $f" >/dev/null 2>&1 || bad "nobody could read $f"
	! su nobody -s /bin/sh -c "echo disable > $f" 2>/dev/null || bad "nobody could write $f"
done
for d in /proc/closetrace $D; do
	m=$(stat -c '%a' "$d")
	[ "$m" = 500 ] || [ "$m" = 555 ] || [ "$m" = 700 ] || [ "$m" = 755 ] || bad "$d: mode $m"
done
# user (+ net) namespace: "root" inside, nobody outside
if su nobody -s /bin/sh -c "unshare -U -r -n true" 2>/dev/null; then
	for f in $files; do
		su nobody -s /bin/sh -c "unshare -U -r -n sh -c 'cat $f'" >/dev/null 2>&1 &&
			bad "root of a user namespace could read $f"
	done
	! su nobody -s /bin/sh -c "unshare -U -r -n sh -c 'echo pid=1 > $D/control'" 2>/dev/null ||
		bad "root of a user namespace could set a filter"
	grep -q '^filter_pid 0$' /proc/closetrace/stats || bad "filter changed from a user namespace"
	echo "security: refused from a user+net namespace too"
else
	bad "cannot create a user namespace as nobody: the namespace check did not run"
fi

# kernel addresses: 16 hex digits starting ff (any case, with or without 0x),
# or a pointer printed in decimal (18446... , 20 digits)
addr_re='(^|[^0-9a-fA-F])[fF][fF][0-9a-fA-F]{14}([^0-9a-fA-F]|$)|1844[0-9]{16}'
# (loaded again: its kernel log lines are this test's to check; the suite
# clears the log after each test)
ct_reload_default
/tests/helper_conn 20440 5
/tests/sc_linger0 >/dev/null 2>&1 || bad "sc_linger0 failed"
closetrace --drain > /tmp/out.text 2>&1 || bad "reader (table) failed"
/tests/helper_conn 20441 5
closetrace --drain --json > /tmp/out.json 2>&1 || bad "reader --json failed"
/tests/helper_conn 20442 5
closetrace --drain --csv > /tmp/out.csv 2>&1 || bad "reader --csv failed"
/tests/helper_conn 20443 5
# (the trace file blocks for more: cut after 2 s)
timeout 2 cat $D/trace > /tmp/out.trace 2>&1 || true
cat /proc/closetrace/stats /proc/closetrace/probes > /tmp/out.proc
dmesg | grep 'closetrace: ' > /tmp/out.dmesg || true
for f in text json csv trace proc dmesg; do
	[ -s /tmp/out.$f ] || bad "no $f output to check"
	if grep -En "$addr_re" /tmp/out.$f > /tmp/addr.hits; then
		bad "a kernel address in the $f output:"; head -3 /tmp/addr.hits
	fi
done
grep -q '"dport":20441' /tmp/out.json || bad "the json output has no record to check"
grep -q 20443 /tmp/out.trace || bad "the trace output has no record to check"
echo "security: $(cat /tmp/out.* | wc -l) output lines free of kernel addresses"
ct_done
