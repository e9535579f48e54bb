#!/bin/bash
# test_hostile_expect_417.sh - curl uploads 2 MB (it adds "Expect:
# 100-continue" by itself), the server refuses the expectation with 417
# before the body, curl sends no body and retries without it on the same
# connection (200), then a GET follows there: three requests, one
# connection.  Each must have its record: the 417 with no body bytes, the
# retry with the 2 MB, the GET.  Before, the tracer took the retry and
# the GET for the first request's body: one record (417, 2000000 bytes
# sent), the two others lost, the summary saying 1 request, 0 errors.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_rawserver
u=http://127.0.0.1:$RAW_PORT
head -c 2000000 /dev/zero >"$T/post.bin"

w='%{http_code} %{num_connects} %{size_upload}\n'
curl_same e417 --data-binary @"$T/post.bin" -w "$w" "$u/expect417" \
	--next -s -o /dev/null -w "$w" "$u/fixed"
[ "$CURL_RC" = 0 ] || fail "curl exited $CURL_RC"
# the premise: curl retried on its one connection, the body sent once
printf '200 1 2000000\n200 0 0\n' | cmp -s - "$T/e417.out" ||
	{ show "$T/e417.out"; fail "curl did not retry on one connection"; }

jcheck "$T/e417.json" --count 3 \
	--expect "method == ['POST', 'POST', 'GET']" \
	--expect "status == [417, 200, 200] and error == [None] * 3" \
	--expect "req_bytes == [0, 2000000, 0] and resp_bytes == [0, 8, 5]" \
	--expect "len(set(conn)) == 1 and req == [1, 2, 3]"
jcheck "$T/e417.json" --event summary --count 1 \
	--each 'requests == 3 and errors == 0'
pass
