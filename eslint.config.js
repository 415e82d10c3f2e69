// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/guide/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object instead of enum.' },
      ],
    },
  },
  {
    // Browser-safe areas: no node:* imports (STYLE.md).
    files: ['machines/**/*.ts', 'src/client/**/*.ts', 'src/protocols/**/*.ts', 'src/core/**/*.ts'],
    ignores: [
      'src/protocols/bingo/node-client.ts', // NODE-ONLY: the Bingo TCP client (node:net)
      'src/protocols/sidereal/node-client.ts', // NODE-ONLY: the Sidereal UDP client (node:dgram)
      'src/protocols/seigneur/node-cipher.ts', // NODE-ONLY: AES-256-GCM via node:crypto for servers
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'Keep this area browser-safe.' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
