// typescript-eslint's strict type-checked rules, run by `npm run lint` and in `npm test` (after the type and
// format checks), over the whole TypeScript tree with zero findings.
import tseslint from 'typescript-eslint';

/** Checked: every TypeScript source of the project (the tests below, with their few exceptions). */
export const LINTED = ['workflows/**/*.ts', 'activities/**/*.ts', 'libs/**/*.ts', 'apps/**/*.{ts,tsx}'];

/** What a workflow or a domain rule never reads: time comes from the workflow's clock, settings from its input. */
const WALL_CLOCK_AND_ENVIRONMENT = [
  { name: 'process', message: 'no environment in workflows or the domain: settings come in the input' },
  { name: 'setTimeout', message: "Node's timers are not the workflow's: use sleep() or a condition's timeout" },
  { name: 'setInterval', message: "Node's timers are not the workflow's: use sleep()" },
  { name: 'setImmediate', message: "Node's timers are not the workflow's" },
];

/** The tests: the same rules, with the few exceptions in the last block below. */
export const TESTS = ['test/**/*.ts'];

export default tseslint.config(
  // Plain JavaScript (scripts, the console's build) is not linted yet.
  { ignores: ['**/node_modules/**', 'dist/**', 'data/**', '.tools/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  // The console's typed client is build output (openapi-typescript), generated from the API's OpenAPI document.
  { ignores: ['apps/console/src/api/generated/**'] },
  {
    files: [...LINTED, ...TESTS],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers and booleans read well in messages; anything else is named explicitly.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `as never` silences the compiler where two types should agree: make them agree instead.
      'no-restricted-syntax': ['error', { selector: 'TSAsExpression > TSNeverKeyword', message: 'no `as never`: make the types agree' }],
    },
  },
  {
    files: LINTED,
    // Migrations are the schema's SQL as it was applied: text, not logic to split.
    ignores: ['libs/persistence/src/migrations/**'],
    rules: {
      // A function says one thing: a longer one is split by what it does (a page into its parts, a workflow by concern).
      'max-lines-per-function': ['error', { max: 50, skipBlankLines: true, skipComments: true }],
    },
  },
  // Dependencies point down: apps → activities/workflows → libs. Each area names what it may import.
  {
    files: ['workflows/**/*.ts'],
    rules: {
      // Workflows are deterministic and bundled into Temporal's sandbox: the workflow SDK, pure domain rules, the
      // contracts they share with their callers, and the activities' interface as a type.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(?!(@temporalio/(workflow|common)|\./[\w-]+|\.\./libs/(domain|contracts)/src|\.\./activities/types)$)`,
              message: 'workflows/ imports only @temporalio/workflow, @temporalio/common, its own files, libs/domain and libs/contracts',
            },
            {
              regex: String.raw`^\.\./activities/types$`,
              allowTypeImports: true,
              message: 'workflows/ sees activities only through their types',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...WALL_CLOCK_AND_ENVIRONMENT],
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      // The domain's rules are pure: they import nothing outside themselves, read no environment and start no timer.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: String.raw`^(?!\./[\w-]+$)`, message: 'libs/domain imports nothing outside itself' }] },
      ],
      'no-restricted-globals': ['error', ...WALL_CLOCK_AND_ENVIRONMENT],
    },
  },
  {
    files: ['libs/contracts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(?!(@temporalio/(workflow|common)|\./[\w-]+|\.\./\.\./domain/src)$)`,
              message: 'libs/contracts imports only the Temporal SDK, its own files and libs/domain',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/**/*.ts'],
    ignores: ['libs/domain/**', 'libs/contracts/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/*', '**/activities', '**/activities/*', '**/apps/*'],
              message: 'a lib does not import what is built on it (workflows, activities, apps)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/*', '**/apps/*'],
              message: 'activities import libs only (workflows and apps are built beside or on them)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/api/**/*.ts'],
    rules: {
      // An answer drops a field by destructuring it away (`const { hiddenBy: _hidden, ...rest } = details`).
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // Nest's modules are classes that exist for their decorator (`@Module`), some with a static `register`.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      // Nest describes JSON as classes that are never constructed (DTOs, its own options): plain objects are their values.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  {
    files: TESTS,
    rules: {
      // A test reads back what it has just created or asserted; a wrong `!` fails the test at that line.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // HTTP bodies and raw SQL rows are untyped (`Json`, TypeORM's `query()`) and the test's expect() asserts
      // their shape; typing each of the hundreds of bodies and rows would restate the API's DTOs and the schema.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
);
