#!/usr/bin/env bash
# make install honours DESTDIR and PREFIX and installs exactly the module
# (for KDIR's kernel: bookworm's, from the cache), the reader, closetrace(8)
# and the docs; install-reader alone follows PREFIX; install-dkms lays out
# the source DKMS builds from (dkms.conf, Kbuild, every file of module/,
# and it builds);
# and the version is the same in the reader, the module, dkms.conf and
# debian/changelog. Runs in a copy of the tree.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0
no() { echo "  install: $*"; bad=1; }
# same WHAT EXPECTED_FILE DIR: the files and links under DIR are exactly those listed.
same() {
	(cd "$3" && find . ! -type d | sed 's|^\./||' | sort) > "$work/got"
	sort "$2" > "$work/want"
	diff -u "$work/want" "$work/got" > "$work/diff" || { no "$1: unexpected file list:"; sed 's/^/    /' "$work/diff"; }
}

kdir=$("$CT_ROOT/scripts/fetch-kernel" bookworm)
krel=$(cat "$kdir/krel")
ct_export_tree "$work/src"
cd "$work/src"
ver=$(sed -n 's/^#define CT_VERSION "\(.*\)"$/\1/p' userspace/closetrace.c)
[ -n "$ver" ] || no "no CT_VERSION in userspace/closetrace.c"
grep -q "^MODULE_VERSION(\"$ver\");" module/main.c || no "module/main.c's MODULE_VERSION is not $ver"
grep -qx "PACKAGE_VERSION=\"$ver\"" dkms.conf || no "dkms.conf's PACKAGE_VERSION is not $ver"
[ "$(dpkg-parsechangelog -l debian/changelog -S Version)" = "$ver" ] || no "debian/changelog's version is not $ver"

# 1. make install, PREFIX=/usr, into a DESTDIR.
make -s install KDIR="$kdir/root/usr/src/linux-headers-$krel" DESTDIR="$work/d1" PREFIX=/usr > "$work/log" 2>&1 ||
	{ no "make install failed:"; tail -n 20 "$work/log"; exit 1; }
cat > "$work/list1" <<EOL
lib/modules/$krel/extra/closetrace.ko
usr/sbin/closetrace
usr/share/man/man8/closetrace.8
usr/share/doc/closetrace/record-format.md
usr/share/doc/closetrace/examples/closetrace.conf
EOL
same "make install DESTDIR=... PREFIX=/usr" "$work/list1" "$work/d1"
if [ -f "$work/d1/lib/modules/$krel/extra/closetrace.ko" ]; then
	modinfo -F vermagic "$work/d1/lib/modules/$krel/extra/closetrace.ko" | grep -q "^$krel " ||
		no "the installed module is not built for $krel"
fi
[ -x "$work/d1/usr/sbin/closetrace" ] && "$work/d1/usr/sbin/closetrace" --version | grep -q "^closetrace $ver " ||
	no "the installed reader does not run or is not version $ver"
[ "$(stat -c %a "$work/d1/usr/share/man/man8/closetrace.8")" = 644 ] || no "the man page is not mode 644"

# 2. install-reader with the default PREFIX (/usr/local), and another one.
make -s install-reader DESTDIR="$work/d2" > "$work/log" 2>&1 || { no "make install-reader failed"; cat "$work/log"; }
sed -n 's|^usr/|usr/local/|p' "$work/list1" > "$work/list2"
same "make install-reader (default PREFIX)" "$work/list2" "$work/d2"
make -s install-reader DESTDIR="$work/d3" PREFIX=/opt/ct > "$work/log" 2>&1 || { no "make install-reader PREFIX=/opt/ct failed"; cat "$work/log"; }
sed -n 's|^usr/|opt/ct/|p' "$work/list1" > "$work/list3"
same "make install-reader PREFIX=/opt/ct" "$work/list3" "$work/d3"

# 3. install-dkms: dkms.conf, Kbuild and every file of module/ (what git
# tracks there: a new header or directory is not forgotten); the installed
# tree must build against the headers as DKMS builds it.
make -s install-dkms DESTDIR="$work/d4" > "$work/log" 2>&1 || { no "make install-dkms failed"; cat "$work/log"; }
{
	echo "usr/src/closetrace-$ver/dkms.conf"
	echo "usr/src/closetrace-$ver/Kbuild"
	git -C "$CT_ROOT" ls-files module | sed "s|^|usr/src/closetrace-$ver/|"
} > "$work/list4"
same "make install-dkms" "$work/list4" "$work/d4"
make -s -C "$kdir/root/usr/src/linux-headers-$krel" M="$work/d4/usr/src/closetrace-$ver" modules \
	> "$work/log" 2>&1 || { no "the installed DKMS source does not build"; tail -20 "$work/log"; }
[ $bad = 0 ] || exit 1
echo "  install: make install, install-reader (2 prefixes), install-dkms: the expected files; version $ver everywhere"
