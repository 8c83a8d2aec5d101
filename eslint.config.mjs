// typescript-eslint's strict type-checked rules, run by `npm run lint` and in `npm test` (after the type and
// format checks). The directories below are checked; the rest of the tree joins them as its findings are fixed.
import tseslint from 'typescript-eslint';

/** Checked now: the workflows, the activities and the contracts between them and their callers, and the config. */
export const LINTED = ['workflows/**/*.ts', 'activities/**/*.ts', 'libs/contracts/**/*.ts', 'libs/config/**/*.ts'];

export default tseslint.config(
  // Plain JavaScript (scripts, the console's build) is not linted yet.
  { ignores: ['**/node_modules/**', 'dist/**', 'data/**', '.tools/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  {
    files: LINTED,
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
);
