export * from './worker';
export * from './logger';
