// The activities whose names both sides need: the workflows call them, the API's readiness watches them.

/** Activities that record what a workflow decided: retried until the database takes them, never given up. */
export const RECORDING_ACTIVITIES = [
  'projectUnit',
  'projectItem',
  'projectProgramme',
  'projectCampaignStatus',
  'recordEscalation',
  'proposeMeasure',
] as const;
export type RecordingActivity = (typeof RECORDING_ACTIVITIES)[number];
