import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  // The error model (lib/util/errors.ts), kept in what ships: errors say what failed by their class,
  // carry what they caught, and messages come from errorMessage().
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Error']", message: 'Throw a LifeguardError subclass that names what failed (lib/util/errors.ts), not a bare Error.' },
        { selector: "CatchClause ThrowStatement > NewExpression:not(:has(Property[key.name='cause']))", message: 'An error thrown inside a catch carries what was caught: pass { cause }.' },
        { selector: "MemberExpression[property.name='message'] > TSAsExpression[typeAnnotation.typeName.name='Error']", message: 'Use errorMessage(err) (lib/util/errors.ts): what was thrown may not be an Error.' },
      ],
    },
  },
  // Functions read in one screen: a step that needs more gets a name of its own. Everywhere but the tests.
  { rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] } },
  { files: ['test/**/*.ts'], rules: { 'max-lines-per-function': 'off' } },
  // Plain JavaScript entry points (bin/) run on Node: its globals are defined there.
  { files: ['**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
