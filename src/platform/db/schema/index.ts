// The whole database schema, one file per domain; drizzle-kit generates migrations from here.
export * from './system.ts';
