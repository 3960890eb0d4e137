# Sourced by the guest's shell tests (tests/guest/t_*.sh) and by
# run-suite.sh: strict mode, the helpers the tests share, and a trap that
# puts closetrace back in its default state (loaded with the boot's
# parameters, recording, no filter) when a test ends early.
#
# A test sets fail=1 through bad() for each failed check and ends with
# ct_done. A command that fails outside a condition stops it (set -e); the
# trap then says so, restores the module, and the test fails.
set -eu
S=/proc/closetrace/stats
P=/proc/closetrace/probes
D=/sys/kernel/debug/closetrace
C=$D/control
CT_RECORD_SIZE=264	# sizeof(struct ct_event), module/ct_abi.h
CT_DEFAULT_STATE=/tmp/ct-default.state
fail=0

bad() { echo "$*"; fail=1; }
# v NAME: a value of /proc/closetrace/stats
v() { sed -n "s/^$1 //p" $S; }
# sym ROLE / hits ROLE: the symbol a hook role attached to, and its hits
sym() { awk -v r="$1" '$1 == r { print $4 }' $P; }
hits() { awk -v r="$1" '$1 == r { print $5 }' $P; }
ct_loaded() { grep -q '^closetrace ' /proc/modules; }

# ct_reload [PARAM=VALUE...]: unload closetrace if it is loaded, then load
# it with these parameters (none: the module's own defaults).
ct_reload() {
	if ct_loaded; then rmmod closetrace || return 1; fi
	insmod /closetrace.ko "$@"
}

# ct_reload_default: load closetrace as the guest booted it (/modparams).
ct_reload_default() {
	# shellcheck disable=SC2046	# the parameters are words
	ct_reload $(cat /modparams 2>/dev/null)
}

# ct_state: what makes closetrace's state, one line each: its parameters
# and the run-time switches of the control file.
ct_state() {
	if ! ct_loaded; then
		echo "closetrace not loaded"
		return 0
	fi
	for p in /sys/module/closetrace/parameters/*; do
		echo "${p##*/}=$(cat "$p")"
	done
	grep -E '^(enabled|output|filter_)' $S
}

# ct_restore: if closetrace is not as the suite started it, say how it
# differs, load it again with the boot's parameters, and return 1.
ct_restore() {
	[ -f $CT_DEFAULT_STATE ] || return 0
	ct_state > /tmp/ct-state.now
	cmp -s /tmp/ct-state.now $CT_DEFAULT_STATE && return 0
	echo "closetrace was left in a non-default state:"
	diff $CT_DEFAULT_STATE /tmp/ct-state.now | grep '^[-+][^-+]' || true
	ct_reload_default || echo "restoring closetrace failed"
	return 1
}

# wait_until SECS COMMAND...: run COMMAND every 0.1 s until it succeeds,
# for at most SECS seconds; fails if it never does.
wait_until() {
	_n=$(($1 * 10))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.1
	done
}

# wait_record SECS PATTERN FILE: FILE (a reader's output) gets a line
# matching the extended regular expression PATTERN within SECS seconds.
wait_record() {
	wait_until "$1" grep -Eq "$2" "$3"
}

# mib FILE GROUP FIELD: a counter of /proc/net/snmp or /proc/net/netstat
# (a header line and a value line per group): the kernel's own count.
mib() {
	awk -v g="$2:" -v f="$3" '$1 == g { if (!h) { for (i = 2; i <= NF; i++) if ($i == f) c = i; h = 1 } else { print $c; exit } }' "$1"
}

# dmesg_expected ERE: a test that provokes kernel log lines on purpose
# takes them out of the log (run-suite.sh scans the rest for reports after
# the test); fails if none matched.
dmesg_expected() {
	dmesg -c -r > /tmp/dmesg.take
	grep -Ev "$1" /tmp/dmesg.take >> /tmp/dmesg.kept || true
	grep -Eq "$1" /tmp/dmesg.take
}

ct_on_exit() {
	_rc=$?
	trap - EXIT
	if [ $_rc != 0 ] && [ $fail = 0 ]; then
		echo "stopped early: a command failed (exit $_rc) outside a check"
	fi
	if [ $_rc != 0 ]; then
		[ -z "${_kt_reader:-}" ] || kill "$_kt_reader" 2>/dev/null || true
		kprobe_remove 2>/dev/null || true
		echo 1 > /sys/kernel/tracing/tracing_on 2>/dev/null || true
		ct_restore > /dev/null || true
	elif ! ct_restore; then
		_rc=1
	fi
	exit $_rc
}
trap ct_on_exit EXIT
trap 'exit 143' TERM INT

# ct_done: the end of a test; its status is whether any check failed.
ct_done() {
	exit $fail
}

# kprobe_observe 'EVENT FUNCTION [FETCHARGS][|FILTER]'...: count the
# kernel's calls of FUNCTION (those that pass the event FILTER, if any)
# with ftrace's own kprobe events, an observer closetrace does not share.
# The events stream from trace_pipe into a counter (constant memory, for
# runs of any length); kprobe_hits EVENT reads a count once
# kprobe_observe_end has stopped it, which fails the test when the trace
# buffer overran (a count would then be short).
KT=/sys/kernel/tracing
kprobe_observe() {
	echo 0 > $KT/tracing_on
	echo > $KT/trace
	for _spec in "$@"; do
		_probe=${_spec%%|*}
		echo "p:ct_obs/$_probe" >> $KT/kprobe_events
		case $_spec in
		*"|"*) echo "${_spec#*|}" > "$KT/events/ct_obs/${_probe%% *}/filter" ;;
		esac
	done
	echo 1 > $KT/events/ct_obs/enable
	# The token after the timestamp ("123.456789:") is the event's name.
	# (awk reads trace_pipe itself: "cat trace_pipe | awk" would splice,
	# and the splice waits for events holding the pipe's lock, on which
	# awk then blocks, a hung task.)
	# It ends at kprobe_observe_end's marker, the newest event: trace_pipe
	# gives every earlier one first (7.x never says EOF with tracing off).
	awk 'index($0, "ct_obs_end") { exit }
		{ for (i = 2; i <= NF; i++) if ($(i - 1) ~ /^[0-9]+\.[0-9]+:$/) { n[$i]++; break } }
		END { for (e in n) print e, n[e] }' $KT/trace_pipe > /tmp/kprobe.counts &
	_kt_reader=$!
	echo 1 > $KT/tracing_on
}
kprobe_observe_end() {
	# The marker ends the counter once it has read every event before it.
	echo ct_obs_end > $KT/trace_marker
	wait_until 10 eval '! kill -0 $_kt_reader 2>/dev/null' ||
		{ bad "the trace_pipe counter did not reach the end marker"; kill $_kt_reader; }
	wait $_kt_reader || true
	echo 0 > $KT/tracing_on
	kprobe_remove
	echo 1 > $KT/tracing_on
	! grep -h '^overrun: [1-9]' $KT/per_cpu/cpu*/stats ||
		{ bad "ftrace's buffer overran: the kernel's counts are short"; return 1; }
}
kprobe_remove() {
	[ -d $KT/events/ct_obs ] || return 0
	echo 0 > $KT/events/ct_obs/enable
	grep '^p:ct_obs/' $KT/kprobe_events | sed 's/^p:\([^ ]*\) .*/-:\1/' > /tmp/kprobe.off
	while read -r _l; do echo "$_l" >> $KT/kprobe_events; done < /tmp/kprobe.off
}
kprobe_hits() {
	awk -v e="$1:" '$1 == e { n = $2 } END { print n + 0 }' /tmp/kprobe.counts
}
