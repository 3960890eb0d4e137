# Shared helpers for closetrace's scripts (sourced, not run).
CT_CACHE=${CT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/closetrace}
CT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CT_CACHE CT_ROOT

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
