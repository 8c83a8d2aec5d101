// The auditors' toolkit: history export in the engine's standard JSON, timelines, replay, reconciliation
// and the referral dossier. Used by the API's AuditModule and by `massline audit`.
export * from './history-json';
export * from './events';
export * from './labels';
export * from './timeline';
export * from './history';
export * from './replay';
export * from './reconcile';
export * from './dossier';
export * from './store';
export * from './unit-timeline';
export * from './stuck-runs';
export * from './reset';
