// Bounds on what a unit, an item or a programme may hold at once in its workflow: each keeps the workflow's
// state (and every query answer and continue-as-new input) of bounded size, whatever a campaign's volume.
// Entries that only accumulate (records, opinions, problems, progress notes…) have no bound: they are counted
// in the workflow and kept in PostgreSQL.
export const LIMITS = {
  /** Items of one task book (整改任务书). */
  taskBookItems: 500,
  /** Problems one task-book item is linked to. */
  problemsPerItem: 100,
  /** Supervisors attesting one meeting. */
  attendancePerMeeting: 50,
  /** Objections filed against one task book during its disclosure (each must be answered). */
  objectionsPerTaskBook: 10_000,
  /** Extensions requested for one item over its life (each restarts the ladder). */
  extensionsPerItem: 20,
  /** Staged goals of one programme. */
  goalsPerProgramme: 100,
  /** One-line fields kept inline: titles, measures, locations. */
  titleChars: 500,
  ownerChars: 200,
  uriChars: 2_000,
} as const;
