// Writing the read model from a workflow. A decision's projection runs in the very workflow task that took the
// decision, as a local activity: the task completes once the row is written, so the decision's answer comes
// after its view is readable, and no activity task and no second workflow task follow it. A local activity is
// not retried for ever: when the database does not take the write within a few quick attempts, the same write
// goes out as an ordinary activity, retried until the database takes it — a projection is never dropped.
import { isCancellation, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { MasslineActivities } from '../activities/types';
import { dbActivities } from './activities';
import { PROJECTIONS_IN_TASK } from '../libs/contracts/src';

type Projections = Pick<MasslineActivities, 'projectUnit' | 'projectItem' | 'projectProgramme'>;

/**
 * Whether this run projects in its deciding task. Asked once, at the start of a run, before the clock rule's
 * patch (a run that has this one follows that rule too): runs recorded before replay as they ran (an activity
 * per projection, and the search attributes upserted again in the first task) until they continue as new; every
 * new run records this patch's marker, and only this one.
 */
export const projectsInTask = (): boolean => patched(PROJECTIONS_IN_TASK);

/**
 * A projection normally takes a few milliseconds: three attempts within about a second, each bounded well
 * below the workflow task's timeout, before the write is handed to an ordinary activity.
 */
const inTask = proxyLocalActivities<Projections>({
  startToCloseTimeout: '2s',
  retry: { initialInterval: '100ms', backoffCoefficient: 3, maximumInterval: '1s', maximumAttempts: 3 },
});

/**
 * Writes one projection: in the task when the run does so, else (or when that fails) as an activity. Returns
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
