// Deterministic workflow ids: the same unit / item / campaign always maps to the same workflow,
// so starting twice is refused by the engine instead of running twice.

export const campaignWorkflowId = (campaignId: string) => `massline-campaign-${campaignId}`;
export const unitWorkflowId = (unitId: string) => `massline-unit-${unitId}`;
export const itemWorkflowId = (itemId: string) => `massline-item-${itemId}`;
export const programmeWorkflowId = (programmeId: string) => `massline-programme-${programmeId}`;

/** Item ids embed their unit id so that any item call can be routed without a lookup. */
export const itemId = (unitId: string, seq: number) => `${unitId}.item-${seq}`;
export const unitIdOfItem = (id: string): string | undefined => {
  const at = id.lastIndexOf('.item-');
  return at > 0 ? id.slice(0, at) : undefined;
};

export const TASK_QUEUE = 'massline';
