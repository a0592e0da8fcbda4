import tseslint from 'typescript-eslint';
import { seamRules, sizeRules } from './eslint.seam.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.v7/**', 'coverage/**', '.migrations-tmp/**', 'test/packaging/fixtures/**', 'test/cli/fixtures/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'eslint.seam.js', '.ci/*.mjs', 'bench/*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A floating promise inside a hook is a lost audit row.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/mikro-orm/**'], rules: seamRules },
  { files: ['src/**/*.ts'], rules: sizeRules },
  {
    files: ['test/**', 'examples/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['eslint.config.js', 'eslint.seam.js', '.ci/*.mjs', 'bench/*.mjs', 'scripts/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
