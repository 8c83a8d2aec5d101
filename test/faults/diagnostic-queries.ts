// Diagnostic query traffic (`npm run test:faults -- --diagnostic-queries`): what the Temporal Web UI or an
// auditor's CLI does to a running campaign — a workflow query (unitState, itemState) on a random unit or item —
// from a few clients of their own, all along the campaign and so through every worker kill. The API never
// queries a workflow; these queries reach the workers straight from the engine, as a legacy query task when no
// workflow task is outstanding.
import { Client, Connection } from '@temporalio/client';
import { itemWorkflowId, unitWorkflowId } from '../../libs/domain/src';
import { itemStateQuery, unitStateQuery } from '../../libs/contracts/src';

export type QueryOutcome = 'answered' | 'deadline exceeded' | 'engine unavailable' | 'query failed' | 'not found' | 'other';

export class DiagnosticQueries {
  readonly outcomes = new Map<QueryOutcome, number>();
  /** The message of each kind of failure, first seen (to report). */
  readonly examples = new Map<QueryOutcome, string>();
  sent = 0;
  private connection?: Connection;
  private client?: Client;
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly address: string,
    private readonly namespace: string,
    private readonly targets: () => { units: string[]; items: string[] },
    private readonly random: () => number,
    private readonly o: { clients: number; pauseMs: number; deadlineMs: number },
  ) {}

  private count(outcome: QueryOutcome, message?: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (message && !this.examples.has(outcome)) this.examples.set(outcome, message.slice(0, 300));
  }

  private static outcomeOf(err: unknown): QueryOutcome {
    const e = err as { name?: string; code?: number; message?: string };
    if (e.name === 'WorkflowNotFoundError' || e.code === 5) return 'not found';
    if (e.code === 4 || /deadline/i.test(e.message ?? '')) return 'deadline exceeded';
    if (e.code === 14 || (e.name === 'ServiceError' && /unavailable|connect/i.test(e.message ?? ''))) return 'engine unavailable';
    if (
      e.name === 'QueryNotRegisteredError' ||
      e.name === 'QueryRejectedError' ||
      /query/i.test(e.name ?? '') ||
      /workflow task|query/i.test(e.message ?? '')
    )
      return 'query failed';
    return 'other';
  }

  /** One query on a random unit or item. */
  async once(): Promise<void> {
    const { units, items } = this.targets();
    const onItem = items.length > 0 && this.random() < 0.6;
    const list = onItem ? items : units;
    if (!list.length) return;
    const id = list[Math.floor(this.random() * list.length)];
    try {
      this.connection ??= await Connection.connect({ address: this.address, connectTimeout: 3_000 });
      this.client ??= new Client({ connection: this.connection, namespace: this.namespace });
      const client = this.client;
      this.sent++;
      const deadline = Date.now() + this.o.deadlineMs;
      if (onItem) await client.withDeadline(deadline, () => client.workflow.getHandle(itemWorkflowId(id)).query(itemStateQuery));
      else await client.withDeadline(deadline, () => client.workflow.getHandle(unitWorkflowId(id)).query(unitStateQuery));
      this.count('answered');
    } catch (err) {
      this.count(DiagnosticQueries.outcomeOf(err), err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.o.clients }, async () => {
      while (this.running) {
        await this.once();
        await new Promise((r) => setTimeout(r, this.o.pauseMs)); // an auditor clicking through workflows
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.connection?.close().catch(() => undefined);
  }
}
