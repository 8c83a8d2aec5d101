// Writing the read model from a workflow: every projection is an ordinary activity, retried until the database
// takes it — a projection is never dropped — and its completion is an event in the history, applied on replay
// where the run applied it. Runs recorded with `projections-in-the-deciding-task` wrote a decision's projection
// in the very task that took it, as a local activity (an ordinary activity when that failed): they replay that
// way until they continue as new. A local activity's result is no event; applied on replay at another point than
// the run applied it (after a task heartbeat), it reorders the commands that follow it (libs/contracts/src/patches.ts).
import { isCancellation, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { MasslineActivities } from '../activities/types';
import { dbActivities } from './activities';
import { PROJECTIONS_AS_ACTIVITIES, PROJECTIONS_IN_TASK } from '../libs/contracts/src';

type Projections = Pick<MasslineActivities, 'projectUnit' | 'projectItem' | 'projectProgramme'>;

/** How a run projects, and whether it follows the rules that came with projecting in the deciding task. */
export interface ProjectionRules {
  /** Projects in its deciding tasks (local activities): runs recorded with `projections-in-the-deciding-task`. */
  readonly inTask: boolean;
  /** Follows the clock rule, walks every deadline and writes search attributes only when they change. */
  readonly current: boolean;
}

/**
 * Asked once, at the start of a run, before the clock rule's patch: a new run records `projections-as-activities`
 * and only that marker; runs recorded with `projections-in-the-deciding-task` (or before it) replay as they ran.
 */
export function projectionRules(): ProjectionRules {
  if (patched(PROJECTIONS_AS_ACTIVITIES)) return { inTask: false, current: true };
  const inTask = patched(PROJECTIONS_IN_TASK);
  return { inTask, current: inTask };
}

/** Runs recorded in the deciding task: three quick attempts, then the write went to an ordinary activity. */
const inTask = proxyLocalActivities<Projections>({
  startToCloseTimeout: '2s',
  retry: { initialInterval: '100ms', backoffCoefficient: 3, maximumInterval: '1s', maximumAttempts: 3 },
});

/**
 * Writes one projection: as an activity, or in the task for runs recorded so (an activity when that failed). Returns
 * the activity's own promise, with no await of its own in between: when a run's code resumes decides where its
 * next commands fall against an Update's completion in the task, and runs recorded before must replay as they ran.
 */
export function project<K extends keyof Projections>(runInTask: boolean, name: K, input: Parameters<Projections[K]>[0]): Promise<void> {
  const asActivity = () => (dbActivities[name] as (i: typeof input) => Promise<void>)(input);
  if (!runInTask) return asActivity();
  return (inTask[name] as (i: typeof input) => Promise<void>)(input).catch((error: unknown) => {
    if (isCancellation(error)) throw error;
    // The database did not take it now: the ordinary activity retries until it does.
    return asActivity();
  });
}
