import { expect } from 'chai';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Nano from 'nano';
import { connect } from '../../couch/connection.js';
import { couchError } from '../../couch/errors.js';
import { FailoverDispatcher } from '../../couch/failover.js';
import { loadConfig } from '../../lib/config.js';

interface Received {
  method: string;
  url: string;
  body: string;
}

/** A stand-in CouchDB node: answers every request with what it received, or misbehaves. */
class FakeNode {
  readonly received: Received[] = [];
  /** 'answer', 'drop' (close the connection on receiving a request) or a status to answer with. */
  behaviour: 'answer' | 'drop' | number = 'answer';
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      this.received.push({ method: req.method ?? '', url: req.url ?? '', body });
      if (this.behaviour === 'drop') {
        req.socket.destroy();
        return;
      }
      const status = this.behaviour === 'answer' ? 200 : this.behaviour;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          status === 200
            ? { node: this.name, method: req.method, body }
            : { error: 'nodedown', reason: 'said so' },
        ),
      );
    });
  });
  private readonly sockets = new Set<Socket>();

  constructor(readonly name: string) {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(port = 0): Promise<string> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function nanoOver(dispatcher: FailoverDispatcher, url: string) {
  return Nano({
    url,
    agentOptions: dispatcher as unknown as Nano.Configuration['agentOptions'],
  });
}

describe('CouchDB client over several nodes (COUCHDB_FAILOVER_URLS)', () => {
  let first: FakeNode;
  let second: FakeNode;
  let firstUrl: string;
  let secondUrl: string;

  beforeEach(async () => {
    first = new FakeNode('first');
    second = new FakeNode('second');
    firstUrl = await first.listen();
    secondUrl = await second.listen();
  });

  afterEach(async () => {
    await first.stop().catch(() => undefined);
    await second.stop();
  });

  it('asks the first node while it answers, and passes its error answers on as they are', async () => {
    const server = connect({ url: firstUrl, failoverUrls: [secondUrl] });
    expect(await server.request({ db: 'db', path: 'doc' })).to.include({ node: 'first' });
    first.behaviour = 500;
    const err = await server.request({ db: 'db', path: 'doc' }).catch((e: unknown) => e);
    expect(err).to.include({ statusCode: 500, error: 'nodedown' });
    expect(second.received).to.deep.equal([]);
  });

  it('sends a request, body and all, to the next node when the first is down, and goes back to it once it answers again', async () => {
    let clock = Date.now();
    const dispatcher = new FailoverDispatcher(
      [firstUrl, secondUrl],
      {},
      { firstDownMs: 300, now: () => clock },
    );
    const server = nanoOver(dispatcher, firstUrl);
    await first.stop();
    const docs = Array.from({ length: 300 }, (_, i) => ({
      _id: `doc_${i}`,
      text: 'x'.repeat(200),
    }));
    const answer = (await server.request({
      db: 'db',
      method: 'post',
      path: '_bulk_docs',
      body: { docs },
    })) as { node: string; body: string };
    expect(answer.node).to.equal('second');
    expect(JSON.parse(answer.body)).to.deep.equal({ docs });
    expect(dispatcher.order()).to.deep.equal([secondUrl, firstUrl]);

    // Marked down: the next requests go straight to the second node.
    expect(await server.request({ db: 'db', path: 'doc' })).to.include({ node: 'second' });
    await first.listen(Number(new URL(firstUrl).port));
    clock += 400;
    expect(await server.request({ db: 'db', path: 'doc' })).to.include({ node: 'first' });
    expect(dispatcher.order()).to.deep.equal([firstUrl, secondUrl]);
    await dispatcher.close();
  });

  it('repeats on the next node a request whose connection dropped before the answer, except a POST that lets the server pick the id', async () => {
    const server = connect({ url: firstUrl, failoverUrls: [secondUrl] });
    first.behaviour = 'drop';
    const write = (await server.request({
      db: 'db',
      method: 'post',
      path: '_bulk_docs',
      body: { docs: [{ _id: 'a' }] },
    })) as { node: string };
    expect(write.node).to.equal('second');
    expect(first.received.map((r) => r.url)).to.deep.equal(['/db/_bulk_docs']);

    // The drop marked the first node down; bring it back into the order for the next case.
    const again = connect({ url: firstUrl, failoverUrls: [secondUrl] });
    const created = await again
      .use('db')
      .insert({ made: 'by POST' } as never)
      .catch((e: unknown) => e);
    expect(couchError('creating a document', created).message).to.match(
      /creating a document: CouchDB cannot be reached/,
    );
    expect(second.received.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
      'POST /db/_bulk_docs',
    ]);
  });

  it('says CouchDB cannot be reached when no node answers', async () => {
    await first.stop();
    await second.stop();
    const server = connect({ url: firstUrl, failoverUrls: [secondUrl] });
    const err = await server.request({ db: 'db', path: 'doc' }).catch((e: unknown) => e);
    expect(couchError('reading doc', err).message).to.match(
      /reading doc: CouchDB cannot be reached/,
    );
    second = new FakeNode('second');
    await second.listen();
  });

  it('is configured with COUCHDB_FAILOVER_URLS: origins only, credentials from COUCHDB_URL', () => {
    const config = loadConfig({
      COUCHDB_URL: 'http://admin:pw@10.0.0.1:5984',
      COUCHDB_FAILOVER_URLS: 'http://10.0.0.2:5984/, https://10.0.0.3:6984',
    });
    expect(config.couch.failoverUrls).to.deep.equal([
      'http://10.0.0.2:5984',
      'https://10.0.0.3:6984',
    ]);
    expect(loadConfig({ COUCHDB_URL: 'http://127.0.0.1:5984' }).couch.failoverUrls).to.deep.equal(
      [],
    );
    for (const [env, message] of [
      [{ COUCHDB_FAILOVER_URLS: 'http://10.0.0.2:5984' }, /needs COUCHDB_URL/],
      [
        { COUCHDB_URL: 'http://10.0.0.1:5984', COUCHDB_FAILOVER_URLS: 'http://a:b@10.0.0.2:5984' },
        /must not carry credentials/,
      ],
      [
        {
          COUCHDB_URL: 'http://10.0.0.1:5984',
          COUCHDB_FAILOVER_URLS: 'http://10.0.0.2:5984/couch',
        },
        /without a path/,
      ],
      [
        {
          COUCHDB_URL: 'http://10.0.0.1:5984/couch',
          COUCHDB_FAILOVER_URLS: 'http://10.0.0.2:5984',
        },
        /to name a node/,
      ],
      [{ COUCHDB_URL: 'http://10.0.0.1:5984', COUCHDB_FAILOVER_URLS: 'node2' }, /not a URL/],
    ] as const) {
      expect(() => loadConfig(env as Record<string, string>)).to.throw(message);
    }
  });
});
