#!/bin/bash
# test_tls_undecoded_handshake_fail.sh - Java (JSSE: TLS no hook decodes)
# over HTTPS to server.py, TLS 1.2 and 1.3: with a certificate that names
# 127.0.0.1 the connection is an ordinary one; with one that has no
# subjectAltName Java refuses it (SSLHandshakeException) and the run says
# the handshake failed, as for a hook's: a tls_error event (the alert in
# the clear named, TLS 1.2's from HttpsURLConnection; else the close during
# the handshake: HttpClient sends no alert, TLS 1.3's is encrypted),
# counted in connect_errors, no connection event.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
command -v java >/dev/null && command -v javac >/dev/null &&
	command -v keytool >/dev/null || skip "no JDK (java, javac, keytool)"
mkdir -p "$T/j"
javac -d "$T/j" "$TESTS_DIR/progs/TlsTry.java" || fail "javac TlsTry.java failed"
for c in san nosan; do
	ext=()
	[ $c = san ] && ext=(-addext "subjectAltName=IP:127.0.0.1")
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 2 -subj /CN=localhost "${ext[@]}" \
		-keyout "$T/$c.key" -out "$T/$c.pem" >>"$T/openssl.log" 2>&1 ||
		fail "openssl could not make a certificate: $(cat "$T/openssl.log")"
	keytool -importcert -noprompt -alias $c -file "$T/$c.pem" \
		-keystore "$T/trust.p12" -storetype PKCS12 -storepass changeit \
		>>"$T/keytool.log" 2>&1 || fail "keytool: $(cat "$T/keytool.log")"
done
start_server 127.0.0.1 --tls "$T/san.pem" "$T/san.key" --log "$T/good.log"
GOOD=$SERVER_PORT
start_server 127.0.0.1 --tls "$T/nosan.pem" "$T/nosan.key" --log "$T/bad.log"
BAD=$SERVER_PORT

# run NAME PORT VERSION [url]: java through httptrace into $T/NAME.json,
# its output in $T/NAME.out
run() {
	"$HTTPTRACE" -f json -o "$T/$1.json" -- java \
		-Djdk.httpclient.allowRestrictedHeaders=connection \
		-Djavax.net.ssl.trustStore="$T/trust.p12" \
		-Djavax.net.ssl.trustStorePassword=changeit \
		-Djdk.tls.client.protocols="$3" -cp "$T/j" TlsTry \
		"https://127.0.0.1:$2/status/200" ${4:+"$4"} >"$T/$1.out" 2>&1
}

# check NAME WANT: WANT "ok" (one connection, no error) or the error every
# tls_error event must carry (one per connection Java tried)
check() {
	"$PY" - "$T/$1.json" "$2" <<'PYEOF' || fail "$1: the json output is wrong"
import json, sys
out, want = sys.argv[1:]
ev = [json.loads(l) for l in open(out)]
def bad(msg):
    print(msg, file=sys.stderr)
    print(open(out).read(), file=sys.stderr)
    sys.exit(1)
conns = [e for e in ev if e["event"] == "connection"]
errs = [e for e in ev if e["event"] in ("tls_error", "connect_error")]
s = [e for e in ev if e["event"] == "summary"][0]
if want == "ok":
    if len(conns) != 1 or errs or s["connect_errors"] != 0:
        bad("want one connection, no error")
    c = conns[0]
    if c["tls_library"] != "unknown" or c["tls_ms"] is None:
        bad("connection: %r" % c)
else:
    # (HttpClient may try a second connection after the first failed,
    # under load: each attempt is a failed handshake of its own)
    if conns or not errs or s["connect_errors"] != len(errs):
        bad("want a tls_error per attempt, no connection")
    for e in errs:
        if e["event"] != "tls_error" or e["error"] != want or \
                e["tls_ms"] is None or not e["peer"].startswith("127.0.0.1:"):
            bad("tls_error: %r" % e)
PYEOF
}

closed="TLS handshake failed: connection closed during the TLS handshake"
for v in TLSv1.2 TLSv1.3; do
	run "good$v" "$GOOD" "$v" || fail "java against a good certificate ($v): $(cat "$T/good$v.out")"
	grep -qx 200 "$T/good$v.out" || fail "java $v: $(cat "$T/good$v.out")"
	check "good$v" ok
	for api in hc url; do
		if run "bad$v$api" "$BAD" "$v" "$api"; then
			fail "java accepted a certificate without SAN ($v $api)"
		fi
		grep -q SSLHandshakeException "$T/bad$v$api.out" ||
			fail "java $v $api: $(cat "$T/bad$v$api.out")"
	done
	check "bad${v}hc" "$closed"
done
check badTLSv1.2url "TLS handshake failed: certificate_unknown (46) sent by the client"
check badTLSv1.3url "$closed"
[ "$(wc -l <"$T/good.log")" = 2 ] || fail "server log: $(cat "$T/good.log")"
[ ! -s "$T/bad.log" ] || fail "the bad server answered: $(cat "$T/bad.log")"
pass
