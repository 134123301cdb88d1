import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'data/', 'test-output/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'scripts/**', 'bench/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Calls to other servers go through the outbound guard (src/security/outbound.ts), which checks where they go.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/security/outbound.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use OutboundClient (src/security/outbound.ts): it refuses private and metadata addresses.' }],
      'no-restricted-imports': [
        'error',
        ...['node:http', 'node:https', 'http', 'https', 'undici'].map((name) => ({ name, message: 'Use OutboundClient (src/security/outbound.ts) for calls to other servers.' })),
      ],
    },
  },
);
