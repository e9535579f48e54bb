#!/bin/sh
# install-deps.sh - install the Debian 12 packages httptrace builds and tests
# with.  Fast when everything is already present: one dpkg-query, no network.
#
#   scripts/install-deps.sh          install what is missing
#   scripts/install-deps.sh bench    the same, plus what make bench uses
#   HTTPTRACE_NO_DEPS=1 ...          check only; never install
set -eu

# nodejs: test_node_https.sh (Debian 12's node 18 links the shared libssl;
# a NodeSource or official node embeds OpenSSL, the inline hooks' case).
# libclang-rt-14-dev: clang's sanitizer and libFuzzer runtimes (make fuzz);
# clang only recommends it, and recommends are not installed.
# chromium: headless, loads the -f html page and dumps its DOM
# (test_html_chromium); the heaviest package here: on top of the others it
# adds 185 packages (X11, GTK, Mesa, NSS, fonts), 191 MB to download, 644 MB
# installed (apt-get -s from an empty dpkg status); 32 s to install its
# last 8 missing packages (122 MB) on the development VM.
# php-cli, php-curl: test_deepbind_php (PHP loads extensions RTLD_DEEPBIND):
# 8 packages (6 php8.2 ones and 2 metapackages), 2.9 MB to download, 15 MB
# installed.
# libpython3.11-testsuite: CPython's own tests, for
# test_cpython_subprocess (two of test_subprocess's fd-listing tests run
# traced), test_cpython_http (http.client, http.server and urllib cases)
# and test_server_partial_head_close (a test_ssl case).
# python3-grpcio: test_grpc_python* (gRPC's C core, Debian's build linking
# the system libssl); with python3-protobuf, 2.3 MB to download, 8.1 MB
# installed; with the libraries it needs that nothing else here brings
# (libabsl20220623, libprotobuf32, libre2-9, libc-ares2), 3.9 MB and 14 MB
# (apt-cache show sizes).
# clickhouse-server, clickhouse-client: 18.16, for test_clickhouse (the json
# format loaded as JSONEachRow): 28 more packages (Poco), 17 MB to
# download, 104 MB installed; 23 s to install on the development VM.
# wget2: test_tfo_wget2 (it opens connections with TCP Fast Open by
# default): 3 packages (wget2, libwget0, libgpgme11), 0.5 MB to download,
# 1.2 MB installed.
# python3-websockets: test_websocket_python, test_websocket_node (server).
# openjdk-17-jdk-headless: test_threads_java_httpclient (javac and java:
# HttpClient writes on one thread and reads on another): 72 MB to download
# and 77 MB installed, plus openjdk-17-jre-headless (44 MB, 188 MB
# installed); its other dependencies come with chromium.
PKGS="build-essential gcc make pkg-config check curl wget python3 \
nginx-light openssl apache2-utils nghttp2-client libnghttp2-dev \
libelf-dev libssl-dev git wrk clang libclang-rt-14-dev man-db busybox-static \
chromium clickhouse-server clickhouse-client nodejs \
libcurl4-openssl-dev prometheus php-cli php-curl libpython3.11-testsuite \
python3-grpcio python3-websockets wget2 tmux \
openjdk-17-jdk-headless"

# make bench only (not make check, not CI): valgrind for the callgrind
# figures, and the peers it compares with, strace and bpftrace (bpftrace
# brings LLVM along, and needs root and kernel BPF support to run at all).
if [ "${1:-}" = bench ]; then
	PKGS="$PKGS valgrind strace bpftrace"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps: not a Debian system (no dpkg-query); install by hand: $PKGS" >&2
	exit 0
fi

# One dpkg-query for all packages; a package never seen by dpkg prints an
# error on stderr and nothing on stdout, so it counts as missing too.
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $PKGS 2>/dev/null |
	awk '$2 == "installed" { printf "%s ", $1 }')"
missing=""
for p in $PKGS; do
	case "$installed" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "${HTTPTRACE_NO_DEPS:-}" = 1 ]; then
	echo "install-deps: missing:$missing (HTTPTRACE_NO_DEPS=1: not installing)" >&2
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: missing:$missing and not root, no sudo" >&2
	exit 1
fi

echo "install-deps: installing:$missing"

# The tests start their own nginx, clickhouse-server and prometheus on
# loopback; a freshly installed package must not start its service (nginx's
# default site on port 80, prometheus on 9090, of every address, or
# clickhouse-server's system service).  policy-rc.d (exit 101: "action
# forbidden") stops a package starting its service.
policy=/usr/sbin/policy-rc.d
case " $missing " in
*" nginx-light "* | *" clickhouse-server "* | *" prometheus "*)
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
		$SUDO chmod 755 "$policy"
		trap '$SUDO rm -f "$policy"' EXIT
	fi
	;;
esac

$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing </dev/null

# nginx-light must bring ssl and http2 (the TLS and h2 tests rely on them).
v=$(PATH="$PATH:/usr/sbin" nginx -V 2>&1 || true)
case "$v" in
*--with-http_ssl_module*--with-http_v2_module*) ;;
*) echo "install-deps: warning: nginx lacks http_ssl_module or http_v2_module" >&2 ;;
esac
echo "install-deps: done"
