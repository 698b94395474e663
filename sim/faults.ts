/**
 * Injected failures, per endpoint. Each decision draws from that endpoint's own seeded
 * generator, so a given sequence of requests meets the same faults on every run.
 */
import { Rng } from './prng.js';

export const ENDPOINTS = [
  'changes',
  'request',
  'reqmgr2',
  'wmstats',
  'datasetlist',
  'filesummaries',
  'files',
  'datasets',
  'token',
  'mcm',
  'rereco',
  'relval',
  'clock',
] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

/** Rates are probabilities (0..1) per request; at most one fault fires per request. */
export interface FaultSpec {
  latencyMs?: number | { min: number; max: number };
  /** 500/502/503/504 with a short JSON body. */
  status5xx?: number;
  /** No answer at all: the client must time out. */
  timeout?: number;
  /** TCP reset instead of an answer. */
  reset?: number;
  /** The body stops half-way (connection dropped, or a complete message with cut JSON). */
  truncate?: number;
  /** 502 with an HTML proxy error page. */
  htmlError?: number;
  /** A dbs2go-style JSON list error (400 or 500). */
  dbsListError?: number;
  /** 401 with an empty body, as cmsweb's front end answers an unknown DN. */
  unauthorized?: number;
  /** The spec applies to this many requests, then is removed. */
  times?: number;
  /**
   * Only requests that name this dataset (DBS `dataset` parameter, or one of the names in a
   * `datasetlist` body) meet the spec; the endpoint's other requests are answered as if it
   * were not set, and do not count against `times`. dbs2go fails a whole query for one bad
   * dataset: this is how a test makes one dataset bad.
   */
  dataset?: string;
}

export type FaultKind =
  'status5xx' | 'timeout' | 'reset' | 'truncate' | 'htmlError' | 'dbsListError' | 'unauthorized';
const KINDS: readonly FaultKind[] = [
  'status5xx',
  'timeout',
  'reset',
  'truncate',
  'htmlError',
  'dbsListError',
  'unauthorized',
];

export interface FaultDecision {
  latencyMs: number;
  fault: FaultKind | undefined;
  /** A uniform draw in [0, 1) for choices within the fault (which 5xx, which truncation). */
  variant: number;
}

export class Faults {
  private readonly specs = new Map<EndpointName | '*', FaultSpec & { remaining: number }>();
  private readonly generators = new Map<string, Rng>();

  constructor(
    private readonly seed: number,
    private readonly baseLatencyMs = 0,
  ) {}

  /** Sets the faults of one endpoint, or of every endpoint without its own (`'*'`). */
  set(endpoint: EndpointName | '*', spec: FaultSpec): void {
    for (const kind of KINDS) {
      const rate = spec[kind];
      if (rate !== undefined && !(rate >= 0 && rate <= 1))
        throw new RangeError(`fault rate ${kind} must be between 0 and 1, got ${rate}`);
    }
    this.specs.set(endpoint, { ...spec, remaining: spec.times ?? Infinity });
  }

  clear(endpoint?: EndpointName | '*'): void {
    if (endpoint === undefined) this.specs.clear();
    else this.specs.delete(endpoint);
  }

  /** `datasets`: the datasets the request names (for specs restricted to one dataset). */
  decide(endpoint: EndpointName, datasets: readonly string[] = []): FaultDecision {
    const rng = this.generatorOf(endpoint);
    const key = this.specs.has(endpoint) ? endpoint : '*';
    const spec = this.specs.get(key);
    if (spec === undefined || (spec.dataset !== undefined && !datasets.includes(spec.dataset)))
      return { latencyMs: this.baseLatencyMs, fault: undefined, variant: rng.next() };
    spec.remaining--;
    if (spec.remaining <= 0) this.specs.delete(key);
    let latencyMs = this.baseLatencyMs;
    if (typeof spec.latencyMs === 'number') latencyMs += spec.latencyMs;
    else if (spec.latencyMs !== undefined)
      latencyMs += spec.latencyMs.min + rng.next() * (spec.latencyMs.max - spec.latencyMs.min);
    let roll = rng.next();
    let fault: FaultKind | undefined;
    for (const kind of KINDS) {
      const rate = spec[kind] ?? 0;
      if (roll < rate) {
        fault = kind;
        break;
      }
      roll -= rate;
    }
    return { latencyMs, fault, variant: rng.next() };
  }

  private generatorOf(endpoint: EndpointName): Rng {
    let rng = this.generators.get(endpoint);
    if (rng === undefined) {
      rng = Rng.of(this.seed, 'faults', endpoint);
      this.generators.set(endpoint, rng);
    }
    return rng;
  }
}
