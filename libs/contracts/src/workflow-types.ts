// The workflow type names, as workflows/index.ts exports them: the API and the CLI start them by name, the audit
// selects them for replay, the worker's watch of stuck runs lists them (test/domain/contracts.test.ts checks them
// against the exports).

export const WORKFLOW_TYPES = {
  campaign: 'campaignWorkflow',
  unit: 'unitLifecycleWorkflow',
  item: 'rectificationItemWorkflow',
  programme: 'programmeWorkflow',
  notificationDelivery: 'notificationDeliveryWorkflow',
  planRollout: 'planRolloutWorkflow',
} as const;
export type WorkflowType = (typeof WORKFLOW_TYPES)[keyof typeof WORKFLOW_TYPES];

/** Every type massline runs: replays of a date range and the watch of stuck runs cover only these. */
export const ALL_WORKFLOW_TYPES: readonly WorkflowType[] = Object.values(WORKFLOW_TYPES);
