export * from './entities';
export * from './data-source';
export { InitialSchema1764100000000 } from './migrations/1764100000000-InitialSchema';
