#!/usr/bin/env bash
# Module signing as docs/packaging.md describes it for Secure Boot and
# lockdown: a key made with openssl (the kernel's certs/default_x509.genkey
# settings), the module signed with sign-file from Debian's headers
# (bookworm's, from the cache), and modinfo shows that key as the signer,
# its key id and the hash; the unsigned module has no signer.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0
no() { echo "  sign: $*"; bad=1; }
command -v openssl >/dev/null || { echo "  sign: openssl missing: run scripts/install-deps"; exit 1; }

kdir=$("$CT_ROOT/scripts/fetch-kernel" bookworm)
hdr=$kdir/root/usr/src/linux-headers-$(cat "$kdir/krel")
[ -x "$hdr/scripts/sign-file" ] || { echo "  sign: no scripts/sign-file in $hdr"; exit 1; }
ko=$("$CT_ROOT/scripts/build-module" bookworm 2> "$work/build.log") || { cat "$work/build.log"; exit 1; }
cp "$ko" "$work/unsigned.ko"
cp "$ko" "$work/closetrace.ko"

cat > "$work/x509.genkey" <<'EOC'
[ req ]
default_bits = 4096
distinguished_name = req_distinguished_name
prompt = no
string_mask = utf8only
x509_extensions = myexts

[ req_distinguished_name ]
CN = closetrace test signing key

[ myexts ]
basicConstraints=critical,CA:FALSE
keyUsage=digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOC
openssl req -new -nodes -utf8 -sha256 -days 1 -batch -x509 -config "$work/x509.genkey" \
	-outform PEM -out "$work/signing_key.pem" -keyout "$work/signing_key.pem" 2> "$work/openssl.log" ||
	{ cat "$work/openssl.log"; exit 1; }
openssl x509 -in "$work/signing_key.pem" -outform DER -out "$work/signing_key.x509"
"$hdr/scripts/sign-file" sha256 "$work/signing_key.pem" "$work/signing_key.x509" "$work/closetrace.ko" ||
	{ no "sign-file failed"; exit 1; }

[ -z "$(modinfo -F signer "$work/unsigned.ko")" ] || no "the unsigned module has a signer"
tail -c 28 "$work/closetrace.ko" | grep -q '~Module signature appended~' || no "no module signature marker at the end"
signer=$(modinfo -F signer "$work/closetrace.ko")
[ "$signer" = "closetrace test signing key" ] || no "modinfo signer is '$signer'"
[ "$(modinfo -F sig_hashalgo "$work/closetrace.ko")" = sha256 ] || no "modinfo sig_hashalgo is not sha256"
# sign-file names the signer by issuer and serial number (PKCS#7):
# modinfo's sig_key is the certificate's serial.
serial=$(openssl x509 -in "$work/signing_key.pem" -noout -serial | sed 's/^serial=//')
sigkey=$(modinfo -F sig_key "$work/closetrace.ko")
[ -n "$serial" ] && [ "$(echo "$sigkey" | tr -d : | tr a-f A-F | sed "s/^0*//")" = "$(echo "$serial" | tr a-f A-F | sed "s/^0*//")" ] ||
	no "modinfo sig_key '$sigkey' is not the certificate's serial '$serial'"
[ "$(modinfo -F vermagic "$work/closetrace.ko")" = "$(modinfo -F vermagic "$work/unsigned.ko")" ] || no "signing changed the module's vermagic"
[ $bad = 0 ] || exit 1
echo "  sign: signer '$signer', sig_key $sigkey, sha256 (sign-file of $(cat "$kdir/krel")'s headers)"
