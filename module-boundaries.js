// Who may call whom. Each module of src/modules lists the modules it may import, and it imports
// them only through their index.ts (the module's public interface: its service factory, the
// types and schemas others need, nothing else). The map has no cycles; docs/architecture.md
// draws it. eslint.config.js turns it into no-restricted-imports rules, so a module that reaches
// into another's repository, or a dependency the map does not list, fails `npm run lint`.
export const moduleMap = {
  auth: [],
  jobs: [],
  system: [],
  businesses: ['auth', 'jobs'],
  'ai-usage': ['businesses'],
  messages: ['businesses', 'content'],
  subscribers: ['businesses', 'jobs'],
  campaigns: ['businesses', 'jobs'],
  content: ['businesses', 'campaigns', 'jobs', 'subscribers'],
  tracking: ['businesses'],
  customers: ['businesses', 'jobs', 'subscribers', 'tracking'],
  segments: ['businesses', 'jobs', 'customers'],
  sequences: ['businesses', 'jobs', 'subscribers', 'tracking', 'customers', 'segments'],
  broadcasts: [
    'businesses',
    'jobs',
    'subscribers',
    'tracking',
    'customers',
    'segments',
    'sequences',
  ],
  // The run reads the business (time zone) and runs as a job; questions run segment rules.
  intelligence: ['businesses', 'jobs', 'customers', 'segments'],
  analytics: ['businesses', 'campaigns', 'content', 'jobs'],
  // Documents the agents cite: the access check only (embeddings come through src/ai/contract.ts).
  knowledge: ['businesses'],
  // Outgoing webhooks: the access check only (events come through platform/events.ts).
  webhooks: ['businesses'],
  admin: ['auth', 'businesses'],
  team: ['auth', 'businesses'],
  // The agents act through the other modules' services, with the chat user's access.
  agents: [
    'businesses',
    'jobs',
    'campaigns',
    'content',
    'analytics',
    'sequences',
    'subscribers',
    'customers',
    'segments',
    'intelligence',
    'knowledge',
  ],
  // Approvals through the content workflow, `/herald ask` through the agents.
  slack: ['businesses', 'content', 'agents'],
  // Herald as an MCP server: the agents' tool declarations, run with the caller's access.
  mcp: ['agents', 'businesses'],
};

const escape = (name) => name.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');

/** One eslint config object per module, and the rules for src/ai, src/platform, src/shared and web. */
export function moduleBoundaryConfigs() {
  const perModule = Object.entries(moduleMap).map(([module, allowed]) => {
    const others = allowed.map(escape).join('|');
    const patterns = [
      {
        regex: `^\\.\\./(?!\\.\\.${allowed.map((name) => `|${escape(name)}/`).join('')})[^/]+/`,
        message: `modules/${module} may depend only on ${allowed.length > 0 ? allowed.join(', ') : 'no other module'} (module-boundaries.js; docs/architecture.md).`,
      },
    ];
    patterns.push({
      regex: '^\\.\\./\\.\\./ai/(?!(contract|tasks)\\.ts$)',
      message: 'Modules use the AI layer through src/ai/contract.ts and src/ai/tasks.ts.',
    });
    if (allowed.length > 0) {
      patterns.push({
        regex: `^\\.\\./(${others})/(?!index\\.ts$)`,
        message: 'Import another module through its index.ts, its public interface.',
      });
    }
    return {
      files: [`src/modules/${module}/**/*.{ts,tsx}`],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    };
  });
  const layer = (files, regex, message) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
  });
  return [
    ...perModule,
    layer(['src/ai/**/*.ts'], '(^|/)modules/', 'src/ai imports no module: modules depend on ai.'),
    layer(
      ['src/platform/**/*.ts'],
      '(^|/)(modules|ai)/',
      'src/platform is machinery: it imports no module and not the AI layer.',
    ),
    layer(
      ['src/shared/**/*.ts'],
      '^\\.\\./',
      'src/shared is imported by the server and the dashboard: it imports nothing of either.',
    ),
    layer(
      ['web/src/**/*.{ts,tsx}'],
      '(^|/)src/',
      'The dashboard imports server code only from src/shared, as @shared/….',
    ),
  ];
}
