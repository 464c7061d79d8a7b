#!/usr/bin/env python3
"""One client example of proto/clients against a real loyaltyd over TLS.

Makes a fresh CA and server certificate (openssl, EC P-256, SAN
IP:127.0.0.1,DNS:localhost) and a register credential S1-R1 (`loyalty
credentials add`), starts loyaltyd on 127.0.0.1 with a free port, TLS on,
builds the client where it needs building (protoc, javac), runs it, and checks
what it prints: Welcome for S1/R1, the purchase APPLIED with points, the retry
answered with the identical decision bytes, the lookup showing the balance.
Prints how long each step took. Exit 0 only when all of it holds; never skips.

The example is given a replicated group's addresses: two fake nodes that are
not the primary (FakeStandby, fault injectors speaking TLS with the same
certificate). The first answers the Hello NOT_PRIMARY without a primary (an
election is under way); the next welcomes the register and answers its
purchase NOT_PRIMARY naming loyaltyd, which is in no list (a node added
later): only by following the redirect does the client reach it. It must
send the same purchase there and have it applied exactly once.

    run_client_test.py --lang python|java|js --work DIR --source SRC \
        --loyaltyd BIN --loyalty BIN --protoc BIN [--python BIN] \
        [--javac BIN --java BIN --protobuf-jar JAR] [--node BIN]
"""

import argparse
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

STEP_TIMEOUT_S = 240


class Failure(Exception):
    pass


def run(argv, what, env=None, cwd=None, timeout=STEP_TIMEOUT_S):
    started = time.monotonic()
    try:
        p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what}: no result in {timeout} s: {' '.join(argv)}")
    took = time.monotonic() - started
    print(f"[{took:6.2f} s] {what}")
    if p.returncode != 0:
        raise Failure(f"{what} failed (exit {p.returncode}): {' '.join(argv)}\n"
                      f"--- stdout\n{p.stdout}--- stderr\n{p.stderr}")
    return p.stdout


def make_pki(args, work):
    """CA, server certificate for 127.0.0.1/localhost, credential S1-R1."""
    tls = os.path.join(work, "tls")
    os.makedirs(tls)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(["openssl", "req", "-x509", *ec, "-keyout", f"{tls}/ca.key", "-out", f"{tls}/ca.pem",
         "-days", "2", "-subj", "/CN=loyalty-client-test-ca"], "openssl: CA")
    run(["openssl", "req", *ec, "-keyout", f"{tls}/server.key", "-out", f"{tls}/server.csr",
         "-subj", "/CN=localhost"], "openssl: server key and request")
    with open(f"{tls}/san.ext", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run(["openssl", "x509", "-req", "-in", f"{tls}/server.csr", "-CA", f"{tls}/ca.pem",
         "-CAkey", f"{tls}/ca.key", "-CAcreateserial", "-out", f"{tls}/server.pem", "-days", "2",
         "-extfile", f"{tls}/san.ext"], "openssl: server certificate signed by the CA")
    registers = os.path.join(work, "registers")
    credentials = os.path.join(work, "credentials")
    os.makedirs(credentials)
    run([args.loyalty, "credentials", "add", "--registers", registers, "--key-id", "S1-R1",
         "--store", "S1", "--register", "R1", "--out", credentials],
        "loyalty credentials add S1-R1")
    credential = os.path.join(credentials, "S1-R1.key")
    if not os.path.exists(credential):
        raise Failure(f"loyalty credentials add wrote no {credential}")
    return {"ca": f"{tls}/ca.pem", "cert": f"{tls}/server.pem", "key": f"{tls}/server.key",
            "registers": registers, "credential": credential}


class Server:
    """loyaltyd on 127.0.0.1 port 0 (the kernel picks a free one), TLS on."""

    def __init__(self, args, work, pki):
        self.stderr_path = os.path.join(work, "loyaltyd.stderr")
        argv = [args.loyaltyd, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                "--data-dir", os.path.join(work, "data"),
                "--rules", os.path.join(args.source, "deploy", "rules.example.yaml"),
                "--register-tls", "on", "--tls-cert", pki["cert"], "--tls-key", pki["key"],
                "--registers", pki["registers"]]
        # A JVM's first TLS handshake loads and compiles its crypto: about 3 s
        # on 2 busy cores, near the 5 s default for TLS and Hello. This test is
        # about the clients, not that time-out: here it is 30 s.
        env = dict(os.environ, LOYALTY_AUTH_TIMEOUT_MS="30000")
        started = time.monotonic()
        with open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True,
                                         env=env)
        self.port = None
        for line in self.proc.stdout:  # ends at EOF if loyaltyd exits
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            self.stop()
            raise Failure("loyaltyd did not start:\n" + self.stderr())
        print(f"[{time.monotonic() - started:6.2f} s] loyaltyd listening on "
              f"127.0.0.1:{self.port} (TLS)")

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


def encode_varint(n):
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def read_frame(stream):
    """One delimited frame's body from a binary file object."""
    length, shift = 0, 0
    while True:
        byte = stream.read(1)
        if not byte:
            raise EOFError("the client closed the connection")
        length |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            break
        shift += 7
    body = stream.read(length)
    if len(body) != length:
        raise EOFError("the client closed the connection within a frame")
    return body


class FakeStandby:
    """A fault injector: a node of a replicated group that is not the primary,
    listening with TLS on 127.0.0.1 (a free port). `electing`: answers the
    Hello NOT_PRIMARY without a primary, retry after 100 ms (an election is
    under way). `standby`: welcomes the Hello as the credential's register (a
    standby authenticates registers), then answers the next request
    NOT_PRIMARY naming `primary`. After answering it keeps the connection
    open until the client closes it, as loyaltyd does. `answered` lists
    (what it refused, its transaction id) per NOT_PRIMARY sent."""

    def __init__(self, wire, pki, mode, primary=""):
        self.wire, self.mode, self.primary = wire, mode, primary
        self.answered, self.failures = [], []
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(pki["cert"], pki["key"])
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = "127.0.0.1:%d" % self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return  # closed by stop()
            threading.Thread(target=self._answer, args=(raw,), daemon=True).start()

    def _answer(self, raw):
        raw.settimeout(STEP_TIMEOUT_S)
        try:
            with self.context.wrap_socket(raw, server_side=True) as tls, tls.makefile("rwb") as f:
                request = self.wire.Request.FromString(read_frame(f))
                if self.mode == "standby":
                    self._write(f, self.wire.Reply(request_id=request.request_id,
                                                   welcome=self.wire.Welcome(
                                                       kind=self.wire.CREDENTIAL_REGISTER,
                                                       store_id="S1", register_id="R1",
                                                       server_version="fake-standby")))
                    request = self.wire.Request.FromString(read_frame(f))
                error = self.wire.Error(code=self.wire.NOT_PRIMARY, primary=self.primary,
                                        message="fake %s node: not the primary" % self.mode)
                if not self.primary:
                    error.retry_after_ms = 100
                body = request.WhichOneof("body")
                self.answered.append((body, getattr(request, body).transaction_id
                                      if body == "purchase" else ""))
                self._write(f, self.wire.Reply(request_id=request.request_id, error=error))
                while f.read1(65536):  # until the client closes
                    pass
        except (OSError, EOFError) as e:
            self.failures.append(f"{type(e).__name__}: {e}")

    @staticmethod
    def _write(f, reply):
        body = reply.SerializeToString()
        f.write(encode_varint(len(body)) + body)
        f.flush()

    def stop(self):
        self.listener.close()


def start_fakes(args, work, pki, primary):
    """The two fake nodes, in the order the example gets them."""
    gen = os.path.join(work, "fake-gen")
    os.makedirs(gen)
    wire = os.path.join(args.source, "proto", "loyalty", "v1", "wire.proto")
    run([args.protoc, f"--python_out={gen}", f"-I{os.path.join(args.source, 'proto')}", wire],
        "protoc --python_out (the fake nodes' messages)")
    sys.path.insert(0, gen)
    from loyalty.v1 import wire_pb2
    return [FakeStandby(wire_pb2, pki, "electing"),
            FakeStandby(wire_pb2, pki, "standby", primary=primary)]


def check_fakes(fakes, txn):
    """Each fake refused once: the Hello, then the purchase; the client moved on."""
    for fake, want in zip(fakes, [[("hello", "")], [("purchase", txn)]]):
        if fake.answered != want:
            raise Failure(f"the fake {fake.mode} node answered NOT_PRIMARY to {fake.answered},"
                          f" not to {want}; its connections ended: {fake.failures}")


def transaction_id(args):
    return f"T-{args.lang}-1"


def client_command(args, work, pki, servers):
    """Builds the client where needed; returns (argv, env) that run it.
    servers: the addresses it is given, comma-separated."""
    clients = os.path.join(args.source, "proto", "clients")
    proto_dir = os.path.join(args.source, "proto")
    wire = os.path.join(proto_dir, "loyalty", "v1", "wire.proto")
    common = ["--server", servers, "--ca", pki["ca"], "--credential",
              pki["credential"], "--card", "4242000011112222", "--txn", transaction_id(args)]
    env = dict(os.environ)
    gen = os.path.join(work, "gen")
    os.makedirs(gen)
    if args.lang == "python":
        run([args.protoc, f"--python_out={gen}", f"-I{proto_dir}", wire], "protoc --python_out")
        env["PYTHONPATH"] = os.pathsep.join([gen, os.path.join(clients, "python")])
        return [args.python, os.path.join(clients, "python", "example.py"), *common], env
    if args.lang == "java":
        run([args.protoc, f"--java_out={gen}", f"-I{proto_dir}", wire], "protoc --java_out")
        classes = os.path.join(work, "classes")
        sources = [os.path.join(gen, "loyalty", "v1", "Wire.java")]
        src = os.path.join(clients, "java", "src", "loyalty", "client")
        sources += sorted(os.path.join(src, f) for f in os.listdir(src) if f.endswith(".java"))
        # C1 only: a short-lived JVM starts and compiles in half the CPU time.
        run([args.javac, "-J-XX:TieredStopAtLevel=1", "-d", classes, "-cp",
             args.protobuf_jar, *sources], "javac (generated Wire.java and the client)")
        return [args.java, "-XX:TieredStopAtLevel=1", "-cp", os.pathsep.join([classes, args.protobuf_jar]),
                "loyalty.client.Example", *common], env
    if args.lang == "js":
        modules = os.path.join(clients, "js", "node_modules", "protobufjs")
        if not os.path.isdir(modules):
            raise Failure(f"{modules} is missing: tools/dev.sh deps runs npm ci there")
        return [args.node, os.path.join(clients, "js", "example.js"), *common], env
    raise Failure(f"unknown language {args.lang}")


def check_output(out, primary):
    """What every example prints, checked line by line. `primary`: loyaltyd's
    address, where the example must end up (after the fake standby)."""
    def lines(prefix):
        return [l for l in out.splitlines() if l.startswith(prefix)]

    def line(prefix):
        found = lines(prefix)
        if not found:
            raise Failure(f"no line starting with '{prefix}' in the output")
        return found[-1]  # connected and welcome: the connection in use at the end

    def field(text, name):
        m = re.search(rf"\b{name}=(\S*)", text)
        if not m:
            raise Failure(f"no {name}= in: {text}")
        return m.group(1)

    connected = lines("connected:")
    if len(connected) != 2 or not connected[-1].startswith("connected: TLSv1.") or (
            f" to {primary}," not in connected[-1]):
        raise Failure(f"not one connection to the fake standby, then one to loyaltyd at {primary}"
                      " (TLS 1.2 or 1.3) for the purchase, its retry and the lookup:\n"
                      + "\n".join(connected))
    if not re.search(r"connected: TLSv1\.[23]\b", connected[-1]):
        raise Failure("the connection is not TLS 1.2 or 1.3")
    welcome = line("welcome:")
    if (field(welcome, "kind") != "CREDENTIAL_REGISTER" or field(welcome, "store") != "S1"
            or field(welcome, "register") != "R1"):
        raise Failure(f"Welcome is not for register R1 of store S1: {welcome}")
    if field(welcome, "server") == "fake-standby":
        raise Failure(f"the last Welcome is the fake standby's: {welcome}")
    first, retry = line("purchase:"), line("retry: outcome")
    if field(first, "outcome") != "APPLIED" or int(field(first, "earned")) <= 0:
        raise Failure(f"the purchase was not applied with points: {first}")
    if field(retry, "reply") != field(first, "reply") or not field(first, "reply"):
        raise Failure("the retry's decision differs from the first reply:\n"
                      f"  first {field(first, 'reply')}\n  retry {field(retry, 'reply')}")
    line("retry: identical reply")
    lookup = line("lookup:")
    if int(field(lookup, "balance")) != int(field(first, "balance")):
        raise Failure(f"the lookup's balance is not the purchase's ({field(first, 'balance')}): "
                      f"{lookup}")
    if int(field(lookup, "balance")) < int(field(first, "earned")):
        raise Failure(f"the lookup does not show the points earned: {lookup}")


def main():
    ap = argparse.ArgumentParser()
    for name in ("--lang", "--work", "--source", "--loyaltyd", "--loyalty", "--protoc"):
        ap.add_argument(name, required=True)
    for name in ("--python", "--javac", "--java", "--protobuf-jar", "--node"):
        ap.add_argument(name)
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    started = time.monotonic()
    server, fakes = None, []
    try:
        pki = make_pki(args, work)
        server = Server(args, work, pki)
        primary = f"127.0.0.1:{server.port}"
        fakes = start_fakes(args, work, pki, primary)
        servers = ",".join(fake.address for fake in fakes)
        argv, env = client_command(args, work, pki, servers)
        out = run(argv, f"the {args.lang} example against {servers} (fake nodes; loyaltyd at {primary})",
                  env=env, timeout=120)
        print("--- the example's output\n" + out, end="")
        check_output(out, primary)
        check_fakes(fakes, transaction_id(args))
    except Failure as f:
        print(f"FAIL ({args.lang}): {f}")
        if server is not None:
            print("--- loyaltyd stderr\n" + server.stderr())
        return 1
    finally:
        for fake in fakes:
            fake.stop()
        if server is not None:
            server.stop()
    print(f"PASS ({args.lang}): past an electing node and a standby's NOT_PRIMARY to loyaltyd; "
          f"Welcome S1/R1, purchase applied once, retry identical, lookup shows the points; "
          f"{time.monotonic() - started:.2f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
