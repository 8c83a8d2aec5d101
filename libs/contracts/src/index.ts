// What the workflows and their callers (the API, the CLI, the worker, the audit) agree on: workflow inputs,
// every signal, query and update, the typed search attributes, and the names of the recording activities.
// Both sides import it; it imports only the Temporal SDK's definers and libs/domain's types.
export * from './messages';
export * from './search-attributes';
export * from './activities';
export * from './workflow-types';
export * from './patches';
