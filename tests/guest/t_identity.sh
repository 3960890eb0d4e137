# Who closed, where, and tcp_info's counters (record ABI 4): for a close
# in the guest's own namespaces and one in a container (its own network
# and pid namespaces and cgroup, made with busybox's unshare), the CLOSE
# record must carry what the kernel says through interfaces closetrace
# does not use (helper_identity prints them): the pid in the init and in
# the closer's pid namespace, /proc/self/ns/net's inode, the cgroup v2
# directory's inode (its id; 0 on a kernel without cgroups), SO_COOKIE,
# and TCP_INFO's bytes_acked, bytes_received, segs_in, segs_out,
# total_retrans and rtt read just before the close. The server's socket,
# whose cookie nobody asked for, gets one of its own; the client's END
# carries its counters at its end (its FIN sent: segs_out grew). The
# reader's JSON, CSV and the debugfs trace text carry the fields. The
# module's filters (netns=, cgroup=) and the reader's (--netns, --cgroup)
# keep only a container's closes; bad values are refused, saying so.
. /tests/lib.sh
CG=/sys/fs/cgroup

# jv KEY LINE: a numeric value of a JSON line
jv() { echo "$2" | sed -n "s/.*\"$1\":\\(-\\{0,1\\}[0-9]*\\).*/\\1/p"; }
# tv KEY LINE: a value of helper_identity's key=value line
tv() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# check LABEL TRUTH: the CLOSE and END records of helper_identity's client
# (its port in TRUTH) against TRUTH; the JSON lines in /tmp/id.json.
check() {
	_l=$1 _t=$2
	_sp=$(tv sport "$_t")
	_c=$(grep '"type":"CLOSE"' /tmp/id.json | grep "\"sport\":$_sp," | head -n 1)
	_e=$(grep '"type":"END"' /tmp/id.json | grep "\"sport\":$_sp," | head -n 1)
	if [ -z "$_c" ] || [ -z "$_e" ]; then
		bad "$_l: no CLOSE or END record of port $_sp"
		return
	fi
	[ "$(jv pid "$_c")" = "$(tv pid "$_t")" ] || bad "$_l: pid $(jv pid "$_c"), the kernel says $(tv pid "$_t")"
	[ "$(jv vpid "$_c")" = "$(tv vpid "$_t")" ] || bad "$_l: vpid $(jv vpid "$_c"), getpid() says $(tv vpid "$_t")"
	[ "$(jv netns "$_c")" = "$(tv netns "$_t")" ] ||
		bad "$_l: netns $(jv netns "$_c"), /proc/self/ns/net's inode is $(tv netns "$_t")"
	[ "$(jv cgroup_id "$_c")" = "$(tv cgroup "$_t")" ] ||
		bad "$_l: cgroup_id $(jv cgroup_id "$_c"), the cgroup directory's inode is $(tv cgroup "$_t")"
	[ "$(jv cookie "$_c")" = "$(tv cookie "$_t")" ] ||
		bad "$_l: cookie $(jv cookie "$_c"), SO_COOKIE says $(tv cookie "$_t")"
	[ "$(jv cookie "$_e")" = "$(tv cookie "$_t")" ] || bad "$_l: the END's cookie $(jv cookie "$_e")"
	for k in bytes_acked bytes_received segs_in segs_out total_retrans; do
		[ "$(jv $k "$_c")" = "$(tv $k "$_t")" ] ||
			bad "$_l: $k $(jv $k "$_c"), TCP_INFO says $(tv $k "$_t")"
	done
	[ "$(jv srtt_us "$_c")" = "$(tv rtt "$_t")" ] ||
		bad "$_l: srtt_us $(jv srtt_us "$_c"), TCP_INFO's rtt is $(tv rtt "$_t")"
	[ "$(tv bytes_acked "$_t")" -ge 3000 ] || bad "$_l: TCP_INFO's bytes_acked $(tv bytes_acked "$_t") < the 3000 sent"
	[ "$(tv bytes_received "$_t")" = 1234 ] || bad "$_l: TCP_INFO's bytes_received $(tv bytes_received "$_t") != the 1234 sent"
	[ "$(jv segs_out "$_e")" -gt "$(jv segs_out "$_c")" ] ||
		bad "$_l: END's segs_out $(jv segs_out "$_e") not above the CLOSE's $(jv segs_out "$_c") (the FIN)"
	[ "$(jv bytes_acked "$_e")" -ge "$(jv bytes_acked "$_c")" ] || bad "$_l: END's bytes_acked went down"
	# the server's socket: a cookie closetrace asked for, its own
	_s=$(grep '"type":"CLOSE"' /tmp/id.json | grep "\"dport\":$_sp," | head -n 1)
	_sc=$(jv cookie "$_s")
	if [ -z "$_s" ]; then
		bad "$_l: no CLOSE record of the server's socket"
	elif [ "${_sc:-0}" = 0 ] || [ "$_sc" = "$(tv cookie "$_t")" ]; then
		bad "$_l: the server's cookie is '$_sc' (the client's $(tv cookie "$_t"))"
	fi
	[ "$(jv netns "$_s")" = "$(tv netns "$_t")" ] || bad "$_l: the server's netns $(jv netns "$_s")"
}

ct_reload_default
# cgroup v2, where the kernel has cgroups
cgroups=0
if grep -qw cgroup2 /proc/filesystems; then
	mkdir -p $CG
	grep -q " $CG cgroup2 " /proc/mounts || mount -t cgroup2 none $CG
	cgroups=1
fi

# --- the guest's own namespaces
echo clear > $C
t=$(/tests/helper_identity 21900) || bad "helper_identity 21900 failed"
wait_until 30 eval '[ "$(v tracked)" = 0 ]' || bad "closetrace still follows $(v tracked) sockets"
closetrace --drain -j > /tmp/id.json
check host "$t"
[ "$(tv vpid "$t")" = "$(tv pid "$t")" ] || bad "host: getpid() $(tv vpid "$t") is not /proc/self $(tv pid "$t")"
[ "$(tv netns "$t")" = "$(stat -L -c %i /proc/1/ns/net)" ] || bad "host: the helper is not in init's netns"
host_netns=$(tv netns "$t")
echo "identity: host: $t"
if [ $cgroups = 1 ]; then
	[ "$(tv cgroup "$t")" = "$(stat -c %i $CG)" ] || bad "host: cgroup $(tv cgroup "$t"), the root's inode $(stat -c %i $CG)"
else
	[ "$(tv cgroup "$t")" = 0 ] || bad "host: no cgroups, but the helper found cgroup $(tv cgroup "$t")"
fi

# the formats: CSV has the columns, the trace text the keys
/tests/helper_identity 21901 > /tmp/id.t2 || bad "helper_identity 21901 failed"
wait_until 30 eval '[ "$(v tracked)" = 0 ]' || bad "closetrace still follows $(v tracked) sockets"
cat $D/trace > /tmp/id.trace
# (uid: the socket's owner, root's here)
grep -E ' CLOSE .*:21901 .* cookie=[0-9]+ netns=[0-9]+ cgroup=[0-9]+ vpid=[0-9]+ uid=0 bytes_acked=[0-9]+ bytes_received=1234 segs_in=[0-9]+ segs_out=[0-9]+ retrans=[0-9]+ srtt_us=[0-9]+ lifetime_ns=[0-9]+ death=- sk_err=0 since_ns=[0-9]+$' \
	/tmp/id.trace > /dev/null || { bad "the trace text has no CLOSE line with the ABI 6 keys:"; grep ' CLOSE ' /tmp/id.trace | head -n 2; }
/tests/helper_identity 21902 > /dev/null || bad "helper_identity 21902 failed"
wait_until 30 eval '[ "$(v tracked)" = 0 ]' || bad "closetrace still follows $(v tracked) sockets"
closetrace --drain --csv > /tmp/id.csv
head -n 1 /tmp/id.csv | grep -q ',flags,cookie,netns,cgroup_id,vpid,bytes_acked,bytes_received,segs_in,segs_out,total_retrans,srtt_us,since_ns,sk_err,death,retransmits,lifetime_ns,uid$' ||
	bad "CSV header: $(head -n 1 /tmp/id.csv)"
n=$(head -n 1 /tmp/id.csv | tr ',' '\n' | wc -l)
awk -F, -v n="$n" 'NR > 1 && /^[A-Z]+,/ && NF != n { bad = 1 } END { exit bad }' /tmp/id.csv ||
	bad "CSV rows without the header's $n columns"

# --- a container: its own network and pid namespaces, and cgroup
if [ $cgroups = 1 ]; then
	mkdir -p $CG/ct-identity
	cgin="echo \$\$ > $CG/ct-identity/cgroup.procs &&"
else
	cgin=
fi
echo clear > $C
t=$(sh -c "$cgin exec unshare -n -p -f sh -c 'ip link set lo up && exec /tests/helper_identity 21910'") ||
	bad "helper_identity in a container failed"
wait_until 30 eval '[ "$(v tracked)" = 0 ]' || bad "closetrace still follows $(v tracked) sockets"
closetrace --drain -j > /tmp/id.json
check container "$t"
echo "identity: container: $t"
[ "$(tv vpid "$t")" = 1 ] || bad "container: the helper is pid $(tv vpid "$t") in its pid namespace, not 1"
[ "$(tv pid "$t")" != 1 ] || bad "container: /proc/self says pid 1"
[ "$(tv netns "$t")" != "$host_netns" ] || bad "container: the helper's netns is the host's"
if [ $cgroups = 1 ]; then
	[ "$(tv cgroup "$t")" = "$(stat -c %i $CG/ct-identity)" ] ||
		bad "container: cgroup $(tv cgroup "$t"), ct-identity's inode is $(stat -c %i $CG/ct-identity)"
fi

# --- the reader's --netns and --cgroup, on the records of a host close and
# a container close saved raw
echo clear > $C
/tests/helper_identity 21940 > /dev/null || bad "helper_identity 21940 failed"
t=$(sh -c "$cgin exec unshare -n -p -f sh -c 'ip link set lo up && exec /tests/helper_identity 21941'") ||
	bad "helper_identity in a container failed"
wait_until 30 eval '[ "$(v tracked)" = 0 ]' || bad "closetrace still follows $(v tracked) sockets"
closetrace --drain -r > /tmp/id.bin
cns=$(tv netns "$t")
# rfilter LABEL KEY VALUE OPTIONS...: the saved records through a filter
# must be some, and all of KEY VALUE
rfilter() {
	_l=$1 _k=$2 _v=$3
	shift 3
	closetrace -f /tmp/id.bin -j "$@" > /tmp/id.f.json || bad "$_l: closetrace $* failed"
	[ -s /tmp/id.f.json ] || bad "$_l: no record passed"
	_n=$(grep -vc "\"$_k\":$_v," /tmp/id.f.json || true)
	[ "$_n" = 0 ] || bad "$_l: $_n records with another $_k: $(grep -v "\"$_k\":$_v," /tmp/id.f.json | head -n 1)"
}
rfilter "--netns NUMBER" netns "$cns" --netns "$cns"
grep -q "\"sport\":$(tv sport "$t")," /tmp/id.f.json || bad "--netns $cns: not the container's close"
rfilter "--netns /proc/1/ns/net" netns "$host_netns" --netns /proc/1/ns/net
grep -q '"dport":21940,' /tmp/id.f.json || bad "--netns /proc/1/ns/net: not the host's close"
if [ $cgroups = 1 ]; then
	rfilter "--cgroup DIR" cgroup_id "$(stat -c %i $CG/ct-identity)" --cgroup $CG/ct-identity
	grep -q "\"sport\":$(tv sport "$t")," /tmp/id.f.json || bad "--cgroup: not the container's close"
fi
for a in "--netns /nonexistent" "--netns 0" "--netns 4294967296" "--netns 12x" "--cgroup 0" \
	"--cgroup /nonexistent" "--cgroup 18446744073709551616"; do
	# shellcheck disable=SC2086	# option and value
	if closetrace -f /tmp/id.bin -j $a > /tmp/id.f.out 2> /tmp/id.f.err; then
		bad "closetrace $a was accepted"
	elif ! grep -q "closetrace: .*${a%% *}" /tmp/id.f.err || [ -s /tmp/id.f.out ]; then
		bad "closetrace $a: no clear error, or output: $(cat /tmp/id.f.err /tmp/id.f.out | head -n 2)"
	fi
done

# --- the filters: netns= and cgroup= (control file and module parameter)
# A container waits (its netns inode in /tmp/id.ns) until /tmp/id.go.
rm -f /tmp/id.ns /tmp/id.go
sh -c "$cgin exec unshare -n -p -f sh -c 'ip link set lo up && stat -L -c %i /proc/self/ns/net > /tmp/id.ns.new &&
	mv /tmp/id.ns.new /tmp/id.ns && while [ ! -e /tmp/id.go ]; do sleep 0.1; done &&
	exec /tests/helper_identity 21920'" > /tmp/id.c.out &
cpid=$!
wait_until 30 test -s /tmp/id.ns || bad "the container did not start"
ns=$(cat /tmp/id.ns)
echo clear > $C
echo "netns=$ns" > $C || bad "control: netns=$ns refused"
[ "$(v filter_netns)" = "$ns" ] || bad "stats say filter_netns $(v filter_netns), not $ns"
/tests/helper_identity 21921 > /dev/null || bad "helper_identity 21921 failed"
touch /tmp/id.go
wait $cpid || bad "helper_identity in the waiting container failed"
wait_until 30 eval '[ "$(v tracked)" = 0 ]' || bad "closetrace still follows $(v tracked) sockets"
closetrace --drain -j > /tmp/id.json
t=$(cat /tmp/id.c.out)
check "netns filter" "$t"
n=$(grep -vc "\"netns\":$ns," /tmp/id.json || true)
[ "$n" = 0 ] || bad "netns=$ns: $n records of other namespaces: $(grep -v "\"netns\":$ns," /tmp/id.json | head -n 1)"
echo filter=off > $C
for bad in netns=0 netns=4294967296 netns=x cgroup=0 cgroup=18446744073709551616 cgroup=-1; do
	if echo "$bad" > $C 2>/dev/null; then bad "control: $bad was accepted"; fi
done
[ "$(v filter_netns)" = 0 ] && [ "$(v filter_cgroup)" = 0 ] || bad "a refused filter changed the filters"
if [ $cgroups = 1 ]; then
	id=$(stat -c %i $CG/ct-identity)
	ct_reload "filter_cgroup=$id"
	[ "$(v filter_cgroup)" = "$id" ] || bad "filter_cgroup=$id at load: stats say $(v filter_cgroup)"
	/tests/helper_identity 21930 > /dev/null || bad "helper_identity 21930 failed"
	t=$(sh -c "echo \$\$ > $CG/ct-identity/cgroup.procs && exec /tests/helper_identity 21931") ||
		bad "helper_identity in cgroup ct-identity failed"
	wait_until 30 eval '[ "$(v tracked)" = 0 ]' || bad "closetrace still follows $(v tracked) sockets"
	closetrace --drain -j > /tmp/id.json
	check "cgroup filter" "$t"
	n=$(grep -vc "\"cgroup_id\":$id," /tmp/id.json || true)
	[ "$n" = 0 ] || bad "filter_cgroup=$id: $n records of other cgroups"
	ct_reload_default
	rmdir $CG/ct-identity || bad "the container's cgroup did not empty"
fi
echo "identity: filters netns=$ns and cgroup=${id:-none (no cgroups)} kept only their closes"
ct_done
