// The auditors' toolkit: history export in the engine's standard JSON, timelines, replay, reconciliation
// and the referral dossier. Used by the API's AuditModule and by `massline audit`; what they read of PostgreSQL
// is libs/persistence's AuditStore.
export {
  AuditStore,
  isUuid,
  type EscalationRow,
  type ItemStateRow,
  type MeasureRow,
  type NotificationRow,
  type ReplayJobRow,
  type UnitRow,
  type UnitStateRow,
} from '../../persistence/src';
export * from './history-json';
export * from './events';
export * from './labels';
export * from './timeline';
export * from './history';
export * from './replay';
export * from './reconcile';
export * from './dossier';
export * from './unit-timeline';
export * from './stuck-runs';
export * from './reset';
