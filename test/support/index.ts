// The test harness: shared services, per-test databases, the time-skipping environment.
export * from './services';
