// The `patched()` ids of the workflows, one home for each: the workflows ask them, the audit tools read the markers
// they leave in a history (libs/audit), and the replay corpus is kept in generations by them
// (test/fixtures/histories). A new id comes with a new generation of the corpus.

/** Every wait is a timer; the clock shapes what a run records, never which commands it emits (workflows/clock.ts). */
export const CLOCK_INDEPENDENT_COMMANDS = 'clock-independent-commands';

/** An item's ladder walks every deadline that stood, not only the current one (workflows/ladder.ts). */
export const WALKS_EVERY_DEADLINE = 'item-ladder-walks-every-deadline';

/** A window's rung that fires after its unit left the phase cards nothing (workflows/unit.ts). */
export const WINDOW_RUNG_OF_A_LEFT_PHASE_CARDS_NOTHING = 'window-rung-of-a-left-phase-cards-nothing';

/** Marks the histories in which a plan version was taken (the ladders' restart is new behaviour). */
export const PLAN_VERSIONS = 'plan-versions';

/**
 * A decision's projection runs in the workflow task that took it, as a local activity; search attributes a run
 * already holds are not written again (workflows/projection.ts). Units, items and programmes ask it first, and a
 * run that has it follows the clock rule (and an item's ladder walks every deadline) without asking for those
 * too: each patch a run asks for costs it a marker and an upsert of TemporalChangeVersion, so a new run records one.
 */
export const PROJECTIONS_IN_TASK = 'projections-in-the-deciding-task';

/**
 * Every projection is an ordinary activity again, its result in the history (workflows/projection.ts). A local
 * activity's result is not an event: when its task was heartbeated while it ran, the worker may apply the result
 * among the next task's events, and a replay applies it before them — the commands that follow it then come in
 * another order, and the history no longer replays. Units, items and programmes ask it first; a run that has it
 * follows every rule `projections-in-the-deciding-task` brought (the clock rule, every deadline walked, search
 * attributes written only when they change) and records this marker alone.
 */
export const PROJECTIONS_AS_ACTIVITIES = 'projections-as-activities';
