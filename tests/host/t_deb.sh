#!/usr/bin/env bash
# make deb (in a copy of the tree) builds closetrace and closetrace-dkms
# with debhelper and dh-dkms; each holds exactly the expected files, the
# DKMS package's maintainer scripts hand the module to dkms, the packaged
# man page renders, and lintian (--pedantic, info and experimental tags
# too) says nothing: a tag we accept would be a lintian override in
# debian/, justified in docs/packaging.md.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0
no() { echo "  deb: $*"; bad=1; }
for t in dpkg-buildpackage dh dh_dkms lintian man; do
	command -v "$t" >/dev/null || { echo "  deb: $t missing: run scripts/install-deps"; exit 1; }
done

ct_export_tree "$work/src"
ver=$(dpkg-parsechangelog -l "$work/src/debian/changelog" -S Version)
# (t_install checks that it is the reader's, the module's and dkms.conf's.)
make -s -C "$work/src" deb > "$work/log" 2>&1 || { no "make deb failed:"; tail -n 30 "$work/log"; exit 1; }
out=$work/src/build/deb
reader=$out/closetrace_${ver}_amd64.deb dkms=$out/closetrace-dkms_${ver}_all.deb
for d in "$reader" "$dkms"; do
	[ -f "$d" ] || { no "make deb did not make $(basename "$d"):"; ls "$out"; exit 1; }
done

# contents DEB EXPECTED...: the package's files and links are exactly these.
contents() {
	local deb=$1
	shift
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' | sort > "$work/got"
	printf '%s\n' "$@" | sort > "$work/want"
	diff -u "$work/want" "$work/got" > "$work/diff" ||
		{ no "$(basename "$deb"): unexpected files:"; sed 's/^/    /' "$work/diff"; }
}
contents "$reader" usr/sbin/closetrace usr/share/man/man8/closetrace.8.gz \
	usr/share/doc/closetrace/changelog.gz usr/share/doc/closetrace/copyright \
	usr/share/doc/closetrace/record-format.md.gz \
	usr/share/doc/closetrace/examples/closetrace.conf
src=usr/src/closetrace-$ver
contents "$dkms" usr/share/doc/closetrace-dkms/changelog.gz usr/share/doc/closetrace-dkms/copyright \
	$src/dkms.conf $src/Kbuild $(git -C "$CT_ROOT" ls-files module | sed "s|^|$src/|")

dpkg-deb -f "$dkms" Depends | grep -q 'dkms' || no "closetrace-dkms does not depend on dkms"
dpkg-deb -e "$dkms" "$work/ctrl"
grep -qF '$DKMS_POSTINST $DKMS_NAME $DKMS_VERSION' "$work/ctrl/postinst" && grep -q /usr/lib/dkms/common.postinst "$work/ctrl/postinst" && grep -q '^DKMS_NAME=closetrace$' "$work/ctrl/postinst" &&
	grep -q "^DKMS_VERSION=$ver\$" "$work/ctrl/postinst" || no "closetrace-dkms's postinst does not run dkms's common.postinst for closetrace $ver"
grep -q 'dkms remove' "$work/ctrl/prerm" || no "closetrace-dkms's prerm does not dkms remove"

dpkg-deb -x "$reader" "$work/root"
LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$work/root/usr/share/man/man8/closetrace.8.gz" > "$work/man" 2> "$work/manerr" &&
	[ ! -s "$work/manerr" ] && grep -q -- '--summary' "$work/man" || { no "the packaged man page does not render cleanly:"; cat "$work/manerr"; }
"$work/root/usr/sbin/closetrace" --version | grep -q "^closetrace $ver " || no "the packaged reader does not run"

# lintian as root says so on stderr; anything else it prints is a tag.
(cd "$out" && lintian --pedantic -I -E --tag-display-limit 0 closetrace_"${ver}"_amd64.changes) > "$work/lintian" 2>&1 ||
	{ no "lintian failed (exit $?):"; }
grep -v '^running with root privileges is not recommended!$' "$work/lintian" > "$work/tags" || true
[ ! -s "$work/tags" ] || { no "lintian:"; sed 's/^/    /' "$work/tags"; }
[ $bad = 0 ] || exit 1
echo "  deb: $(basename "$reader") and $(basename "$dkms"): expected files, dkms scripts, man page renders, lintian --pedantic -I -E clean"
