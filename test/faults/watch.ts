// What an operator sees of stuck runs during the fault suite, watched as an operator's monitoring would: the
// API's /metrics (massline_workflow_stuck{workflow_id,cause}, massline_workflows_stuck), /health/ready (its
// `workflows` check names each stuck run) and GET /api/audit/stuck-runs (as an auditor, the cleared runs too).
// Each source's first sighting of each run is kept, so that the suite can say that every run found stuck was
// named by the metric and by readiness while it was stuck.

export interface StuckSighting {
  workflowId: string;
  /** As GET /api/audit/stuck-runs names it (absent for a run only the metric or readiness named). */
  runId?: string;
  cause: string;
  /** First moment each source named it. */
  metric?: number;
  readiness?: number;
  list?: number;
  /** Last moment GET /api/audit/stuck-runs listed it as stuck (not cleared), and when it was cleared. */
  lastStuck?: number;
  clearedAt?: string;
}

/** The runs `massline_workflow_stuck` names in a /metrics text: workflow id and cause. */
export function stuckRunsInMetrics(text: string): Array<{ workflowId: string; cause: string }> {
  const out: Array<{ workflowId: string; cause: string }> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('massline_workflow_stuck{')) continue;
    const workflowId = /workflow_id="([^"]*)"/.exec(line)?.[1];
    const cause = /cause="([^"]*)"/.exec(line)?.[1];
    if (workflowId && cause) out.push({ workflowId, cause });
  }
  return out;
}

/** `massline_workflows_stuck`'s value in a /metrics text. */
export function stuckCountInMetrics(text: string): number | undefined {
  const m = /^massline_workflows_stuck (\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The workflow ids a /health/ready body's `workflows` check names (its answer is the checks, or a 503 with them). */
export function stuckRunsInReadiness(body: unknown): string[] {
  const b = body as { checks?: Record<string, string>; details?: Array<Record<string, string> | null> } | undefined;
  const check = b?.checks?.workflows ?? b?.details?.find((d) => typeof d?.workflows === 'string')?.workflows;
  if (!check || !check.startsWith('stuck:')) return [];
  return [...check.matchAll(/(massline-[a-z]+-[^\s;()]+) \(/g)].map((m) => m[1]);
}

export class StuckRunWatch {
  /** By workflow id. */
  readonly seen = new Map<string, StuckSighting>();
  /** The largest massline_workflows_stuck seen. */
  maxStuck = 0;
  polls = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly baseUrl: () => string,
    private readonly auditorToken: string,
    private readonly intervalMs = 2_000,
  ) {}

  private sighting(workflowId: string, cause: string): StuckSighting {
    let s = this.seen.get(workflowId);
    if (!s) this.seen.set(workflowId, (s = { workflowId, cause }));
    return s;
  }

  private async get(path: string, token?: string): Promise<{ status: number; text: string } | undefined> {
    try {
      const res = await fetch(`${this.baseUrl()}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(10_000),
      });
      return { status: res.status, text: await res.text() };
    } catch {
      return undefined; // the API or its database away: looked at again at the next poll
    }
  }

  /** One look at the three sources. */
  async poll(): Promise<void> {
    this.polls++;
    const [metrics, ready, list] = await Promise.all([
      this.get('/metrics'),
      this.get('/health/ready'),
      this.get('/api/audit/stuck-runs?includeCleared=true&pageSize=500', this.auditorToken),
    ]);
    const now = Date.now();
    if (metrics?.status === 200) {
      for (const r of stuckRunsInMetrics(metrics.text)) this.sighting(r.workflowId, r.cause).metric ??= now;
      this.maxStuck = Math.max(this.maxStuck, stuckCountInMetrics(metrics.text) ?? 0);
    }
    if (ready) {
      let body: unknown;
      try {
        body = JSON.parse(ready.text);
      } catch {
        body = undefined;
      }
      for (const id of stuckRunsInReadiness(body)) {
        const s = this.seen.get(id) ?? this.sighting(id, 'named by readiness only');
        s.readiness ??= now;
      }
    }
    if (list?.status === 200) {
      for (const r of JSON.parse(list.text).items as Array<{ workflowId: string; runId: string; cause: string; clearedAt?: string }>) {
        const s = this.sighting(r.workflowId, r.cause);
        s.runId ??= r.runId;
        if (s.cause === 'named by readiness only' || s.cause !== r.cause) s.cause = r.cause; // the latest diagnosis
        s.list ??= now;
        if (!r.clearedAt) s.lastStuck = now;
        s.clearedAt = r.clearedAt;
      }
    }
  }

  /** Whether the run of this workflow is stuck with this cause as last seen (not cleared since). */
  stuckNow(workflowId: string, cause: string): boolean {
    const s = this.seen.get(workflowId);
    return !!s && s.cause === cause && !s.clearedAt && s.lastStuck !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.poll();
        await new Promise((r) => setTimeout(r, this.intervalMs)); // a monitoring system's scrape interval
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
