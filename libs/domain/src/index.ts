export * from './types';
export * from './errors';
export * from './plan-types';
export * from './ids';
export * from './views';
