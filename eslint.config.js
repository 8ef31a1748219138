import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // examples/nextjs has its own dependencies and tsconfig; `next build` checks it.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'examples/**/public/vendor/**', 'examples/nextjs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
