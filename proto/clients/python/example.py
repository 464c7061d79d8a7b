#!/usr/bin/env python3
"""Connects to loyaltyd over TLS, authenticates as a register, sends a
purchase, sends the same purchase again (a retry: the reply must be the same),
and looks the card up; with several --server addresses (a replicated group),
wherever the primary is. See README.md.

    PYTHONPATH=GEN python3 example.py --server 127.0.0.1:7070 \
        --ca var/tls/ca.pem --credential var/credentials/S1-R1.key --card 4242
"""

import argparse
import sys
import time

from loyalty.v1 import wire_pb2
from loyalty_client import GroupClient, LoyaltyClient


def describe(reply):
    kind = reply.WhichOneof("body")
    if kind == "error":
        e = reply.error
        return "error code=%s field=%s message=%s" % (
            wire_pb2.ErrorCode.Name(e.code), e.field, e.message)
    if kind == "decision":
        d = reply.decision
        return "outcome=%s txn=%s earned=%d balance=%d pending=%d reply=%s" % (
            wire_pb2.Outcome.Name(d.outcome), d.transaction_id, d.points_earned,
            d.balances.balance, d.balances.pending, d.SerializeToString().hex())
    if kind == "profile":
        p = reply.profile
        return "customer=%s cards=%s balance=%d spendable=%d pending=%d tier=%s" % (
            p.customer_id, ",".join(p.cards), p.balances.balance, p.balances.spendable,
            p.balances.pending, p.tier)
    return kind or "empty reply"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", default="127.0.0.1:7070",
                    help="HOST:PORT, or a replicated group's addresses, comma-separated")
    ap.add_argument("--ca", required=True, help="CA certificate (PEM) that signed the server's")
    ap.add_argument("--credential", required=True, help="credential file KEY_ID:SECRET")
    ap.add_argument("--server-name", help="name to verify (default: the host)")
    ap.add_argument("--card", required=True)
    ap.add_argument("--txn", default="PY-%d" % int(time.time() * 1000))
    args = ap.parse_args()

    def connect(host, port):
        started = time.monotonic()
        client = LoyaltyClient.connect(host, port, ca_file=args.ca,
                                       credential_file=args.credential,
                                       client="loyalty-python-example/1",
                                       server_name=args.server_name)
        w = client.welcome
        print("connected: %s to %s:%d, certificate verified against %s; TCP, TLS and Hello in %d ms"
              % (client.tls_version, host, port, args.ca, (time.monotonic() - started) * 1000))
        print("welcome: kind=%s store=%s register=%s server=%s" % (
            wire_pb2.CredentialKind.Name(w.kind), w.store_id, w.register_id, w.server_version))
        return client

    # Connects on the first call; follows a standby's NOT_PRIMARY to the primary.
    group = GroupClient(args.server, connect, log=lambda line: print("group:", line))

    # 2 x 4.50 EUR + 1 x 3.20 EUR; store and register come from the credential.
    purchase = wire_pb2.Request()
    p = purchase.purchase
    p.transaction_id = args.txn
    p.card = args.card
    p.event_time_ms = int(time.time() * 1000)
    p.currency = "EUR"
    p.lines.add(sku="COFFEE-1KG", category="coffee", quantity=2, unit_price_minor=450,
                line_total_minor=900)
    p.lines.add(sku="MILK-1L", category="dairy", quantity=1, unit_price_minor=320,
                line_total_minor=320)
    p.total_minor = 1220

    first = group.call(purchase)
    print("purchase:", describe(first))

    # The same request again, as a register does when it did not see the reply.
    again = group.call(purchase)
    print("retry:", describe(again))
    same = (first.WhichOneof("body") == "decision" and again.WhichOneof("body") == "decision"
            and first.decision.SerializeToString() == again.decision.SerializeToString())
    print("retry: identical reply" if same else "retry: DIFFERENT reply")

    lookup = wire_pb2.Request()
    lookup.lookup.card = args.card
    profile = group.call(lookup)
    print("lookup:", describe(profile))
    group.close()
    return 0 if same and profile.WhichOneof("body") == "profile" else 1


if __name__ == "__main__":
    sys.exit(main())
