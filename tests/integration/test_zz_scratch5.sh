#!/bin/bash
. "$(dirname "$0")/lib.sh"
require_built
NGINX_FILE_SIZES="100 1000 100000"
NGINX_SERVER_EXTRA="keepalive_requests 7;"
start_nginx
O=/tmp/audit4-yours/s5; rm -rf $O; mkdir -p $O
cp $T/cert.pem $O/
: > $T/nginx/requests.log
urls=""; outs=""; for i in $(seq 1 50); do urls="$urls https://localhost:$NGINX_TLS_PORT/f/$(( (i % 3 == 0) ? 100000 : 1000 ))?i=$i"; outs="$outs -o /dev/null"; done
"$HTTPTRACE" -f json -o $O/par.json -- curl -s --cacert $O/cert.pem --http2 --parallel --parallel-max 50 $outs -w '%{http_code} %{size_download} %{url_effective}\n' $urls > $O/par.out 2>&1 || echo "rc $?" >> $O/par.out
cp $T/nginx/requests.log $O/nginx_par.log
: > $T/nginx/requests.log
"$HTTPTRACE" -f json -o $O/seq.json -- curl -s --cacert $O/cert.pem --http1.1 $outs -w '%{http_code} %{size_download} %{url_effective}\n' $urls > $O/seq.out 2>&1 || echo "rc $?" >> $O/seq.out
cp $T/nginx/requests.log $O/nginx_seq.log
pass
