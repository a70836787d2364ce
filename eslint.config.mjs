// typescript-eslint's recommended rules, run by `npm test` (npm run lint). Each remaining eslint-disable in the code
// says why on its line.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'src/generated/**', 'native/**', 'src/chat/page/vendor/**', 'data/**', 'models/**', 'runs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // TypeScript itself reports undefined names, and knows the globals of every environment (typescript-eslint's advice).
      'no-undef': 'off',
      // A leading underscore marks a value left unused on purpose: a field dropped from a rest-destructuring, a
      // callback parameter the signature requires.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // The build helpers npm runs before TypeScript is compiled: plain CommonJS.
    files: ['scripts/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // HTTP test helpers return supertest's parsed JSON bodies, which supertest itself types as any.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
