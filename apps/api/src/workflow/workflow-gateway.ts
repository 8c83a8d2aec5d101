// The API's one door to the workflows: updates and starts go through here, so that refusals are translated,
// counted and written to the audit log in one place (reads come from the read model, never from a workflow).
// A validator's refusal leaves no event in the workflow history; the audit log keeps it (who, what, which rule).
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { DomainError, type Actor } from '../../../../libs/domain/src';
import type { ApiMetrics } from '../common/metrics';
import type { JsonLogger } from '../common/logger';
import type { AuditLogRepository } from '../../../../libs/persistence/src';
import { refusalOf, translateWorkflowError } from './workflow-errors';
import { currentIdempotencyKey } from '../common/request-context';
import type { EngineHealth } from '../health/engine-health';

export interface UpdateContext {
  actor: Actor;
  /** The HTTP call, e.g. `POST /api/units/:id/transitions/:tid/decision`. */
  route: string;
  unitId?: string;
  itemId?: string;
  /**
   * Who may make this call (role and scope). Checked here, before the workflow is asked, so that a refusal by
   * scope is audited like a refusal by a workflow rule.
   */
  authorize?: () => unknown;
  /** Raised instead of a bare 404 when the workflow is not (or no longer) running. */
  whenNotRunning?: () => DomainError | Promise<DomainError>;
  /**
   * The workflow was not found: start it if it should be running (a unit of an opened batch that the campaign's
   * start has not reached yet). true if it was started, and the update is sent again.
   */
  startIfMissing?: () => Promise<boolean>;
}

/** How long a call may wait on the engine (e.g. no worker polling) before the caller gets a 503 to retry. */
export const UPDATE_DEADLINE_MS = 15_000;

/** Fields of an update's arguments that are not kept in the audit log (personal data, the actor itself). */
const OMIT_FROM_AUDIT = new Set(['actor', 'contact']);

export class WorkflowGateway {
  /** Calls to the engine still running: the connection is closed only after them (see drain). */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly client: Client,
    private readonly audit: AuditLogRepository,
    private readonly metrics: ApiMetrics,
    private readonly logger: JsonLogger,
    /** Known state of the engine: calls fail fast (503) while it is down, and failures make it look again. */
    private readonly engine?: Pick<EngineHealth, 'failFast' | 'observeFailure'>,
  ) {}

  /** Waits (at most `timeoutMs`) for the calls in flight, e.g. of requests whose client hung up, to settle. */
  async drain(timeoutMs = UPDATE_DEADLINE_MS + 1_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
    clearTimeout(timer);
  }

  private track<T>(start: () => Promise<T>): Promise<T> {
    this.engine?.failFast();
    const call = start();
    this.inFlight.add(call);
    const forget = () => this.inFlight.delete(call);
    call.then(forget, (err: unknown) => {
      forget();
      this.engine?.observeFailure(err);
    });
    return call;
  }

  /**
   * Checks who may make the call (ctx.authorize), recording a refusal like a workflow's own. Services call it
   * before they store the call's texts, so a refused caller leaves nothing behind but the audit row.
   */
  async authorize(call: string, workflowId: string, arg: object, ctx: UpdateContext): Promise<void> {
    try {
      await ctx.authorize?.();
    } catch (err) {
      if (err instanceof DomainError) {
        this.metrics.workflowCalls.inc({ call, outcome: 'refused' });
        const hiddenBy = typeof err.details.hiddenBy === 'string' ? err.details.hiddenBy : undefined;
        this.metrics.refusedDecisions.inc({ call, rule: err.details.rule ?? hiddenBy ?? err.code });
        await this.recordRefusal(call, workflowId, arg, ctx, err);
      }
      throw err;
    }
  }

  async update<Ret, Arg extends object>(def: UpdateDefinition<Ret, [Arg]>, workflowId: string, arg: Arg, ctx: UpdateContext): Promise<Ret> {
    await this.authorize(def.name, workflowId, arg, ctx);
    // With an Idempotency-Key the update id is derived from it: a retry after a lost answer is the same update.
    const key = currentIdempotencyKey();
    const updateId = key ? createHash('sha256').update(`${key}\n${workflowId}\n${def.name}`).digest('hex').slice(0, 32) : undefined;
    try {
      const handle = this.client.workflow.getHandle(workflowId);
      const result = await this.track(() =>
        this.client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
          handle.executeUpdate(def, { args: [arg], ...(updateId ? { updateId } : {}) }),
        ),
      );
      this.metrics.workflowCalls.inc({ call: def.name, outcome: 'accepted' });
      return result;
    } catch (err) {
      const refusal = refusalOf(err);
      if (refusal) {
        this.metrics.workflowCalls.inc({ call: def.name, outcome: 'refused' });
        this.metrics.refusedDecisions.inc({ call: def.name, rule: refusal.details.rule ?? refusal.code });
        await this.recordRefusal(def.name, workflowId, arg, ctx, refusal);
        throw refusal;
      }
      const translated = translateWorkflowError(err);
      if (translated?.code === 'NOT_FOUND' && ctx.startIfMissing && (await ctx.startIfMissing())) {
        return this.update(def, workflowId, arg, { ...ctx, startIfMissing: undefined, authorize: undefined });
      }
      if (translated?.code === 'NOT_FOUND' && ctx.whenNotRunning) {
        this.metrics.workflowCalls.inc({ call: def.name, outcome: 'not-running' });
        throw await ctx.whenNotRunning();
      }
      this.metrics.workflowCalls.inc({ call: def.name, outcome: translated ? translated.code.toLowerCase() : 'error' });
      throw translated ?? err;
    }
  }

  /** Counts a start (or any other engine call) made through a helper outside this class. */
  async counted<T>(call: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await this.track(run);
      this.metrics.workflowCalls.inc({ call, outcome: 'accepted' });
      return result;
    } catch (err) {
      const translated = translateWorkflowError(err);
      this.metrics.workflowCalls.inc({ call, outcome: translated ? translated.code.toLowerCase() : 'error' });
      throw translated ?? err;
    }
  }

  private async recordRefusal(call: string, workflowId: string, arg: object, ctx: UpdateContext, refusal: DomainError): Promise<void> {
    const args = Object.fromEntries(Object.entries(arg).filter(([k]) => !OMIT_FROM_AUDIT.has(k)));
    try {
      await this.audit.appendRefusal({
        actorId: ctx.actor.id,
        actorRole: ctx.actor.role,
        call,
        workflowId,
        unitId: ctx.unitId,
        itemId: ctx.itemId,
        rule: auditedRule(refusal),
        message: refusal.message,
        detail: { route: ctx.route, code: refusal.code, args, params: refusal.refusal.params },
      });
    } catch (err) {
      // The caller still gets the refusal; the lost audit row is loud in the logs.
      this.logger.event('error', 'could not record a refused decision in the audit log', {
        call,
        workflowId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

/**
 * The rule an audit row names: a rule or gate that refused (403, 409), or why an object was answered as unknown
 * (`hiddenBy`); a bad input or an unknown id names none (their refusals' rules are the category's own).
 */
function auditedRule(refusal: DomainError): string | undefined {
  if (typeof refusal.details.hiddenBy === 'string') return refusal.details.hiddenBy;
  if (refusal.code === 'INVALID_INPUT' || refusal.code === 'NOT_FOUND') return undefined;
  return typeof refusal.details.rule === 'string' ? refusal.details.rule : undefined;
}
