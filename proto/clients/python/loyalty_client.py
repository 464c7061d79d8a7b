"""A small client of loyaltyd's register protocol (loyalty.v1), docs/PROTOCOL.md.

Standard library `ssl` and `socket`, plus the messages generated from
proto/loyalty/v1/wire.proto with `protoc --python_out=GEN` (put GEN on
PYTHONPATH). Blocking, one connection, not thread-safe; several requests may
be in flight: `send` them, then `receive` (replies come in any order) or
`call` one and wait for its own reply.

    client = LoyaltyClient.connect("127.0.0.1", 7070, ca_file="ca.pem",
                                   credential_file="S1-R1.key", client="acme-pos/4.2")
    reply = client.call(Request(purchase=Purchase(...)))
"""

import socket
import ssl
import time

from loyalty.v1 import wire_pb2

FRAME_BYTES_MAX = 64 * 1024  # a frame body is at most 64 KiB, both ways

# Error codes a register retries, later, with the very same request (same
# transaction id); anything else is an answer.
RETRYABLE = {wire_pb2.OVERLOADED, wire_pb2.UNAVAILABLE, wire_pb2.RATE_LIMITED}


class LoyaltyError(Exception):
    """The server closed, refused the credential, or the stream broke."""


def read_credential(path):
    """KEY_ID:SECRET from a credential file (one line)."""
    with open(path, encoding="ascii") as f:
        key_id, sep, secret = f.read().strip().partition(":")
    if not sep or not key_id or not secret:
        raise LoyaltyError(f"{path}: expected one line KEY_ID:SECRET")
    return key_id, secret


def encode_varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class LoyaltyClient:
    def __init__(self, sock, welcome):
        self._sock = sock
        self._buffer = b""
        self._next_id = 2  # 1 was the Hello
        self._early = {}  # replies received while waiting for another
        self.welcome = welcome

    @classmethod
    def connect(cls, host, port, ca_file, credential_file, client="loyalty-python-example",
                server_name=None, timeout_s=5.0):
        """TCP, TLS (verifying the certificate chain against ca_file and the
        host name), then Hello. Returns a client whose `welcome` says which
        store and register the connection speaks for."""
        key_id, secret = read_credential(credential_file)
        context = ssl.create_default_context(cafile=ca_file)  # verifies chain and name
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        raw = socket.create_connection((host, port), timeout=timeout_s)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock = context.wrap_socket(raw, server_hostname=server_name or host)
        except Exception:
            raw.close()
            raise
        self = cls(sock, None)
        hello = wire_pb2.Request(request_id=1)
        hello.hello.key_id = key_id
        hello.hello.secret = secret
        hello.hello.client = client
        self._write(hello)
        reply = self._read()
        if reply.WhichOneof("body") != "welcome":
            sock.close()
            err = reply.error
            raise LoyaltyError("Hello refused: %s %s" % (wire_pb2.ErrorCode.Name(err.code), err.message))
        self.welcome = reply.welcome
        return self

    @property
    def tls_version(self):
        return self._sock.version()

    def send(self, request):
        """Sends one request; sets and returns its request_id when it is 0."""
        if request.request_id == 0:
            request.request_id = self._next_id
            self._next_id += 1
        self._write(request)
        return request.request_id

    def receive(self):
        """The next reply, whichever request it answers."""
        return self._read()

    def call(self, request):
        """Sends `request` and waits for its own reply; replies to other
        requests in flight are kept for later `call`s."""
        want = self.send(request)
        while want not in self._early:
            reply = self._read()
            self._early[reply.request_id] = reply
        return self._early.pop(want)

    def close(self):
        try:
            self._sock.close()
        finally:
            self._sock = None

    def _write(self, request):
        body = request.SerializeToString()
        if len(body) > FRAME_BYTES_MAX:
            raise LoyaltyError(f"request of {len(body)} bytes is over the 64 KiB frame limit")
        self._sock.sendall(encode_varint(len(body)) + body)

    def _read(self):
        # The length prefix: a varint, at most 5 bytes.
        length, shift, pos = 0, 0, 0
        while True:
            self._fill(pos + 1)
            byte = self._buffer[pos]
            length |= (byte & 0x7F) << shift
            pos += 1
            if not byte & 0x80:
                break
            shift += 7
            if pos == 5:
                raise LoyaltyError("malformed length prefix from the server")
        if length > FRAME_BYTES_MAX:
            raise LoyaltyError(f"the server sent a {length}-byte frame, over the limit")
        self._fill(pos + length)
        body, self._buffer = self._buffer[pos:pos + length], self._buffer[pos + length:]
        reply = wire_pb2.Reply()
        reply.ParseFromString(body)
        return reply

    def _fill(self, n):
        while len(self._buffer) < n:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise LoyaltyError("the server closed the connection")
            self._buffer += chunk


def call_with_retries(client, connect, request, attempts=5, first_backoff_s=0.2):
    """Sends a state-changing request until it gets an answer: on OVERLOADED,
    UNAVAILABLE or RATE_LIMITED (after retry_after_ms when given) and on a
    broken or timed-out connection (on a new one), always the same request,
    same transaction id. `client` may be None; `connect` makes a new
    LoyaltyClient. Returns (client, reply): the client to go on with, and the
    last reply even when it is still a retryable error."""
    backoff, reply = first_backoff_s, None
    for attempt in range(attempts):
        try:
            if client is None:
                client = connect()
            request.request_id = 0  # a fresh id on each send
            reply = client.call(request)
        except (OSError, LoyaltyError):
            if client is not None:
                client.close()
            client = None
            if attempt + 1 == attempts:
                raise
            time.sleep(backoff)
            backoff *= 2
            continue
        if reply.WhichOneof("body") != "error" or reply.error.code not in RETRYABLE:
            return client, reply
        wait_ms = reply.error.retry_after_ms
        time.sleep(wait_ms / 1000 if wait_ms > 0 else backoff)
        backoff *= 2
    return client, reply
