#!/usr/bin/env bash
# closetrace(8) renders with man(1) without a warning, has the sections a
# man page needs, and names every option of "closetrace --help", every
# record type and every reason the reader prints (from module/ct_names.h),
# so that the page and the program cannot drift apart.
set -euo pipefail
cd "$(dirname "$0")/../.."
page=docs/closetrace.8
make -s -C userspace closetrace
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bad=0
no() { echo "  closetrace(8): $*"; bad=1; }

LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" > "$out/page" 2> "$out/err" ||
	no "man -l failed"
[ ! -s "$out/err" ] || { no "man --warnings says:"; sed 's/^/    /' "$out/err"; }
[ "$(wc -l < "$out/page")" -gt 100 ] || no "renders to $(wc -l < "$out/page") lines only"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS OUTPUT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	grep -qx "$s" "$out/page" || no "no section $s"
done
ver=$(sed -n 's/^#define CT_VERSION "\(.*\)"$/\1/p' userspace/closetrace.c)
grep -q "^\.TH CLOSETRACE 8 .*\"closetrace $ver\"" "$page" || no ".TH does not say version $ver"

# has WORD: WORD appears in the rendered page as a whole token.
has() { grep -qE -- "(^|[^[:alnum:]-])$1([^[:alnum:]-]|\$)" "$out/page"; }
opts=$(userspace/closetrace --help | grep -oE '^ +(-[[:alnum:]], )?--[a-z0-9-]+' | tr -d ',')
[ "$(echo $opts | wc -w)" -ge 20 ] || no "found too few options in --help: $opts"
for o in $opts; do
	has "$o" || no "option $o of --help is missing"
done
names=$(sed -n 's/^.*FNe\{0,1\}(CT_\(EV\|R\|ACT\)_[A-Z0-9_]*, "\([^"]*\)").*$/\2/p' module/ct_names.h)
[ "$(echo $names | wc -w)" -ge 30 ] || no "found too few type, action and reason names in ct_names.h"
for n in $names; do
	has "$n" || no "record type, action or reason $n is missing"
done
[ $bad = 0 ] || exit 1
echo "  closetrace(8): $(echo $opts | wc -w) options, $(echo $names | wc -w) type/action/reason names, no warning"
