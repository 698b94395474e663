/**
 * Pages replayed to identical requests in the second they were sent in: what is replayed
 * (the same status, headers and bytes), and everything that makes a request go to the
 * routes again (another second, another Accept-Encoding, changed data, not a 200, not a GET).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { SameSecondAnswers } from '../../../server/http/same-second-answers.js';

describe('same-second answers', () => {
  let clock: number;
  let version: string;
  let routed: number;
  let replayed: string[];
  /** What the route does while it answers (e.g. the data changes meanwhile). */
  let whileAnswering: () => void;
  let status: number;
  let answers: SameSecondAnswers;
  let server: http.Server;
  let origin: string;

  beforeEach(async () => {
    clock = 1_700_000_000_000;
    version = 'v1';
    routed = 0;
    replayed = [];
    whileAnswering = () => undefined;
    status = 200;
    answers = new SameSecondAnswers({
      dataVersion: () => version,
      maxBytes: 1000,
      onReplay: (route) => replayed.push(route),
      now: () => clock,
    });
    server = http.createServer((req, res) => {
      if (answers.replay(req, res)) return;
      routed++;
      whileAnswering();
      const body = gzipSync(`page ${routed} of ${req.url}`);
      res.statusCode = status;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('Content-Length', String(body.length));
      res.end(body);
      answers.keep(req, res, body, '/stats/search');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = async (path: string, encoding = 'gzip, deflate, br', method = 'GET') => {
    const answer = await fetch(`${origin}${path}`, {
      method,
      headers: { 'accept-encoding': encoding },
    });
    return { answer, text: method === 'HEAD' ? '' : await answer.text() };
  };

  it('replays the same status, headers and bytes to the same URL in the same second', async () => {
    const first = await get('/stats/search?q=Tau');
    clock += 900;
    const second = await get('/stats/search?q=Tau');
    expect(routed).to.equal(1);
    expect(second.text).to.equal('page 1 of /stats/search?q=Tau');
    expect(second.text).to.equal(first.text);
    expect(second.answer.status).to.equal(200);
    for (const name of ['content-type', 'content-encoding', 'x-frame-options', 'content-length'])
      expect(second.answer.headers.get(name), name).to.equal(first.answer.headers.get(name));
    expect(second.answer.headers.get('date')).to.be.a('string');
    expect(replayed).to.deep.equal(['/stats/search']);
    expect(answers.size).to.equal(1);
  });

  it('routes again when the second turns', async () => {
    await get('/stats/search?q=Tau');
    clock += 1000;
    expect((await get('/stats/search?q=Tau')).text).to.equal('page 2 of /stats/search?q=Tau');
    expect(replayed).to.deep.equal([]);
  });

  it('routes again when what pages show changes, and keeps the new answer', async () => {
    await get('/stats/search?q=Tau');
    version = 'v2';
    expect((await get('/stats/search?q=Tau')).text).to.equal('page 2 of /stats/search?q=Tau');
    expect((await get('/stats/search?q=Tau')).text).to.equal('page 2 of /stats/search?q=Tau');
    expect(routed).to.equal(2);
  });

  it('does not keep an answer made while the data changed', async () => {
    whileAnswering = () => (version = `v${routed + 1}`);
    await get('/stats/');
    whileAnswering = () => undefined;
    expect((await get('/stats/')).text).to.equal('page 2 of /stats/');
    expect(routed).to.equal(2);
  });

  it('does not keep an answer that ends in the next second', async () => {
    whileAnswering = () => (clock += 1000);
    await get('/stats/');
    whileAnswering = () => undefined;
    await get('/stats/');
    expect(routed).to.equal(2);
  });

  it('keys on the URL and the Accept-Encoding', async () => {
    await get('/stats/search?q=Tau');
    await get('/stats/search?q=tau');
    await get('/stats/search?q=Tau', 'identity');
    await get('/stats/search?q=Tau', 'gzip');
    expect(routed).to.equal(4);
    await get('/stats/search?q=Tau', 'gzip');
    expect(routed).to.equal(4);
  });

  it('keeps only 200s of GETs, and never answers another method', async () => {
    status = 404;
    await get('/stats/nothing');
    await get('/stats/nothing');
    expect(routed).to.equal(2);
    status = 200;
    await get('/stats/', 'gzip', 'HEAD');
    await get('/stats/', 'gzip', 'HEAD');
    await get('/stats/');
    expect(routed).to.equal(5);
  });

  it('keeps no more bodies than its bound, until the second turns', async () => {
    // Each gzipped body is ~45 bytes; 1000 bytes hold about 20 of them.
    for (let i = 0; i < 40; i++) await get(`/stats/${i}`);
    const kept = answers.size;
    expect(kept).to.be.within(10, 30);
    for (let i = 0; i < 40; i++) await get(`/stats/${i}`);
    expect(routed).to.equal(80 - kept);
    clock += 1000;
    await get('/stats/0');
    expect(answers.size).to.equal(1);
  });
});
