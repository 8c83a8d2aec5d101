// Moves a unit through its lifecycle by the same updates the API sends.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../libs/domain/src';
import {
  addOpinionUpdate,
  addProblemUpdate,
  addRecordUpdate,
  answerObjectionUpdate,
  approveTransitionUpdate,
  meetingAttendanceUpdate,
  meetingHeldUpdate,
  publishTaskBookUpdate,
  requestTransitionUpdate,
  scheduleMeetingUpdate,
  setTaskBookUpdate,
  unitStateQuery,
  submitCompletionUpdate,
  verifyItemUpdate,
} from '../../libs/contracts/src';
import { DAY, HOUR, iso } from './helpers';
import { eventually } from '../support/eventually';
import { itemWorkflowId } from '../../libs/domain/src';
import type { Client } from '@temporalio/client';
import { doc } from '../support/texts';

export interface Cast {
  unit: Actor;
  supervisor: Actor;
  citizen: Actor;
}

/** Sends an Update as the API does: its payload and answer are checked against the rule it is typed from. */
export const up = <R, A>(handle: WorkflowHandle, def: UpdateDefinition<R, [A]>, args: A): Promise<R> =>
  handle.executeUpdate(def, { args: [args] });
/**
 * Sends an Update and returns once the server holds it (admitted), before any worker has seen it; `outcome` waits
 * for its answer. The SDK's calls return only after a worker accepted, so an Update sent while no worker runs
 * could otherwise reach the server after the next worker took its first task. A poll for an Update the server
 * does not hold yet answers NOT_FOUND; one it holds waits (here, until a deadline long enough for a loaded
 * server to say NOT_FOUND first), and the call ends DEADLINE_EXCEEDED, or CANCELLED when the server ends it.
 */
export async function admitUpdate<R, A>(
  client: Client,
  handle: WorkflowHandle,
  def: UpdateDefinition<R, [A]>,
  args: A,
): Promise<{ outcome: Promise<R> }> {
  const updateId = randomUUID();
  const outcome = handle.executeUpdate(def, { args: [args], updateId });
  outcome.catch(() => undefined);
  const { UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED } = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
  const [CANCELLED, DEADLINE_EXCEEDED, NOT_FOUND] = [1, 4, 5]; // gRPC status codes
  await eventually(
    async () => {
      try {
        await client.connection.withDeadline(Date.now() + 5_000, () =>
          client.workflowService.pollWorkflowExecutionUpdate({
            namespace: client.options.namespace,
            updateRef: { workflowExecution: { workflowId: handle.workflowId }, updateId },
            identity: 'test',
            waitPolicy: { lifecycleStage: UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED },
          }),
        );
        return true;
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code === NOT_FOUND) return false;
        if (code === DEADLINE_EXCEEDED || code === CANCELLED) return true;
        throw e;
      }
    },
    `update ${def.name} admitted on ${handle.workflowId}`,
    60_000,
  );
  return { outcome };
}
/** Sends a payload the types forbid (a hostile or outdated client), by the Update's name. */
export const upUnchecked = (handle: WorkflowHandle, def: { name: string }, args: unknown): Promise<unknown> =>
  handle.executeUpdate(def.name, { args: [args] });

export async function approve(handle: WorkflowHandle, cast: Cast, to: 'P2' | 'P3' | 'DONE') {
  const t = await up(handle, requestTransitionUpdate, { actor: cast.unit, to, comment: `ready for ${to}` });
  return up(handle, approveTransitionUpdate, { actor: cast.supervisor, transitionId: t.id, approve: true, comment: `gate met for ${to}` });
}

/** P1 deliverables: a study record, an opinion from the public, the solicitation report. */
export async function meetP2Gate(handle: WorkflowHandle, cast: Cast) {
  await up(handle, addRecordUpdate, { actor: cast.unit, kind: 'study', title: 'Study session on the mass line' });
  await up(handle, addOpinionUpdate, { actor: cast.citizen, text: doc('Too many meetings, too few visits') });
  await up(handle, addRecordUpdate, { actor: cast.unit, kind: 'solicitation-report', title: 'Opinion solicitation report' });
}

/** A meeting attested from start to end by the assigned group, recorded after it ended. */
export async function holdValidMeeting(env: TestWorkflowEnvironment, handle: WorkflowHandle, cast: Cast) {
  const now = await env.currentTimeMs();
  const start = now - 4 * HOUR;
  const end = now - 1 * HOUR;
  await up(handle, scheduleMeetingUpdate, { actor: cast.unit, scheduledAt: iso(start), location: 'Meeting room 3' });
  await up(handle, meetingAttendanceUpdate, { actor: cast.supervisor, arrivedAt: iso(start - 600_000), leftAt: iso(end + 600_000) });
  return up(handle, meetingHeldUpdate, {
    actor: cast.unit,
    startedAt: iso(start),
    endedAt: iso(end),
    minutes: doc('Criticism and self-criticism'),
  });
}

/** P2 deliverables: a problem, comparison-check materials, a valid meeting. */
export async function meetP3Gate(env: TestWorkflowEnvironment, handle: WorkflowHandle, cast: Cast) {
  const p = await up(handle, addProblemUpdate, { actor: cast.unit, title: 'Meetings too long', source: 'masses', category: 'formalism' });
  await up(handle, addRecordUpdate, {
    actor: cast.unit,
    kind: 'comparison-check',
    title: 'Comparison-check materials of the leadership team',
  });
  await holdValidMeeting(env, handle, cast);
  return p.id;
}

/** Sets and publishes a task book; returns its item ids and the disclosure end. */
export async function publishTaskBook(env: TestWorkflowEnvironment, handle: WorkflowHandle, cast: Cast, deadlines: number[]) {
  const view = await handle.query(unitStateQuery);
  const problemIds = Array.from({ length: view.counts.problems }, (_, i) => `problem-${i + 1}`);
  const book = await up(handle, setTaskBookUpdate, {
    actor: cast.unit,
    signedBy: 'Party secretary Wang',
    items: deadlines.map((d, i) => ({ problemIds, measure: doc(`measure ${i + 1}`), owner: `owner ${i + 1}`, deadline: iso(d) })),
  });
  const { disclosureEndsAt } = await up(handle, publishTaskBookUpdate, { actor: cast.unit });
  return { itemIds: book.items.map((i) => i.id), disclosureEndsAt };
}

/** From P3 with an effective task book: close every item, record a rule, get DONE approved. */
export async function closeItemsAndFinish(client: Client, handle: WorkflowHandle, cast: Cast, itemIds: string[]) {
  for (const id of itemIds) {
    const item = client.workflow.getHandle(itemWorkflowId(id));
    await up(item, submitCompletionUpdate, { actor: cast.unit, evidence: doc('Meeting count down by a third') });
    await up(item, verifyItemUpdate, { actor: cast.supervisor, accept: true, comment: 'Verified on site' });
  }
  await up(handle, addRecordUpdate, { actor: cast.unit, kind: 'rule', title: 'Rules on meetings and documents' });
}

export { answerObjectionUpdate, DAY, doc };
