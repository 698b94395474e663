/**
 * Generated hostile input (seeded, so a failure can be replayed) against every route:
 * never a 5xx, never the input reflected unescaped into HTML.
 */
import { expect } from 'chai';
import { FILTER_NAMES } from '../../server/read-model/filters.js';
import { fixtureWorkflows, TASKCHAIN } from './fixtures.js';
import { startTestWebsite, type TestWebsite } from './support.js';

const SEED = 0x5eed_2024;
const INPUTS = 110;

const FRAGMENTS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(2)>",
  '</textarea><b>',
  '"',
  "'",
  '`',
  '<',
  '>',
  '&amp;',
  '&',
  '=',
  '#',
  '+',
  '?',
  '../',
  '..%2F',
  '%2e%2e%2f',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%0d%0aSet-Cookie:%20x=1',
  '{"$gt":""}',
  '{"selector":{}}',
  '[]',
  ']',
  '[0]',
  'null',
  'true',
  '-1',
  '1e309',
  '_design/_designDoc',
  '_all_docs',
  '_changes?feed=longpoll',
  '/_config',
  '?include_docs=true',
  '\\',
  'é',
  'Ω≈ç√∫',
  '💥🚀',
  '\u202e',
  '\u0301',
  '\uffff',
  '漢字',
  ' ',
  '\t',
  'ReReco-Run2024F-JetMET0-ECALRatio-00002',
  TASKCHAIN,
];

/** mulberry32: small, seeded, reproducible. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Probe {
  method: 'GET' | 'POST';
  path: string;
  /** The text the server sees after decoding, when the path decodes (checked for reflection). */
  decoded: string | undefined;
}

function generateInputs(next: () => number): string[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const inputs: string[] = [];
  for (let i = 0; i < INPUTS; i++) {
    const parts = 1 + Math.floor(next() * 4);
    let text = '';
    for (let p = 0; p < parts; p++) text += pick(FRAGMENTS);
    if (next() < 0.08) text = text.repeat(Math.ceil((400 + next() * 6000) / text.length));
    inputs.push(text);
  }
  return inputs;
}

/** Either properly encoded, or sent as written (the percent signs in it then decode, or fail to). */
function encode(text: string, raw: boolean): string {
  if (!raw) return encodeURIComponent(text);
  return text.replace(/[\s#?&"<>`{}|\\^[\]]|[^\p{ASCII}]/gu, (c) => encodeURIComponent(c));
}

function decodes(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function probesFor(input: string, next: () => number): Probe[] {
  const raw = next() < 0.4;
  const v = encode(input, raw);
  const decoded = decodes(v);
  const filter = FILTER_NAMES[Math.floor(next() * FILTER_NAMES.length)] as string;
  const get = (path: string): Probe => ({ method: 'GET', path, decoded });
  return [
    get(`/stats/?${filter}=${v}`),
    get(`/stats/3?${filter}=${v}&${filter}=${v}`),
    get(`/stats/?${filter}[]=${v}`),
    get(`/stats/${v}`),
    get(`/stats/search?q=${v}`),
    get(`/stats/get_json/${v}`),
    get(`/stats/api/get_json/${v}`),
    get(`/stats/workflow/${v}`),
    get(`/stats/api/fetch?${filter}=${v}`),
    get(`/stats/md?${filter}=${v}`),
    { method: 'POST', path: `/stats/api/update?workflow_name=${v}`, decoded },
    get(`/stats/?${v}=${v}`),
    ...dashboardProbes(v, get, next),
  ];
}

const DASHBOARD_PARAMETERS = ['window', 'sort', 'order', 'q', 'stuck_days'];

/** The campaign dashboards: a hostile campaign name, table name or parameter (value, repeated, array). */
function dashboardProbes(v: string, get: (path: string) => Probe, next: () => number): Probe[] {
  const parameter = DASHBOARD_PARAMETERS[
    Math.floor(next() * DASHBOARD_PARAMETERS.length)
  ] as string;
  return [
    get(`/stats/campaigns?${parameter}=${v}`),
    get(`/stats/campaigns?q=${v}&${parameter}[]=${v}`),
    get(`/stats/campaign/${v}`),
    get(`/stats/campaign/${v}?window=${v}`),
    get(`/stats/dashboard?${parameter}=${v}&${parameter}=${v}`),
    get(`/stats/api/campaigns?${parameter}=${v}`),
    get(`/stats/api/campaigns.csv?q=${v}`),
    get(`/stats/api/campaign/${v}`),
    get(`/stats/api/campaign/Run2024F/${v}.csv`),
    get(`/stats/api/campaign/${v}/production.csv?window=${v}`),
    get(`/stats/api/dashboard?stuck_days=${v}`),
    get(`/stats/api/dashboard/${v}.csv?${parameter}=${v}`),
  ];
}

describe('website: hostile input', function () {
  this.timeout(60_000);
  let site: TestWebsite;
  before(async () => {
    site = await startTestWebsite('hostile', fixtureWorkflows(), {
      updateToken: 'hostile-token',
      updateWorkflow: async () => ({ changed: false }),
      tuning: {
        updateRateLimit: { burst: 10_000, intervalMs: 1 },
        // The dashboards' first snapshot may take a while on a loaded machine: wait for it.
        dashboardMaxWaitMs: 60_000,
      },
    });
  });
  after(() => site.close());

  it(`${INPUTS * 24} generated requests across all routes: no 5xx, no unescaped reflection`, async () => {
    const next = random(SEED);
    const probes = generateInputs(next).flatMap((input) => probesFor(input, next));
    expect(probes.length).to.be.at.least(2000);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let cursor = 0;
    const worker = async () => {
      while (cursor < probes.length) {
        const probe = probes[cursor++] as Probe;
        const response = await site.get(probe.path, {
          method: probe.method,
          headers: probe.method === 'POST' ? { authorization: 'Bearer hostile-token' } : {},
        });
        const body = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const where = `${probe.method} ${probe.path.slice(0, 200)}`;
        if (response.status >= 500) failures.push(`${response.status} for ${where}`);
        const type = response.headers.get('content-type') ?? '';
        if (type.startsWith('text/html')) {
          if (/<script/i.test(body)) failures.push(`a script tag in the answer to ${where}`);
          // Short inputs like `"` or `">` occur in any page; longer ones with markup characters must not.
          const distinctive =
            probe.decoded !== undefined &&
            probe.decoded.length >= 6 &&
            /[<>"']/.test(probe.decoded);
          const reflected = distinctive && body.includes(probe.decoded as string);
          if (reflected) failures.push(`input reflected unescaped by ${where}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(failures, failures.slice(0, 10).join('\n')).to.deep.equal([]);
    // The inputs reach the handlers: most are answered (200/302) or refused (400/404), none crash.
    expect([...statuses.keys()].every((status) => status < 500)).to.equal(true);
    expect(statuses.get(200) ?? 0).to.be.above(100);
    expect(statuses.get(400) ?? 0).to.be.above(100);
  });

  it('api/update: rotating X-Forwarded-For and wrong tokens are limited per client; the token is not', async () => {
    const post = (authorization: string, forwardedFor: string) =>
      site.get(`/stats/api/update?workflow_name=${TASKCHAIN}`, {
        method: 'POST',
        headers: { authorization, 'x-forwarded-for': forwardedFor, 'x-real-ip': forwardedFor },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const forged = `${1 + (i % 250)}.${i}.0.${i % 7}, 127.0.0.1`;
      statuses.push((await post(i % 3 ? 'Bearer guess' : 'Basic x', forged)).status);
    }
    // Five failures are answered (401/403); the other 35 are refused unanswered.
    expect(statuses.filter((status) => status === 429)).to.have.length(35);
    expect(statuses.filter((status) => status === 401 || status === 403)).to.have.length(5);
    // Right after, from the same address, the holder of the token is served.
    expect((await post('Bearer hostile-token', '203.0.113.9')).status).to.equal(200);
  });

  it('api/fetch without a filter, or with anything but one, never sends the database', async () => {
    const next = random(SEED + 1);
    const inputs = generateInputs(next).slice(0, 40);
    const paths = [
      '/stats/api/fetch',
      '/stats/api/fetch?',
      '/stats/api/fetch?page=1',
      '/stats/api/fetch?limit=100000',
      '/stats/api/fetch?include_docs=true',
      '/stats/api/fetch?prepid=',
      ...inputs.map((input) => `/stats/api/fetch?${encodeURIComponent(input)}=1`),
      ...inputs.map((input) => `/stats/api/fetch?campaign=x&${encodeURIComponent(input)}=1`),
    ];
    for (const path of paths) {
      const response = await site.get(path);
      const body = await response.text();
      // A parameter that decodes to a filter's name is a filter: then the (empty) answer.
      if (response.status === 200) {
        expect(JSON.parse(body), path).to.be.an('array').with.length.below(2);
        continue;
      }
      expect(response.status, path).to.equal(400);
      expect(body.length, path).to.be.below(1000);
      expect(JSON.parse(body), path).to.have.property('error', 'BAD_REQUEST');
    }
  });
});
