# Shared helpers for closetrace's scripts (sourced, not run).
CT_CACHE=${CT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/closetrace}
CT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CT_CACHE CT_ROOT

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A private apt configuration for a Debian release, under $CT_CACHE/apt/REL:
# its own sources list, lists, status file and cache. The system's apt
# sources are never touched. After ct_apt_setup REL, run apt as
# "papt apt-get ...".
ct_apt_setup() {
	local rel=$1 suites sec s
	CT_APT_DIR=$CT_CACHE/apt/$rel
	mkdir -p "$CT_APT_DIR"/{lists/partial,cache/archives/partial,debs}
	[ -f "$CT_APT_DIR/status" ] || : > "$CT_APT_DIR/status"
	case $rel in
	bullseye|bookworm|trixie) suites="$rel $rel-updates"; sec="$rel-security" ;;
	sid|bookworm-backports) suites=$rel; sec= ;;
	*) die "unknown release '$rel' (bullseye, bookworm, trixie, sid)" ;;
	esac
	{
		for s in $suites; do
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $s main"
		done
		if [ -n "$sec" ]; then
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security $sec main"
		fi
	} > "$CT_APT_DIR/sources.list"
}

papt() {
	"$@" -o Dir::Etc::SourceList="$CT_APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$CT_APT_DIR/lists" \
		-o Dir::State::status="$CT_APT_DIR/status" \
		-o Dir::Cache="$CT_APT_DIR/cache" \
		-o APT::Sandbox::User=root \
		-o Debug::NoLocking=1
}

# Download Debian bookworm's linux-source-6.1 (once, into the private apt
# cache) and print the .deb's path. Used for checkpatch.pl and the debug
# kernel. With "sid": sid's current linux-source-X.Y (for the debug-sid
# kernel), resolved through the private lists when none is cached yet.
ct_linux_source_deb() {
	local rel=${1:-bookworm} pkg
	ct_apt_setup "$rel"
	case $rel in
	bookworm) pkg=linux-source-6.1 ;;
	sid) pkg=linux-source-[0-9]* ;;
	*) die "ct_linux_source_deb: no linux-source for '$rel' (bookworm, sid)" ;;
	esac
	# $pkg unquoted: on sid a pattern, matched against the cached .debs.
	if ! ls "$CT_APT_DIR"/debs/${pkg}_*.deb >/dev/null 2>&1; then
		papt apt-get -q update >&2
		if [ "$rel" = sid ]; then
			# linux-source depends on the current linux-source-X.Y.
			pkg=$(papt apt-cache depends linux-source | awk '/Depends: linux-source-[0-9]/ {print $2; exit}')
			[ -n "$pkg" ] || die "sid no longer offers linux-source with a versioned linux-source-X.Y"
		fi
		log "fetching $pkg ($rel)"
		(cd "$CT_APT_DIR/debs" && papt apt-get -q download "$pkg" >&2)
	fi
	ls "$CT_APT_DIR"/debs/${pkg}_*.deb | tail -n 1
}

# ct_in_chroot DIR COMMAND...: run COMMAND in the chroot DIR (scripts/
# make-chroot), in a private mount namespace with the work tree and the cache
# bind-mounted at the same paths, and proc mounted (7.x's objtool needs it).
ct_in_chroot() {
	local ch=$1
	shift
	mkdir -p "$ch$CT_ROOT" "$ch$CT_CACHE"
	unshare -m sh -ec '
		mount --bind "$1" "$2$1"
		mount --bind "$3" "$2$3"
		mount -t proc proc "$2/proc"
		ch=$2
		shift 3
		exec chroot "$ch" "$@"
	' sh "$CT_ROOT" "$ch" "$CT_CACHE" "$@"
}

# ct_export_tree DIR: copy the project's files (tracked, and new ones git
# does not ignore; no build products) into DIR, for builds that must not
# write into the work tree (scripts/make-deb, tests/host).
ct_export_tree() {
	local dst=$1
	mkdir -p "$dst"
	if git -C "$CT_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$CT_ROOT" && git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
			cpio -p0dm --quiet "$dst")
	else
		tar -C "$CT_ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$dst" -xf -
	fi
}

# ct_in_release_root ROOT WORK COMMAND...: run COMMAND in a throw-away
# overlay of a release's root (scripts/make-release-chroot): ROOT is the
# read-only lower layer, WORK/upper keeps the changes (from one call to the
# next with the same WORK; rm -rf WORK forgets them), proc is mounted.
ct_in_release_root() {
	local root=$1 work=$2
	shift 2
	mkdir -p "$work/upper" "$work/ovl" "$work/merged"
	unshare -m sh -ec '
		mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/ovl" "$2/merged"
		mount -t proc proc "$2/merged/proc"
		ch=$2/merged
		shift 2
		exec chroot "$ch" "$@"
	' sh "$root" "$work" "$@"
}
