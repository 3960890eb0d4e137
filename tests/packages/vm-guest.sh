#!/bin/sh
# Runs inside the Debian VM of tests/check-packages (systemd's unit
# ct-test.service, as root, once booted): installs the two packages as the
# README says, loads the module DKMS built, runs the reader as a user with
# sudo while a connection closes, reads closetrace(8) with man, then unloads
# and purges. Verdicts "PASS name" / "FAIL name: why" and "END" go to the
# second serial port (a file on the host); details to the console.
ver=$1
exec 3>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo clocal 2>/dev/null || true
exec > /dev/ttyS0 2>&1
krel=$(uname -r)
v() { echo "$*"; echo "$*" >&3; }
# check NAME COMMAND...: PASS if COMMAND succeeds; its output on the console.
check() {
	name=$1
	shift
	echo "== vm-$name: $*"
	if "$@" > /tmp/out 2>&1; then
		sed 's/^/   /' /tmp/out | tail -n 25
		v "PASS vm-$name"
	else
		sed 's/^/   /' /tmp/out | tail -n 40
		v "FAIL vm-$name: $*"
	fi
}
check systemd sh -c '[ "$(cat /proc/1/comm)" = systemd ] && systemctl is-system-running --wait; systemctl is-system-running | grep -Eq "running|degraded" && systemctl --failed --no-legend'
check apt-install sh -c "cd /root/debs && DEBIAN_FRONTEND=noninteractive apt-get install -y ./closetrace-dkms_${ver}_all.deb ./closetrace_${ver}_amd64.deb"
check dkms-status sh -c "dkms status > /tmp/dkms.status; cat /tmp/dkms.status; grep -q '^closetrace/$ver, $krel, x86_64: installed' /tmp/dkms.status"
check modprobe sh -c "modprobe closetrace && modinfo -n closetrace && [ \"\$(modinfo -n closetrace)\" = /lib/modules/$krel/updates/dkms/closetrace.ko ] && grep '^closetrace ' /proc/modules && cat /proc/closetrace/probes"
check man-as-user su - user -c 'MANPAGER=cat MANWIDTH=80 man closetrace | grep -A3 "^EXIT STATUS"'
# The README's command, by the user: sudo closetrace, while a close happens.
check reader-as-user sh -c '
	su - user -c "sudo closetrace -P 20999 --duration 25" > /tmp/reader.out 2>&1 &
	sleep 8
	/root/helper_conn 20999
	wait
	cat /tmp/reader.out
	grep -Eq "CLOSE +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:20999 +ESTABLISHED>[A-Z_0-9]+ +FIN +fin " /tmp/reader.out'
check unload-purge sh -c "modprobe -r closetrace && ! grep '^closetrace ' /proc/modules &&
	DEBIAN_FRONTEND=noninteractive apt-get purge -y closetrace-dkms closetrace &&
	! modinfo closetrace 2>/dev/null && ! ls /lib/modules/$krel/updates/dkms/closetrace.ko* 2>/dev/null &&
	[ ! -e /usr/src/closetrace-$ver ] && [ ! -e /var/lib/dkms/closetrace ] && [ ! -e /usr/sbin/closetrace ] &&
	! dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace'"
v END
sync
# (poweroff -f if systemd cannot be asked: the host waits for QEMU's end)
systemctl poweroff || poweroff -f
