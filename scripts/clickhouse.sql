-- clickhouse.sql - a ClickHouse table for httptrace's JSON Lines (-f json).
--
-- Each "request" line of `httptrace -f json` is one row in ClickHouse's
-- JSONEachRow format: the column names are the line's keys.  Load a trace:
--
--   clickhouse-client --multiquery < scripts/clickhouse.sql
--   grep '^{"event":"request",' trace.jsonl | clickhouse-client \
--       --input_format_skip_unknown_fields=1 \
--       --query 'INSERT INTO httptrace.requests FORMAT JSONEachRow'
--
-- and query it, e.g. p95 of the total time per host:
--
--   SELECT host, count() AS n, quantile(0.95)(total_ms) AS p95_ms
--   FROM httptrace.requests GROUP BY host ORDER BY p95_ms DESC
--
-- Written for what every ClickHouse since 18.16 (Debian 12's) accepts:
--  - keys the json format may write as null are Nullable columns, so a
--    missing phase stays NULL (aggregates skip it) rather than 0;
--  - booleans (reused, tls, keep_alive, *_truncated) are UInt8: JSONEachRow
--    reads true/false as 1/0 (there is no Bool type before 21.12);
--  - start (Unix seconds with microseconds) is Float64, and `time`, the
--    second it falls in, is computed on insert for partitioning and
--    ordering (DateTime64 only exists from 20.1);
--  - request_headers and response_headers (arrays of {name, value}
--    objects) have no column: 18.16 cannot read objects into a Nested
--    column, so input_format_skip_unknown_fields=1 skips them (and any key
--    a later httptrace adds); without it the insert fails on them;
--  - the grep keeps only request lines: the connect_error, tls_error and
--    summary lines have other keys and are not requests;
--  - side is 'server' for a request a traced server answered (its line
--    says "side":"server") and 'client' for a client's, whose line has no
--    side key: an Enum8 whose first value is 'client' is what 18.16 puts
--    in a column a line leaves out (it has no
--    input_format_defaults_for_omitted_fields, so a DEFAULT is not used).
--    A server's row has its own phases (docs/usage.md, "Servers"):
--    accept_ms, tls_ms, read_ms, processing_ms (the server's own
--    processing), write_ms; a client's has dns_ms, connect_ms, tls_ms,
--    send_ms, wait_ms, receive_ms.  The other side's columns are NULL (a
--    Nullable column a line leaves out is NULL).
--
-- A table made by an older clickhouse.sql has none of the server's
-- columns; add them with
--
--   ALTER TABLE httptrace.requests
--       ADD COLUMN side Enum8('client' = 0, 'server' = 1) AFTER event,
--       ADD COLUMN accept_ms Nullable(Float64) AFTER receive_ms,
--       ADD COLUMN read_ms Nullable(Float64) AFTER accept_ms,
--       ADD COLUMN processing_ms Nullable(Float64) AFTER read_ms,
--       ADD COLUMN write_ms Nullable(Float64) AFTER processing_ms

CREATE DATABASE IF NOT EXISTS httptrace;

CREATE TABLE IF NOT EXISTS httptrace.requests
(
    event             String,              -- always 'request'
    side              Enum8('client' = 0, 'server' = 1), -- 'server': a traced server's answer
    pid               UInt32,              -- traced process
    conn              UInt32,              -- connection number in that process
    req               UInt32,              -- request number on the connection, from 1
    reused            UInt8,               -- 0 for a connection's first request
    idle_ms           Nullable(Float64),   -- idle before a reused request
    method            Nullable(String),
    url               String,
    host              String,
    peer              Nullable(String),    -- 'IP:port' / '[IPv6]:port'; a server's: the client
    proto             Nullable(String),    -- HTTP/1.0, HTTP/1.1, HTTP/2
    tls               UInt8,
    status            Nullable(UInt16),    -- NULL: no response
    error             Nullable(String),    -- NULL: completed normally
    req_bytes         UInt64,              -- body bytes, de-chunked
    resp_bytes        UInt64,
    start             Nullable(Float64),   -- Unix seconds the first phase began
    dns_ms            Nullable(Float64),   -- dns/connect/tls: new connections only
    connect_ms        Nullable(Float64),
    tls_ms            Nullable(Float64),
    send_ms           Nullable(Float64),
    wait_ms           Nullable(Float64),   -- server processing
    receive_ms        Nullable(Float64),
    accept_ms         Nullable(Float64),   -- a server's: accept to the client's first bytes
    read_ms           Nullable(Float64),   -- a server's: the request read
    processing_ms     Nullable(Float64),   -- a server's own processing
    write_ms          Nullable(Float64),   -- a server's: the response written
    total_ms          Nullable(Float64),
    alpn              Nullable(String),
    tls_version       Nullable(String),
    status_text       Nullable(String),
    content_type      Nullable(String),
    req_header_bytes  UInt32,
    resp_header_bytes UInt32,
    interim           UInt16,              -- 1xx responses before the final one
    keep_alive        UInt8,
    headers_truncated UInt8,
    target_truncated  UInt8,
    time              DateTime MATERIALIZED toDateTime(toUInt32(ifNull(start, 0)))
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (host, time);
