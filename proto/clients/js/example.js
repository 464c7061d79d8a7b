#!/usr/bin/env node
// Connects to loyaltyd over TLS, authenticates as a register, sends a
// purchase, sends the same purchase again (a retry: the reply must be the
// same), and looks the card up; with several --server addresses (a
// replicated group), wherever the primary is. See README.md.
//
//   node example.js --server 127.0.0.1:7070 --ca var/tls/ca.pem \
//       --credential var/credentials/S1-R1.key --card 4242
'use strict';

const { GroupClient, LoyaltyClient, loadProtocol } = require('./loyalty_client');

function parseArgs(argv) {
  const args = { '--server': '127.0.0.1:7070', '--txn': `JS-${Date.now()}` };
  for (let i = 0; i + 1 < argv.length; i += 2) args[argv[i]] = argv[i + 1];
  for (const required of ['--ca', '--credential', '--card']) {
    if (!args[required]) {
      console.error('usage: example.js [--server HOST:PORT[,HOST:PORT...]] --ca CA.pem --credential FILE --card CARD [--txn ID] [--server-name NAME] [--proto wire.proto]');
      process.exit(2);
    }
  }
  return args;
}

function describe(reply) {
  switch (reply.body) {
    case 'error':
      return `error code=${reply.error.code} field=${reply.error.field} message=${reply.error.message}`;
    case 'decision': {
      const d = reply.decision;
      return `outcome=${d.outcome} txn=${d.transactionId} earned=${d.pointsEarned} balance=${d.balances.balance} pending=${d.balances.pending} reply=${reply.decisionBytes.toString('hex')}`;
    }
    case 'profile': {
      const p = reply.profile;
      return `customer=${p.customerId} cards=${p.cards.join(',')} balance=${p.balances.balance} spendable=${p.balances.spendable} pending=${p.balances.pending} tier=${p.tier}`;
    }
    default:
      return String(reply.body);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const v1 = args['--proto'] ? loadProtocol(args['--proto']) : loadProtocol();
  const connect = async (host, port) => {
    const started = Date.now();
    const client = await LoyaltyClient.connect({
      host,
      port,
      caFile: args['--ca'],
      credentialFile: args['--credential'],
      serverName: args['--server-name'],
      v1,
    });
    const w = client.welcome;
    console.log(`connected: ${client.tlsVersion} to ${host}:${port}, certificate verified against ${args['--ca']}; TCP, TLS and Hello in ${Date.now() - started} ms`);
    console.log(`welcome: kind=${w.kind} store=${w.storeId} register=${w.registerId} server=${w.serverVersion}`);
    return client;
  };
  // Connects on the first call; follows a standby's NOT_PRIMARY to the primary.
  const group = new GroupClient(args['--server'], connect, { log: (line) => console.log(`group: ${line}`) });

  // 2 x 4.50 EUR + 1 x 3.20 EUR; store and register come from the credential.
  const purchase = {
    purchase: {
      transactionId: args['--txn'],
      card: args['--card'],
      eventTimeMs: Date.now(),
      currency: 'EUR',
      lines: [
        { sku: 'COFFEE-1KG', category: 'coffee', quantity: 2, unitPriceMinor: 450, lineTotalMinor: 900 },
        { sku: 'MILK-1L', category: 'dairy', quantity: 1, unitPriceMinor: 320, lineTotalMinor: 320 },
      ],
      totalMinor: 1220,
    },
  };
  const first = await group.call(purchase);
  console.log(`purchase: ${describe(first)}`);

  // The same request again, as a register does when it did not see the reply.
  const again = await group.call(purchase);
  console.log(`retry: ${describe(again)}`);
  const same = first.body === 'decision' && again.body === 'decision' && first.decisionBytes.equals(again.decisionBytes);
  console.log(same ? 'retry: identical reply' : 'retry: DIFFERENT reply');

  const profile = await group.call({ lookup: { card: args['--card'] } });
  console.log(`lookup: ${describe(profile)}`);
  group.close();
  return same && profile.body === 'profile' ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`example.js: ${err.message}`); process.exitCode = 1; },
);
