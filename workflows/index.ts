// The worker's workflowsPath: every workflow type of massline, and nothing else.
export { campaignWorkflow } from './campaign';
export { unitLifecycleWorkflow } from './unit';
export { rectificationItemWorkflow } from './item';
export { programmeWorkflow } from './programme';
export { notificationDeliveryWorkflow } from './notification';
export { planRolloutWorkflow } from './plan-rollout';
