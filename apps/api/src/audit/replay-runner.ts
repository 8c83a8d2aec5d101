// Replay jobs run in the background of the API process, one at a time (a replay worker is CPU-heavy), with
// their progress written to replay_jobs as they go: a client polls GET /api/audit/replays/:id.
import type { Client } from '@temporalio/client';
import {
  bundleWorkflows,
  fetchHistories,
  listExecutions,
  replayHistories,
  type ReplayFailure,
  type ReplayItem,
  type ReplaySelection,
} from '../../../../libs/audit/src';
import type { JsonLogger } from '../common/logger';
import type { AuditRepository } from './audit.repository';

/** Progress is written at most this often (and always at the end). */
const FLUSH_EVERY_MS = 250;

export class ReplayRunner {
  private readonly queue: Array<{ id: string; selection: ReplaySelection }> = [];
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly repository: AuditRepository,
    private readonly client: Client,
    private readonly logger: JsonLogger,
    /** Which workflow code histories are replayed against (the current code by default). */
    private readonly workflowsPath?: string,
  ) {}

  enqueue(id: string, selection: ReplaySelection): void {
    if (this.stopping) throw new Error('the API is stopping');
    this.queue.push({ id, selection });
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Stops after the current history; unfinished jobs are marked failed (interrupted). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    for (const job of this.queue.splice(0)) {
      await this.repository
        .updateReplayJob(job.id, { status: 'failed', error: 'interrupted: the API stopped before the job ran' })
        .catch(() => undefined);
    }
  }

  private async drain(): Promise<void> {
    while (!this.stopping) {
      const job = this.queue.shift();
      if (!job) break;
      await this.run(job.id, job.selection);
    }
  }

  private async run(id: string, selection: ReplaySelection): Promise<void> {
    const started = Date.now();
    const failures: ReplayFailure[] = [];
    let replayed = 0;
    let lastFlush = 0;
    const flush = async (force = false) => {
      if (!force && Date.now() - lastFlush < FLUSH_EVERY_MS) return;
      lastFlush = Date.now();
      await this.repository.updateReplayJob(id, { replayed, failures });
    };
    try {
      const refs = await listExecutions(this.client, selection);
      await this.repository.updateReplayJob(id, { total: refs.length });
      if (refs.length) {
        const bundle = await bundleWorkflows(this.workflowsPath);
        const stopping = () => this.stopping;
        // Ends the feed when the API stops, so the replay worker shuts down after the current history.
        async function* untilStopped(source: AsyncIterable<ReplayItem | ReplayFailure>) {
          for await (const item of source) {
            if (stopping()) return;
            yield item;
          }
        }
        const result = await replayHistories(untilStopped(fetchHistories(this.client, refs)), {
          bundle,
          onResult: async (r) => {
            replayed++;
            if (r.failure) failures.push(r.failure);
            await flush();
          },
        });
        if (this.stopping && result.replayed < refs.length) {
          await this.repository.updateReplayJob(id, {
            replayed,
            failures,
            status: 'failed',
            error: `interrupted: the API stopped after ${replayed} of ${refs.length} histories`,
          });
          return;
        }
      }
      await this.repository.updateReplayJob(id, { replayed, failures, status: 'done' });
      this.logger.event('info', 'replay job done', { jobId: id, total: refs.length, failures: failures.length, ms: Date.now() - started });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.event('error', 'replay job failed', { jobId: id, error: message });
      await this.repository.updateReplayJob(id, { replayed, failures, status: 'failed', error: message }).catch(() => undefined);
    }
  }
}
