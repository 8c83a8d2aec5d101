export * from './random';
export * from './profile';
export * from './agenda';
export * from './units';
export * from './report';
export * from './input';
export * from './html';
