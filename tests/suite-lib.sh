# The host's side of a guest suite run, shared by tests/run (make check)
# and tests/stress (make stress); sourced by bash, from the project root.
#
# ct_guest_suite KERNEL TIMEOUT GUEST_COMMAND
#   boots KERNEL (2 CPUs) with the oracles' programs (and the debug
#   kernels with CT_DEBUG_MEM MiB, 1024 by default, and the fuzzers), runs
#   GUEST_COMMAND (which runs tests/guest/run-suite.sh), streams the
#   console, and reads the verdicts from the verdict channel, not from the
#   console. A guest that died (a panic: it boots with panic_on_warn=1 and
#   oops=panic; a timeout) fails the test that was running, by name. A
#   kernel that died during its own boot, before init ran (vm-run exit
#   126), is booted once more, and "RETRY kernel K" says so.
#   With CT_KO=FILE, the guest loads FILE (vm-run --ko), not the tree's
#   build. Adds to the caller's pass, fail and skip counts, and prints
#   "kernel K: N passed, N failed, N skipped" and every failure again.
#
# Needs ct_addtree, ct_fuzztree, ct_tracetree and ct_promtree (set by
# ct_guest_tools) and the counters pass, fail, skip set by the caller.

# ct_guest_tools: pack the programs the scenarios' oracles run (tcpdump,
# bpftool) into ct_addtree, the fuzzers (trinity, stress-ng) into
# ct_fuzztree, and the tracers (trace-cmd, bpftrace, perf: the trace
# events' tests) into ct_tracetree, and node_exporter and promtool
# (t_prometheus) into ct_promtree; without them the tests that need them
# fail, saying so.
ct_guest_tools() {
	local tools
	ct_addtree=() ct_fuzztree=() ct_tracetree=() ct_promtree=()
	if tools=$(scripts/guest-tools); then
		ct_addtree=(--add-tree "$tools")
	else
		echo "FAIL packing the guests' tools (scripts/guest-tools)"
		fail=$((fail + 1))
	fi
	if tools=$(scripts/guest-tools fuzzers); then
		ct_fuzztree=(--add-tree "$tools")
	else
		echo "FAIL packing the guests' fuzzers (scripts/guest-tools fuzzers)"
		fail=$((fail + 1))
	fi
	if tools=$(scripts/guest-tools tracers); then
		ct_tracetree=(--add-tree "$tools")
	else
		echo "FAIL packing the guests' tracers (scripts/guest-tools tracers)"
		fail=$((fail + 1))
	fi
	if tools=$(scripts/guest-tools prometheus); then
		ct_promtree=(--add-tree "$tools")
	else
		echo "FAIL packing the guests' node_exporter and promtool (scripts/guest-tools prometheus)"
		fail=$((fail + 1))
	fi
}

ct_guest_suite() {
	local k=$1 timeout_s=$2 cmd=$3 mem=512 work rc p f s end last try why
	local trees=("${ct_addtree[@]}" "${ct_tracetree[@]}" "${ct_promtree[@]}")
	# The debug kernels: room for KASAN's shadow and kmemleak's pool, and
	# the fuzzers (43 MB: not in every other kernel's initramfs).
	case $k in debug*) mem=${CT_DEBUG_MEM:-1024}; trees+=("${ct_fuzztree[@]}") ;; esac
	# The tracers (bpftrace's LLVM: 230 MB) stay in the initramfs, in the
	# guest's memory, and the kernel holds the image and its unpacked copy
	# at once (vm-run): 768 MiB more.
	[ ${#ct_tracetree[@]} = 0 ] || mem=$((mem + 768))
	work=$(mktemp -d "${TMPDIR:-/tmp}/ct-suite.XXXXXX")
	echo "== scenario suite, kernel: $k"
	for try in 1 2; do
		scripts/vm-run --kernel "$k" --smp 2 --mem "$mem" --timeout "$timeout_s" \
			--verdict "$work/verdict" ${CT_KO:+--ko "$CT_KO"} "${trees[@]}" -- "$cmd" 2>&1
		rc=$?
		# 126: the kernel died while booting, before its init (and
		# closetrace) ran: a kernel's own flake (docs/testing.md), booted
		# once more, said here; a second such death fails "boot" below.
		[ "$rc" = 126 ] && [ $try = 1 ] || break
		echo "RETRY kernel $k: it died during its own boot, before init ran (see the console above); booting it once more"
	done
	tr -d '\r' < "$work/verdict" 2>/dev/null | grep -E '^(START|PASS|FAIL|SKIP|END) ' > "$work/v" || true
	p=$(grep -c '^PASS ' "$work/v") || true
	f=$(grep -c '^FAIL ' "$work/v") || true
	s=$(grep -c '^SKIP ' "$work/v") || true
	end=$(sed -n 's/^END \([0-9]*\) \([0-9]*\) \([0-9]*\)$/\1 \2 \3/p' "$work/v" | tail -n 1)
	if [ -z "$end" ]; then
		# The guest stopped before its end: the last test started and
		# never judged is the one that was running.
		last=$(awk '$1 == "START" { t = $2 } $1 ~ /^(PASS|FAIL|SKIP)$/ && $2 ~ "^" t ":?$" { t = "" } END { print t }' "$work/v")
		if [ "$rc" = 126 ]; then
			why="the kernel died during its own boot, twice, before init ran"
		else
			why="the guest stopped during it (vm-run exit $rc: a kernel panic, a WARN with panic_on_warn, or the ${timeout_s}s timeout; see the console above)"
		fi
		echo "FAIL ${last:-boot}: $why" |
			tee -a "$work/v"
		f=$((f + 1))
	elif [ "$end" != "$p $f $s" ]; then
		echo "FAIL kernel $k: the guest counted $end, its verdict channel says $p $f $s" | tee -a "$work/v"
		f=$((f + 1))
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL kernel $k: guest exit $rc with no failed test" | tee -a "$work/v"
		f=$((f + 1))
	fi
	echo "kernel $k: $p passed, $f failed, $s skipped"
	grep '^FAIL ' "$work/v" | sed "s/^/  [$k] /" || true
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	rm -rf "$work"
}
