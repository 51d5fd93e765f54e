"""A fault-injecting loopback HTTP proxy for S3: put it in front of a real server (moto)
and it breaks one behaviour the way a buggy implementation would.

    with FaultProxy("http://127.0.0.1:5000") as proxy:
        proxy.fault = "ignore-range"       # None: forward everything untouched
        ... point s3tester at proxy.url ...

It is a reverse proxy, not a forward one: clients talk to it as if it were the server.
Requests are forwarded byte for byte (the upstream must not check signatures over headers
a fault drops: moto without IAM users checks none); responses are read whole, changed,
and sent back with a fresh Content-Length. `python tests/faultproxy.py UPSTREAM FAULT`
runs one by hand.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

Headers = list[tuple[str, str]]
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "expect"}


@dataclass
class Exchange:
    """One request and, once forwarded, its response; faults edit it in place."""

    method: str
    path: str  # path and query string, as sent
    headers: Headers
    body: bytes
    status: int = 0
    reason: str = ""
    response_headers: Headers | None = None
    response_body: bytes = b""
    answered: bool = False  # a request fault answered it itself: nothing is forwarded

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))

    def has_subresource(self, name: str) -> bool:
        return name in self.query

    def set_query(self, drop: set[str]) -> None:
        parts = urlsplit(self.path)
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in drop]
        query = urlencode(pairs)
        self.path = parts.path + (f"?{query}" if query else "")

    def drop_headers(self, names: set[str] | Callable[[str], bool], response: bool = False) -> None:
        match = names if callable(names) else (lambda n: n.lower() in names)
        if response:
            self.response_headers = [(k, v) for k, v in self.response_headers or [] if not match(k)]
        else:
            self.headers = [(k, v) for k, v in self.headers if not match(k)]

    def answer(self, status: int, body: bytes = b"", content_type: str = "application/xml") -> None:
        self.status, self.reason, self.answered = status, http.client.responses.get(status, ""), True
        self.response_headers = [("Content-Type", content_type)]
        self.response_body = body


@dataclass(frozen=True)
class Fault:
    description: str
    request: Callable[[Exchange], None] | None = None
    response: Callable[[Exchange], None] | None = None


def _is_listing(ex: Exchange) -> bool:
    """GET on a bucket (one path segment) without a sub-resource other than list-type."""
    segments = [s for s in urlsplit(ex.path).path.split("/") if s]
    subresources = set(ex.query) - {"list-type", "prefix", "delimiter", "max-keys", "marker", "start-after",
                                     "continuation-token", "encoding-type", "fetch-owner"}
    return ex.method == "GET" and len(segments) == 1 and not subresources


def _unquote_etags(ex: Exchange) -> None:
    ex.response_headers = [(k, v.strip('"') if k.lower() == "etag" else v) for k, v in ex.response_headers or []]
    ex.response_body = re.sub(rb"<ETag>(?:&quot;|\")(.*?)(?:&quot;|\")</ETag>", rb"<ETag>\1</ETag>", ex.response_body)


def _reverse_listing(ex: Exchange) -> None:
    if not _is_listing(ex):
        return
    for tag in (b"Contents", b"CommonPrefixes"):
        pattern = re.compile(rb"<" + tag + rb">.*?</" + tag + rb">", re.S)
        blocks = pattern.findall(ex.response_body)
        if len(blocks) > 1:
            reordered = iter(reversed(blocks))
            ex.response_body = pattern.sub(lambda _m, it=reordered: next(it), ex.response_body)


def _ignore_prefix(ex: Exchange) -> None:
    if _is_listing(ex):
        ex.set_query({"prefix"})


def _ignore_max_keys(ex: Exchange) -> None:
    if _is_listing(ex):
        ex.set_query({"max-keys"})


def _drop_conditionals(ex: Exchange) -> None:
    ex.drop_headers({"if-match", "if-none-match", "if-modified-since", "if-unmodified-since"})


def _drop_metadata(ex: Exchange) -> None:
    ex.drop_headers(lambda name: name.lower().startswith("x-amz-meta-"), response=True)


def _drop_tags(ex: Exchange) -> None:
    if ex.method == "GET" and ex.has_subresource("tagging"):
        ex.response_body = re.sub(rb"<TagSet>.*?</TagSet>", b"<TagSet></TagSet>", ex.response_body, flags=re.S)
        ex.response_body = re.sub(rb"<TagSet\s*/>", b"<TagSet></TagSet>", ex.response_body)
    ex.drop_headers({"x-amz-tagging-count"}, response=True)


def _ignore_versioning(ex: Exchange) -> None:
    if ex.method == "PUT" and ex.has_subresource("versioning"):
        ex.answer(200)


_SWAPPED = {b"NoSuchKey": b"NoSuchBucket", b"NoSuchBucket": b"NoSuchKey"}


def _wrong_error_code(ex: Exchange) -> None:
    if ex.status >= 300:
        ex.response_body = re.sub(rb"<Code>(NoSuchKey|NoSuchBucket)</Code>",
                                  lambda m: b"<Code>" + _SWAPPED[m.group(1)] + b"</Code>", ex.response_body)


def _ignore_range(ex: Exchange) -> None:
    ex.drop_headers({"range"})


def _is_aws_chunked(ex: Exchange) -> bool:
    headers = {k.lower(): v for k, v in ex.headers}
    return "aws-chunked" in headers.get("content-encoding", "") or headers.get("x-amz-content-sha256", "").startswith("STREAMING-")


def _store_chunk_framing(ex: Exchange) -> None:
    """Forget that the body is aws-chunked: the upstream stores the framing as the object."""
    if not _is_aws_chunked(ex):
        return
    encoding = next((v for k, v in ex.headers if k.lower() == "content-encoding"), "")
    kept = ",".join(p.strip() for p in encoding.split(",") if p.strip() and p.strip() != "aws-chunked")
    ex.drop_headers({"content-encoding", "x-amz-decoded-content-length", "x-amz-trailer", "x-amz-content-sha256"})
    ex.headers.append(("x-amz-content-sha256", "UNSIGNED-PAYLOAD"))
    if kept:
        ex.headers.append(("Content-Encoding", kept))


def _strip_trailer(body: bytes) -> bytes:
    """An aws-chunked body without its trailing header lines (x-amz-checksum-*, signature)."""
    end = body.find(b"\r\n", body.rfind(b"\r\n0") + 2)
    if body.startswith(b"0"):
        end = body.find(b"\r\n")
    return body if end < 0 else body[: end + 2] + b"\r\n"


def _ignore_checksums(ex: Exchange) -> None:
    """x-amz-checksum-* on uploads (a header, or an aws-chunked trailer) is dropped, never echoed."""
    if _is_aws_chunked(ex) and any(k.lower() == "x-amz-trailer" for k, _ in ex.headers):
        ex.body = _strip_trailer(ex.body)
        ex.drop_headers({"content-length", "x-amz-trailer"})
        ex.headers.append(("Content-Length", str(len(ex.body))))
    ex.drop_headers(lambda name: name.lower().startswith("x-amz-checksum-") or name.lower() == "x-amz-sdk-checksum-algorithm")


def _no_checksum_echo(ex: Exchange) -> None:
    ex.drop_headers(lambda name: name.lower().startswith("x-amz-checksum-"), response=True)
    ex.response_body = re.sub(rb"<Checksum(CRC32C?|CRC64NVME|SHA1|SHA256|Type)>[^<]*</Checksum\1>", b"", ex.response_body)


FAULTS: dict[str, Fault] = {
    "etag-unquoted": Fault("ETags lose their double quotes (headers and XML)", response=_unquote_etags),
    "ignore-range": Fault("the Range header is ignored: whole objects, 200", request=_ignore_range),
    "reverse-listing": Fault("object listings come back in reverse order", response=_reverse_listing),
    "ignore-prefix": Fault("listings ignore prefix=", request=_ignore_prefix),
    "ignore-max-keys": Fault("listings ignore max-keys=", request=_ignore_max_keys),
    "drop-conditional": Fault("If-Match/If-None-Match/If-(Un)Modified-Since are dropped", request=_drop_conditionals),
    "drop-metadata": Fault("user metadata (x-amz-meta-*) is missing from responses", response=_drop_metadata),
    "drop-tags": Fault("GetObjectTagging returns no tags", response=_drop_tags),
    "ignore-versioning": Fault("PutBucketVersioning answers 200 and changes nothing", request=_ignore_versioning),
    "wrong-error-code": Fault("NoSuchKey and NoSuchBucket are swapped in error bodies", response=_wrong_error_code),
    "store-chunk-framing": Fault("aws-chunked bodies are stored with their framing", request=_store_chunk_framing),
    "ignore-checksums": Fault("x-amz-checksum-* (header or trailer) is ignored and never echoed",
                              request=_ignore_checksums, response=_no_checksum_echo),
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        return self.rfile.read(int(length)) if length else b""

    def _handle(self) -> None:
        body = self._read_body()
        ex = Exchange(self.command, self.path, [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP], body)
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            ex.headers.append(("Content-Length", str(len(body))))
        fault = FAULTS.get(self.server.fault or "")
        if fault and fault.request:
            fault.request(ex)
        if not ex.answered:
            self.server.forward(ex)
            if fault and fault.response:
                fault.response(ex)
        self.server.count(self.server.fault)
        self._reply(ex)

    def _reply(self, ex: Exchange) -> None:
        self.send_response_only(ex.status, ex.reason)
        is_head = ex.method == "HEAD"
        no_body = is_head or ex.status in (204, 304) or 100 <= ex.status < 200
        for key, value in ex.response_headers or []:
            lower = key.lower()
            if lower in HOP_BY_HOP or (lower == "content-length" and not is_head):
                continue
            self.send_header(key, value)
        if not no_body:
            self.send_header("Content-Length", str(len(ex.response_body)))
        self.end_headers()
        if not no_body:
            self.wfile.write(ex.response_body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.fault: str | None = None
        self.counts: dict[str | None, int] = {}
        self._local = threading.local()
        self._lock = threading.Lock()

    def count(self, fault: str | None) -> None:
        with self._lock:
            self.counts[fault] = self.counts.get(fault, 0) + 1

    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
            self._local.conn = conn
        return conn

    def forward(self, ex: Exchange) -> None:
        for attempt in (0, 1):
            conn = self._connection(fresh=attempt > 0)
            try:
                conn.putrequest(ex.method, ex.path, skip_host=True, skip_accept_encoding=True)
                for key, value in ex.headers:
                    conn.putheader(key, value)
                conn.endheaders(ex.body or None)
                resp = conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                if attempt:
                    raise
                continue
            ex.status, ex.reason = resp.status, resp.reason
            ex.response_headers, ex.response_body = resp.getheaders(), data
            if resp.will_close:
                conn.close()
                self._local.conn = None
            return


class FaultProxy:
    """Start with `with FaultProxy(upstream) as proxy:`; set `proxy.fault` at any time."""

    def __init__(self, upstream: str, fault: str | None = None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        self._server = _Server(upstream)
        self._server.fault = fault
        self._thread = threading.Thread(target=self._server.serve_forever, name="faultproxy", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def fault(self) -> str | None:
        return self._server.fault

    @fault.setter
    def fault(self, name: str | None) -> None:
        if name is not None and name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
        self._server.fault = name

    @property
    def requests(self) -> dict[str | None, int]:
        """Requests served so far, per fault that was active."""
        return dict(self._server.counts)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


if __name__ == "__main__":
    import sys
    import time

    upstream, fault = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else None)
    with FaultProxy(upstream, fault) as proxy:
        print(f"{proxy.url} -> {upstream} fault={fault}", flush=True)
        while True:
            time.sleep(3600)
