// Reads during the fault suite: every GET the web console makes (apps/console/src), plus the item's own view,
// from a few concurrent readers, all along the campaign. Each answer is kept with its status and when it was
// sent and answered, so that the suite can say afterwards which failures an outage explains: the read model's
// GETs answer from PostgreSQL alone (with every worker down, with Temporal down), the audit GETs that render a
// history need Temporal too, and a connection refused needs the API to be away.
import type { Outage } from './ledger';

/** What a GET needs to answer besides the API itself. */
export type ReadSource = 'postgres' | 'temporal';

export type Reader = 'office' | 'unit' | 'supervisor' | 'auditor' | 'public';

/** The ids a read can pick from (filled in as the campaign goes). */
export interface ReadWorld {
  campaignId: string;
  units: Array<{ id: string; token: string; group: number }>;
  items: Array<{ id: string; unit: number }>;
  /** Units whose task book is published (its public pages exist). */
  published: string[];
  programmes: string[];
  /** Escalations seen in the lists read so far (their dossiers). */
  escalations: string[];
  tokens: { office: string; auditor: string; supervisors: string[] };
}

export interface ReadRoute {
  /** The route as the console names it (its template). */
  route: string;
  reader: Reader;
  sources: ReadSource[];
  /** A concrete path, or undefined while there is nothing to read yet (no item before the first task book). */
  path(w: ReadWorld, pick: <T>(list: T[]) => T): string | undefined;
}

const PG: ReadSource[] = ['postgres'];
const HISTORY: ReadSource[] = ['postgres', 'temporal'];
const unitDocs = ['records', 'problems', 'opinions', 'task-book/objections', 'transitions', 'meetings'];

/** Every GET of the console (and GET /api/items/:id, the item's own view), by who makes it. */
export const READ_ROUTES: ReadRoute[] = [
  { route: 'GET /api/me', reader: 'office', sources: PG, path: () => '/api/me' },
  {
    route: 'GET /api/campaigns',
    reader: 'office',
    sources: PG,
    path: (_, pick) => pick(['/api/campaigns?pageSize=200', '/api/campaigns?page=1&pageSize=20']),
  },
  { route: 'GET /api/campaigns/:id', reader: 'office', sources: PG, path: (w) => `/api/campaigns/${w.campaignId}` },
  { route: 'GET /api/campaigns/:id/dashboard', reader: 'office', sources: PG, path: (w) => `/api/campaigns/${w.campaignId}/dashboard` },
  { route: 'GET /api/campaigns/:id/groups', reader: 'office', sources: PG, path: (w) => `/api/campaigns/${w.campaignId}/groups` },
  {
    route: 'GET /api/campaigns/:id/plan-versions',
    reader: 'office',
    sources: PG,
    path: (w) => `/api/campaigns/${w.campaignId}/plan-versions`,
  },
  {
    route: 'GET /api/simulations',
    reader: 'office',
    sources: PG,
    path: (w, pick) => pick([`/api/simulations?campaignId=${w.campaignId}&page=1&pageSize=20`, '/api/simulations?page=1&pageSize=20']),
  },
  {
    route: 'GET /api/campaigns/:id/units',
    reader: 'office',
    sources: PG,
    path: (w, pick) => `/api/campaigns/${w.campaignId}/units?${pick(['page=1&pageSize=500', 'page=1&pageSize=20', 'page=2&pageSize=20'])}`,
  },
  {
    route: 'GET /api/campaigns/:id/measures',
    reader: 'office',
    sources: PG,
    path: (w, pick) => `/api/campaigns/${w.campaignId}/measures?page=1&pageSize=20${pick(['', '&status=proposed', '&status=confirmed'])}`,
  },
  {
    route: 'GET /api/escalations',
    reader: 'office',
    sources: PG,
    path: (w, pick) =>
      `/api/escalations?campaignId=${w.campaignId}&${pick(['page=1&pageSize=20', 'page=2&pageSize=20', 'rung=referral&page=1&pageSize=20'])}`,
  },
  {
    route: 'GET /api/principals',
    reader: 'office',
    sources: PG,
    path: (w) => `/api/principals?campaignId=${w.campaignId}&page=1&pageSize=20`,
  },
  { route: 'GET /api/programmes', reader: 'office', sources: PG, path: () => '/api/programmes?page=1&pageSize=20' },
  {
    route: 'GET /api/programmes/:id',
    reader: 'office',
    sources: PG,
    path: (w, pick) => (w.programmes.length ? `/api/programmes/${pick(w.programmes)}` : undefined),
  },
  {
    route: 'GET /api/holiday-arrangements',
    reader: 'office',
    sources: PG,
    path: (_, pick) => pick(['/api/holiday-arrangements', '/api/holiday-arrangements?years=2013,2014']),
  },
  { route: 'GET /api/inbox', reader: 'supervisor', sources: PG, path: () => '/api/inbox?page=1&pageSize=20' },
  { route: 'GET /api/units/:id', reader: 'unit', sources: PG, path: (w, pick) => `/api/units/${pick(w.units).id}` },
  {
    route: 'GET /api/units/:id/items',
    reader: 'unit',
    sources: PG,
    path: (w, pick) => `/api/units/${pick(w.units).id}/items?page=1&pageSize=20`,
  },
  {
    route: 'GET /api/units/:id/<documents>',
    reader: 'unit',
    sources: PG,
    path: (w, pick) => `/api/units/${pick(w.units).id}/${pick(unitDocs)}?page=1&pageSize=${pick([1, 20, 500])}`,
  },
  { route: 'GET /api/units/:id/measures', reader: 'unit', sources: PG, path: (w, pick) => `/api/units/${pick(w.units).id}/measures` },
  {
    route: 'GET /api/items/:id',
    reader: 'unit',
    sources: PG,
    path: (w, pick) => (w.items.length ? `/api/items/${pick(w.items).id}` : undefined),
  },
  {
    route: 'GET /api/items/:id/progress',
    reader: 'unit',
    sources: PG,
    path: (w, pick) => (w.items.length ? `/api/items/${pick(w.items).id}/progress?pageSize=100` : undefined),
  },
  {
    route: 'GET /api/items/:id/extensions',
    reader: 'unit',
    sources: PG,
    path: (w, pick) => (w.items.length ? `/api/items/${pick(w.items).id}/extensions?pageSize=100` : undefined),
  },
  {
    route: 'GET /api/units/:id/timeline',
    reader: 'auditor',
    sources: HISTORY,
    path: (w, pick) => `/api/units/${pick(w.units).id}/timeline${pick(['', '?includeItems=true'])}`,
  },
  { route: 'GET /api/units/:id/history', reader: 'auditor', sources: HISTORY, path: (w, pick) => `/api/units/${pick(w.units).id}/history` },
  {
    route: 'GET /api/escalations/:id/dossier',
    reader: 'auditor',
    sources: HISTORY,
    path: (w, pick) => (w.escalations.length ? `/api/escalations/${pick(w.escalations)}/dossier?format=html` : undefined),
  },
  { route: 'GET /api/public/campaigns', reader: 'public', sources: PG, path: () => '/api/public/campaigns?pageSize=100' },
  { route: 'GET /api/public/campaigns/:id', reader: 'public', sources: PG, path: (w) => `/api/public/campaigns/${w.campaignId}` },
  {
    route: 'GET /api/public/campaigns/:id/task-books',
    reader: 'public',
    sources: PG,
    path: (w) => `/api/public/campaigns/${w.campaignId}/task-books?page=1&pageSize=10`,
  },
  {
    route: 'GET /api/public/campaigns/:id/units',
    reader: 'public',
    sources: PG,
    path: (w) => `/api/public/campaigns/${w.campaignId}/units?page=1&pageSize=10`,
  },
  { route: 'GET /api/public/units/:id', reader: 'public', sources: PG, path: (w, pick) => `/api/public/units/${pick(w.units).id}` },
  {
    route: 'GET /api/public/units/:id/task-book',
    reader: 'public',
    sources: PG,
    path: (w, pick) => (w.published.length ? `/api/public/units/${pick(w.published)}/task-book` : undefined),
  },
  {
    route: 'GET /api/public/units/:id/task-book/objections',
    reader: 'public',
    sources: PG,
    path: (w, pick) => (w.published.length ? `/api/public/units/${pick(w.published)}/task-book/objections?page=1&pageSize=20` : undefined),
  },
];

/** A GET's outcome: its status, or how it failed without one. */
export type ReadOutcome = number | 'connection lost' | 'timed out';

export interface ReadRecord {
  route: string;
  path: string;
  outcome: ReadOutcome;
  sentAt: number;
  answeredAt: number;
}

export interface ReadVerdict {
  total: number;
  /** Outcome → how many, over every GET. */
  byOutcome: Map<ReadOutcome, number>;
  /** GETs answered other than 200 that an outage of what they need explains (PostgreSQL, Temporal for a history, the API). */
  explained: ReadRecord[];
  /** GETs answered other than 200 that no outage of what they need explains: failures. */
  unexplained: ReadRecord[];
  /** Every 503, and how many of them an outage of PostgreSQL (or of Temporal, for a history) explains. */
  unavailable: { total: number; postgres: number; temporal: number };
  /** GETs made while the worker was down and everything else was up: outcome → how many (all must be 200). */
  workerOnly: Map<ReadOutcome, number>;
  /** GETs made while Temporal was down (PostgreSQL and the API up), of the read model: outcome → how many. */
  temporalOnlyReadModel: Map<ReadOutcome, number>;
}

const overlaps = (r: { sentAt: number; answeredAt: number }, o: Outage) => r.sentAt <= o.to && r.answeredAt >= o.from;

/**
 * Which GETs failed for a reason the faults explain. A 503 or a timeout is explained only while one of the
 * GET's sources was away (PostgreSQL for every GET; Temporal too for one that renders a history), a connection
 * lost only while the API was away; anything else other than 200 (a 4xx, a 500) is never explained. A worker
 * that is down explains nothing: the read model answers without it.
 */
export function judgeReads(records: ReadRecord[], outages: Outage[], routes: ReadRoute[] = READ_ROUTES): ReadVerdict {
  const sources = new Map(routes.map((r) => [r.route, r.sources]));
  const v: ReadVerdict = {
    total: records.length,
    byOutcome: new Map(),
    explained: [],
    unexplained: [],
    unavailable: { total: 0, postgres: 0, temporal: 0 },
    workerOnly: new Map(),
    temporalOnlyReadModel: new Map(),
  };
  const add = (m: Map<ReadOutcome, number>, k: ReadOutcome) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const r of records) {
    add(v.byOutcome, r.outcome);
    const during = outages.filter((o) => overlaps(r, o));
    const away = (what: Outage['what']) => during.some((o) => o.what === what);
    const needs = sources.get(r.route) ?? HISTORY;
    if (away('worker') && !during.some((o) => o.what !== 'worker' && o.what !== 'webhook')) add(v.workerOnly, r.outcome);
    if (away('temporal') && !needs.includes('temporal') && !away('postgres') && !away('api')) add(v.temporalOnlyReadModel, r.outcome);
    if (r.outcome === 200) continue;
    let explained = false;
    if (r.outcome === 503 || r.outcome === 'timed out') {
      const byPostgres = away('postgres');
      const byTemporal = !byPostgres && needs.includes('temporal') && away('temporal');
      explained = byPostgres || byTemporal;
      if (r.outcome === 503) {
        v.unavailable.total++;
        if (byPostgres) v.unavailable.postgres++;
        if (byTemporal) v.unavailable.temporal++;
      }
    } else if (r.outcome === 'connection lost') {
      explained = away('api');
    }
    (explained ? v.explained : v.unexplained).push(r);
  }
  return v;
}

/** `200 ×812, 503 ×3, …`, the most frequent first. */
export const outcomesText = (m: Map<ReadOutcome, number>): string =>
  m.size
    ? [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ')
    : 'none';

/**
 * Readers making the console's GETs all along, each with the token of the role that makes it (none for the
 * public pages), one GET after the other with a short pause. No retries: every answer is counted as it came.
 */
export class ReadTraffic {
  readonly records: ReadRecord[] = [];
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly baseUrl: () => string,
    private readonly world: ReadWorld,
    private readonly random: () => number,
    private readonly o: { readers: number; pauseMs: number; timeoutMs?: number },
  ) {}

  private pick = <T>(list: T[]): T => list[Math.floor(this.random() * list.length)];

  private token(reader: Reader): string | undefined {
    const w = this.world;
    switch (reader) {
      case 'office':
        return w.tokens.office;
      case 'auditor':
        return w.tokens.auditor;
      case 'supervisor':
        return this.pick(w.tokens.supervisors);
      case 'unit':
        return undefined; // the unit's own head: set with the path below
      case 'public':
        return undefined;
    }
  }

  /** One GET, recorded. */
  async once(): Promise<void> {
    const route = this.pick(READ_ROUTES);
    const path = route.path(this.world, this.pick);
    if (!path) return;
    // A unit's head reads their own unit, its items and documents.
    let token = this.token(route.reader);
    if (route.reader === 'unit') {
      const id = /^\/api\/(units|items)\/([^/?]+)/.exec(path);
      const unit =
        id?.[1] === 'units'
          ? this.world.units.find((u) => u.id === id[2])
          : this.world.units[this.world.items.find((it) => it.id === id?.[2])?.unit ?? -1];
      token = unit?.token;
    }
    const sentAt = Date.now();
    let outcome: ReadOutcome;
    try {
      const res = await fetch(`${this.baseUrl()}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 60_000),
      });
      const text = await res.text();
      outcome = res.status;
      // The escalations read feed the dossiers read later.
      if (res.status === 200 && route.route === 'GET /api/escalations') {
        for (const e of (JSON.parse(text).items ?? []) as Array<{ id: string }>)
          if (!this.world.escalations.includes(e.id)) this.world.escalations.push(e.id);
      }
    } catch (err) {
      const name = (err as Error).name;
      outcome = name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'connection lost';
    }
    this.records.push({ route: route.route, path, outcome, sentAt, answeredAt: Date.now() });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.o.readers }, async () => {
      while (this.running) {
        await this.once();
        await new Promise((r) => setTimeout(r, this.o.pauseMs)); // the pace of a few people reading pages
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}
