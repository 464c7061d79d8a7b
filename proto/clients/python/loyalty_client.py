"""A small client of loyaltyd's register protocol (loyalty.v1), docs/PROTOCOL.md.

Standard library `ssl` and `socket`, plus the messages generated from
proto/loyalty/v1/wire.proto with `protoc --python_out=GEN` (put GEN on
PYTHONPATH). Blocking, one connection, not thread-safe; several requests may
be in flight: `send` them, then `receive` (replies come in any order) or
`call` one and wait for its own reply.

    client = LoyaltyClient.connect("127.0.0.1", 7070, ca_file="ca.pem",
                                   credential_file="S1-R1.key", client="acme-pos/4.2")
    reply = client.call(Request(purchase=Purchase(...)))

GroupClient sends requests to one server or to a replicated group (a list of
addresses), following NOT_PRIMARY to the primary and retrying the same request
on a broken connection or a retryable error:

    group = GroupClient("10.0.0.1:7070,10.0.0.2:7070",
                        lambda host, port: LoyaltyClient.connect(host, port, ...))
    reply = group.call(Request(purchase=Purchase(...)))
"""

import random
import socket
import ssl
import time

from loyalty.v1 import wire_pb2

FRAME_BYTES_MAX = 64 * 1024  # a frame body is at most 64 KiB, both ways

# Error codes a register retries, later, with the very same request (same
# transaction id); anything else is an answer.
RETRYABLE = {wire_pb2.OVERLOADED, wire_pb2.UNAVAILABLE, wire_pb2.RATE_LIMITED}
# ...and the ones GroupClient follows: those, and NOT_PRIMARY (a standby of a
# replicated group: the same request goes to the primary).
FOLLOWED = RETRYABLE | {wire_pb2.NOT_PRIMARY}


class LoyaltyError(Exception):
    """The server closed, refused the Hello, or the stream broke. `error`:
    the server's Error when it refused the Hello, else None."""

    def __init__(self, message, error=None):
        super().__init__(message)
        self.error = error


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
            raise LoyaltyError("Hello refused: %s %s" % (wire_pb2.ErrorCode.Name(err.code), err.message),
                               error=err)
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


def parse_addresses(servers):
    """[(host, port)] from "host:port", "host:port,host:port" or a list of
    them ("[::1]:7070" for IPv6)."""
    if isinstance(servers, str):
        servers = servers.split(",")
    addresses = []
    for text in servers:
        host, sep, port = text.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"server address '{text}' is not HOST:PORT")
        addresses.append((host.strip("[]"), int(port)))
    if not addresses:
        raise ValueError("no server address")
    return addresses


class GroupClient:
    """A register's requests to one server or to a replicated group's nodes
    (docs/PROTOCOL.md, "Replicated group"), on one connection at a time.

    `servers`: "host:port", or several (comma-separated or a list).
    `connect(host, port)` makes a LoyaltyClient (TCP, TLS, Hello). `call`
    sends a request until it has an answer, always the very same request
    (same transaction id), until `deadline_s` has passed:
    - NOT_PRIMARY naming the primary: to the primary at once (a new
      connection and Hello), then the same request again;
    - NOT_PRIMARY without a primary (an election is under way), a broken or
      timed-out connection, a failed connect: the next address, after
      retry_after_ms when given, else a back-off from 0.2 s doubling to 2 s;
    - OVERLOADED, UNAVAILABLE, RATE_LIMITED: the same connection, after
      retry_after_ms or the back-off.
    The deadline is checked between attempts. Past it `call` returns the last
    reply (a retryable error) or raises the last connection error. A Hello
    refused for another reason (UNAUTHENTICATED) raises at once. `log(line)`
    hears of every redirect and reconnect."""

    def __init__(self, servers, connect, deadline_s=15.0, log=None, first_backoff_s=0.2,
                 backoff_max_s=2.0):
        self._addresses = parse_addresses(servers)
        self._index = 0
        self._current = self._addresses[0]
        self._connect = connect
        self._deadline_s = deadline_s
        self._log = log or (lambda line: None)
        self._first_backoff_s = first_backoff_s
        self._backoff_max_s = backoff_max_s
        self.client = None  # the LoyaltyClient in use; None between connections

    @property
    def address(self):
        """The address requests go to now, "host:port"."""
        return "%s:%d" % self._current

    def call(self, request, deadline_s=None):
        deadline = time.monotonic() + (self._deadline_s if deadline_s is None else deadline_s)
        backoff, redirected = self._first_backoff_s, False
        while True:
            reply, failure = None, None
            try:
                if self.client is None:
                    self.client = self._connect(*self._current)
                request.request_id = 0  # a fresh id on each send
                reply = self.client.call(request)
            except (OSError, LoyaltyError) as e:
                refused = getattr(e, "error", None)  # the Hello's Error
                if refused is not None and refused.code not in FOLLOWED:
                    raise
                failure = e
            if failure is not None:
                error = getattr(failure, "error", None)
            else:
                error = reply.error if reply.WhichOneof("body") == "error" else None
                if error is None or error.code not in FOLLOWED:
                    return reply
            wait_s = error.retry_after_ms / 1000 if error and error.retry_after_ms > 0 else (
                backoff * random.uniform(0.5, 1.0))
            was = self.address
            if error and error.code == wire_pb2.NOT_PRIMARY and error.primary:
                self._move(error.primary)
                if not redirected:
                    wait_s = 0  # a second redirect in a row waits: the group is changing
                redirected = True
                self._log(f"{was} is not the primary; the request goes to {self.address}")
            elif failure is not None or error.code == wire_pb2.NOT_PRIMARY:
                self._move(None)
                redirected = False
                self._log(f"{was}: {error.message if error else failure}; "
                          f"next address {self.address} in {wait_s * 1000:.0f} ms")
            else:
                redirected = False  # OVERLOADED, UNAVAILABLE, RATE_LIMITED: same connection
            if time.monotonic() + wait_s > deadline:
                if failure is not None:
                    raise failure
                return reply
            time.sleep(wait_s)
            backoff = min(backoff * 2, self._backoff_max_s)

    def close(self):
        if self.client is not None:
            self.client.close()
            self.client = None

    def _move(self, primary):
        """Closes the connection; the next one goes to `primary` ("host:port")
        or, when None, to the address after the current one in the list."""
        self.close()
        if primary is None:
            self._index = (self._index + 1) % len(self._addresses)
            self._current = self._addresses[self._index]
            return
        self._current = parse_addresses(primary)[0]
        if self._current in self._addresses:
            self._index = self._addresses.index(self._current)
