#!/bin/bash
# test_deepbind_php.sh - PHP's curl extension is traced over http and https.
# PHP loads its extensions RTLD_DEEPBIND: the extension's libcurl binds
# connect, send, recv and SSL_write... to libc and libssl directly, past
# the preloaded library, until the library rebinds them after dlopen.
# Each php -r 'curl_exec(...)' gives one record matching nginx's log.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd php
# -n: no php.ini, the one extension this test loads (as php.ini would).
mods=$(php -n -d extension=curl -m 2>/dev/null) || true
grep -qx curl <<<"$mods" || skip "php has no curl extension (php-curl)"
start_nginx

# php -r CODE URL: GET URL with curl_exec; print the status and body size.
# shellcheck disable=SC2016 # PHP code, not shell
code='$c = curl_init($argv[1]);
curl_setopt($c, CURLOPT_RETURNTRANSFER, true);
curl_setopt($c, CURLOPT_CAINFO, getenv("CA"));
$body = curl_exec($c);
if ($body === false) { fwrite(STDERR, curl_error($c) . "\n"); exit(2); }
echo curl_getinfo($c, CURLINFO_RESPONSE_CODE), " ", strlen($body), "\n";'
export CA=$T/cert.pem

for scheme in http https; do
	port=$NGINX_PORT
	[ "$scheme" = https ] && port=$NGINX_TLS_PORT
	u=$scheme://127.0.0.1:$port/f/10000
	nginx_log_mark
	run_same "$scheme" json php -n -d extension=curl -r "$code" "$u"
	[ "$(cat "$T/$scheme.out")" = "200 10000" ] ||
		{ show "$T/$scheme.out" "$T/$scheme.err"; fail "$scheme: php did not get 10000 bytes"; }
	log=$(nginx_log_since 2)
	note "$scheme: nginx logged $log"
	# Two requests: the untraced run's and the traced run's, same protocol.
	proto=$("$PY" -c "import sys; l = $log; print(l[1][4])")
	jcheck "$T/$scheme.json" --count 1 \
		--expect "[[1, 200, 10000, 'GET', '/f/10000']] * 2 == [[r[1], r[2], r[3], r[5], r[6]] for r in $log]" \
		--each "method == 'GET' and status == 200 and resp_bytes == 10000 and error is None" \
		--each "url == '$u' and tls is $([ "$scheme" = https ] && echo True || echo False)" \
		--each "proto == '$proto'.replace('HTTP/2.0', 'HTTP/2')"
done
pass
