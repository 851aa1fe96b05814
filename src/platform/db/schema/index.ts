// The whole database schema, one file per domain; drizzle-kit generates migrations from here.
export * from './accounts.ts';
export * from './agents.ts';
export * from './ai.ts';
export * from './broadcasts.ts';
export * from './businesses.ts';
export * from './campaigns.ts';
export * from './customers.ts';
export * from './integrations.ts';
export * from './intelligence.ts';
export * from './segments.ts';
export * from './sequences.ts';
export * from './system.ts';
