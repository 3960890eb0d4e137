# Hook modes. file_hooks=0: the per-file hooks (fd close, final reference
# drop) are not attached (the kernel's kprobe list agrees), non-socket closes
# hit nothing, and a socket close is still recorded, from sock_close on,
# without its fd. hooks_only=1: every hook attached and hit, nothing recorded.
. /tests/lib.sh

fdsym=$(sym fd_close) putsym=$(sym final_put)
[ -n "$fdsym" ] && [ "$fdsym" != off ] && [ "$fdsym" != absent ] ||
	{ bad "default load: no fd_close hook ($fdsym)"; ct_done; }
grep -q "$fdsym" /sys/kernel/debug/kprobes/list ||
	bad "default load: $fdsym not in the kernel's kprobe list"

ct_reload file_hooks=0
for r in fd_close final_put; do
	[ "$(sym $r)" = off ] || bad "file_hooks=0: $r is '$(sym $r)', not off"
done
for s in $fdsym $putsym; do
	if grep -q " $s+" /sys/kernel/debug/kprobes/list; then
		bad "file_hooks=0: $s is in the kernel's kprobe list"
	fi
done
cat $D/trace > /dev/null
i=0
while [ $i -lt 50 ]; do cat /proc/version > /dev/null; i=$((i + 1)); done
[ "$(hits fd_close)" = 0 ] && [ "$(hits final_put)" = 0 ] ||
	bad "file_hooks=0: per-file hooks hit: $(hits fd_close) $(hits final_put)"
/tests/helper_conn 20170
sleep 1
out=$(cat $D/trace)
n=$(echo "$out" | grep -c ' CLOSE .*comm=helper_conn fd=-1 .*:20170 ') || true
[ "$n" = 3 ] || { bad "file_hooks=0: $n CLOSE records with fd=-1 for port 20170, want 3 (client, server, listener)"; echo "$out"; }
! echo "$out" | grep -q ' REFDROP ' || bad "file_hooks=0: a REFDROP record"

ct_reload hooks_only=1
/tests/helper_conn 20171 5
sleep 1
[ "$(v events_written)" = 0 ] || bad "hooks_only=1: $(v events_written) records written"
[ "$(v closes_tcp)" = 0 ] || bad "hooks_only=1: closes_tcp $(v closes_tcp)"
for r in fd_close sock_release tcp_close; do
	h=$(hits $r)
	[ "${h:-0}" -ge 10 ] || bad "hooks_only=1: $r hit ${h:-0} times for 10 socket closes"
done
[ -z "$(cat $D/trace)" ] || bad "hooks_only=1: the trace file is not empty"

ct_reload_default
ct_done
