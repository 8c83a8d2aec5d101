// Bounds on what a unit, an item or a programme may hold at once in its workflow: each keeps the workflow's
// state (and every query answer and continue-as-new input) of bounded size, whatever a campaign's volume.
// Entries that only accumulate (records, opinions, problems, progress notes…) have no bound: they are counted
// in the workflow and kept in PostgreSQL.
/**
 * Longest value, in characters, of each kind of field a person types: the API's validation, the stored-text
 * limits below and the console's inputs all read these.
 */
export const FIELD_LIMITS = {
  /** Names of people, units, groups, campaigns; a contact; a signatory. */
  name: 200,
  code: 64,
  /** Titles, task-book measures, locations: one line. */
  title: 500,
  /** A body of text: a record, an opinion, a description, an objection, its answer, a note, evidence. */
  text: 5_000,
  /** A meeting's minutes. */
  minutes: 100_000,
  uri: 2_000,
  /** A comment or a reason given with a decision. */
  comment: 2_000,
} as const;

export const LIMITS = {
  /** Items of one task book (整改任务书). */
  taskBookItems: 200,
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
  titleChars: FIELD_LIMITS.title,
  ownerChars: FIELD_LIMITS.name,
  uriChars: FIELD_LIMITS.uri,
} as const;
