// A small client of loyaltyd's register protocol (loyalty.v1, docs/PROTOCOL.md)
// for Node: the `tls` module, and protobufjs reading wire.proto at run time
// (no generated code).
//
//   const { LoyaltyClient, loadProtocol } = require('./loyalty_client');
//   const v1 = loadProtocol();
//   const client = await LoyaltyClient.connect({ host, port, caFile, credentialFile, v1 });
//   const reply = await client.call({ purchase: { ... } });
//
// One connection; several requests may be in flight: call() returns a
// promise per request, and each reply settles the promise of the request_id
// it answers, in whatever order replies come. GroupClient sends requests to
// one server or to a replicated group (a list of addresses), following
// NOT_PRIMARY to the primary and retrying the same request:
//
//   const group = new GroupClient('10.0.0.1:7070,10.0.0.2:7070',
//     (host, port) => LoyaltyClient.connect({ host, port, caFile, credentialFile, v1 }));
//   const reply = await group.call({ purchase: { ... } });
'use strict';

const fs = require('fs');
const path = require('path');
const tls = require('tls');
const protobuf = require('protobufjs');

const FRAME_BYTES_MAX = 64 * 1024; // a frame body is at most 64 KiB, both ways

// Error codes a register retries later with the very same request (same
// transaction id); anything else is an answer.
const RETRYABLE = new Set(['OVERLOADED', 'UNAVAILABLE', 'RATE_LIMITED']);
// ...and the ones GroupClient follows: those, and NOT_PRIMARY (a standby of a
// replicated group: the same request goes to the primary).
const FOLLOWED = new Set([...RETRYABLE, 'NOT_PRIMARY']);

// The messages of loyalty.v1, from the .proto file itself.
function loadProtocol(protoFile = path.join(__dirname, '..', '..', 'loyalty', 'v1', 'wire.proto')) {
  const root = protobuf.loadSync(protoFile);
  return {
    Request: root.lookupType('loyalty.v1.Request'),
    Reply: root.lookupType('loyalty.v1.Reply'),
    Decision: root.lookupType('loyalty.v1.Decision'),
  };
}

// Plain objects out of decoded messages: enums by name, 64-bit integers as
// numbers (points and money fit in 2^53), the oneof's name in `body`.
const AS_OBJECT = { enums: String, longs: Number, oneofs: true, defaults: true };

function readCredential(file) {
  const line = fs.readFileSync(file, 'ascii').trim();
  const colon = line.indexOf(':');
  if (colon <= 0 || colon === line.length - 1) throw new Error(`${file}: expected one line KEY_ID:SECRET`);
  return { keyId: line.slice(0, colon), secret: line.slice(colon + 1) };
}

function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

class LoyaltyClient {
  constructor(socket, v1) {
    this.socket = socket;
    this.v1 = v1;
    this.buffer = Buffer.alloc(0);
    this.nextId = 1;
    this.pending = new Map(); // request_id -> { resolve, reject }
    this.closedWith = null;
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
    // Idle with nothing asked is fine; a reply overdue is not.
    socket.on('timeout', () => {
      if (this.pending.size > 0) socket.destroy(new Error('no reply in time'));
    });
  }

  // TCP, TLS 1.2+ (the chain verified against caFile, the host name against
  // the certificate's subjectAltName), then Hello. Resolves to a client whose
  // `welcome` names the credential's store and register.
  static async connect({ host, port, caFile, credentialFile, v1, client = 'loyalty-js-example/1',
    serverName, timeoutMs = 5000 }) {
    const credential = readCredential(credentialFile);
    const options = {
      host,
      port,
      ca: fs.readFileSync(caFile), // only this CA: not the system's
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
    };
    // SNI is for names only; with no serverName the certificate is checked against `host`.
    if (serverName) options.servername = serverName;
    const socket = await new Promise((resolve, reject) => {
      const s = tls.connect(options, () => resolve(s));
      s.once('error', reject);
      s.setTimeout(timeoutMs, () => s.destroy(new Error(`TLS handshake not done in ${timeoutMs} ms`)));
    });
    socket.setNoDelay(true);
    socket.setTimeout(timeoutMs);
    socket.removeAllListeners('error');
    socket.removeAllListeners('timeout');
    const self = new LoyaltyClient(socket, v1);
    const reply = await self.call({ hello: { keyId: credential.keyId, secret: credential.secret, client } });
    if (reply.body !== 'welcome') {
      self.close();
      const refused = new Error(`Hello refused: ${reply.error.code} ${reply.error.message}`);
      refused.error = reply.error; // the server's Error
      throw refused;
    }
    self.welcome = reply.welcome;
    return self;
  }

  get tlsVersion() {
    return this.socket.getProtocol();
  }

  // Sends one request (a plain object, without request_id) and resolves to
  // its reply as a plain object: { requestId, body: 'decision'|'profile'|'error'|'welcome', ... }.
  call(request) {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const requestId = this.nextId++;
    const message = this.v1.Request.fromObject({ ...request, requestId });
    const body = this.v1.Request.encode(message).finish();
    if (body.length > FRAME_BYTES_MAX) return Promise.reject(new Error('request over the 64 KiB frame limit'));
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.socket.write(Buffer.concat([varint(body.length), body]));
    });
  }

  close() {
    this.socket.end();
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      // The length prefix: a varint of at most 5 bytes.
      let length = 0;
      let pos = 0;
      let complete = false;
      while (pos < this.buffer.length && pos < 5) {
        const byte = this.buffer[pos];
        length += (byte & 0x7f) * 2 ** (7 * pos);
        pos += 1;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (pos >= 5) this.socket.destroy(new Error('malformed length prefix from the server'));
        return;
      }
      if (length > FRAME_BYTES_MAX) {
        this.socket.destroy(new Error(`the server sent a ${length}-byte frame, over the limit`));
        return;
      }
      if (this.buffer.length < pos + length) return;
      const frame = this.buffer.subarray(pos, pos + length);
      this.buffer = this.buffer.subarray(pos + length);
      const message = this.v1.Reply.decode(frame);
      const reply = this.v1.Reply.toObject(message, AS_OBJECT);
      // The decision exactly as sent (its fields as they came, re-encoded in
      // order): what a retry's reply is compared by.
      if (reply.body === 'decision') reply.decisionBytes = Buffer.from(this.v1.Decision.encode(message.decision).finish());
      const waiter = this.pending.get(reply.requestId);
      if (waiter) {
        this.pending.delete(reply.requestId);
        waiter.resolve(reply);
      } else if (reply.body === 'error') {
        // request_id 0: about the connection itself (a broken frame, a limit); it closes.
        this.fail(new Error(`${reply.error.code}: ${reply.error.message}`));
      }
    }
  }

  fail(err) {
    if (!this.closedWith) this.closedWith = err;
    for (const { reject } of this.pending.values()) reject(this.closedWith);
    this.pending.clear();
  }
}

// [{ host, port }] from 'host:port', 'host:port,host:port' or an array of
// them ('[::1]:7070' for IPv6).
function parseAddresses(servers) {
  const list = Array.isArray(servers) ? servers : String(servers).split(',');
  const addresses = list.map((text) => {
    const colon = text.trim().lastIndexOf(':');
    const host = text.trim().slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    const port = Number(text.trim().slice(colon + 1));
    if (colon <= 0 || !host || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new Error(`server address '${text}' is not HOST:PORT`);
    }
    return { host, port };
  });
  if (addresses.length === 0) throw new Error('no server address');
  return addresses;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A register's requests to one server or to a replicated group's nodes
// (docs/PROTOCOL.md, "Replicated group"), on one connection at a time.
// `servers`: 'host:port', or several (comma-separated or an array);
// `connect(host, port)` resolves to a LoyaltyClient (TCP, TLS, Hello).
// call() sends a request until it has an answer, always the very same request
// (same transaction id), until `deadlineMs` has passed:
// - NOT_PRIMARY naming the primary: to the primary at once (a new connection
//   and Hello), then the same request again;
// - NOT_PRIMARY without a primary (an election is under way), a broken or
//   timed-out connection, a failed connect: the next address, after
//   retry_after_ms when given, else a back-off from 200 ms doubling to 2 s;
// - OVERLOADED, UNAVAILABLE, RATE_LIMITED: the same connection, after
//   retry_after_ms or the back-off.
// The deadline is checked between attempts. Past it call() resolves to the
// last reply (a retryable error) or rejects with the last connection error. A
// Hello refused for another reason (UNAUTHENTICATED) rejects at once. `log`
// hears of every redirect and reconnect.
class GroupClient {
  constructor(servers, connect, { deadlineMs = 15000, log = () => {}, firstBackoffMs = 200, backoffMaxMs = 2000 } = {}) {
    this.addresses = parseAddresses(servers);
    this.index = 0;
    this.current = this.addresses[0];
    this.connect = connect;
    this.deadlineMs = deadlineMs;
    this.log = log;
    this.firstBackoffMs = firstBackoffMs;
    this.backoffMaxMs = backoffMaxMs;
    this.client = null; // the LoyaltyClient in use; null between connections
  }

  // The address requests go to now, 'host:port'.
  get address() {
    return `${this.current.host}:${this.current.port}`;
  }

  async call(request) {
    const deadline = Date.now() + this.deadlineMs;
    let backoffMs = this.firstBackoffMs;
    let redirected = false;
    for (;;) {
      let reply = null;
      let failure = null;
      let error = null;
      try {
        if (!this.client) this.client = await this.connect(this.current.host, this.current.port);
        reply = await this.client.call(request);
      } catch (err) {
        if (err.error && !FOLLOWED.has(err.error.code)) throw err; // the Hello's refusal
        failure = err;
        error = err.error || null;
      }
      if (!failure) {
        if (reply.body !== 'error' || !FOLLOWED.has(reply.error.code)) return reply;
        error = reply.error;
      }
      let waitMs = error && error.retryAfterMs > 0 ? error.retryAfterMs : Math.round(backoffMs * (0.5 + Math.random() / 2));
      const was = this.address;
      if (error && error.code === 'NOT_PRIMARY' && error.primary) {
        this.move(error.primary);
        if (!redirected) waitMs = 0; // a second redirect in a row waits: the group is changing
        redirected = true;
        this.log(`${was} is not the primary; the request goes to ${this.address}`);
      } else if (failure || error.code === 'NOT_PRIMARY') {
        this.move(null);
        redirected = false;
        this.log(`${was}: ${error ? error.message : failure.message}; next address ${this.address} in ${waitMs} ms`);
      } else {
        redirected = false; // OVERLOADED, UNAVAILABLE, RATE_LIMITED: the same connection
      }
      if (Date.now() + waitMs > deadline) {
        if (failure) throw failure;
        return reply;
      }
      await sleep(waitMs);
      backoffMs = Math.min(backoffMs * 2, this.backoffMaxMs);
    }
  }

  close() {
    if (this.client) this.client.close();
    this.client = null;
  }

  // Closes the connection; the next goes to `primary` ('host:port') or, when
  // null, to the address after the current one in the list.
  move(primary) {
    this.close();
    if (primary === null) {
      this.index = (this.index + 1) % this.addresses.length;
      this.current = this.addresses[this.index];
      return;
    }
    [this.current] = parseAddresses(primary);
    const known = this.addresses.findIndex((a) => a.host === this.current.host && a.port === this.current.port);
    if (known >= 0) this.index = known;
  }
}

module.exports = { LoyaltyClient, GroupClient, loadProtocol, parseAddresses, RETRYABLE, FOLLOWED, FRAME_BYTES_MAX };
