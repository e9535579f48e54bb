#!/bin/bash
# test_hostile_http10_close.sh - HTTP/1.0 responses without Content-Length,
# delimited by the server closing (one of 50000 bytes, one empty): curl's
# result is unchanged; the records have proto HTTP/1.1 (curl's request)
# and response_proto HTTP/1.0 (the answer's), the exact sizes, no error and
# keep_alive false.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
u=http://127.0.0.1:$RAW_PORT

curl_same h10 "$u/http10/50000"
[ "$(cat "$T/h10.out")" = "200 50000" ] || fail "curl did not get 200 and 50000 bytes"
curl_same h10e "$u/http10/0"
[ "$(cat "$T/h10e.out")" = "200 0" ] || fail "curl did not get 200 and 0 bytes"

for n in h10:50000 h10e:0; do
	jcheck "$T/${n%:*}.json" --count 1 \
		--each "url == '$u/http10/${n#*:}' and error is None" \
		--each "status == 200 and resp_bytes == ${n#*:} and proto == 'HTTP/1.1' and response_proto == 'HTTP/1.0'" \
		--each 'keep_alive is False'
done
pass
