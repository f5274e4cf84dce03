// Lint: TypeScript rules plus the import directions of the layered design (STYLE.md).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] })

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test/fixtures/**', 'bench/.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        __filename: 'readonly',
        require: 'readonly',
        module: 'writable',
        window: 'readonly',
        document: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': [
        'error',
        { 'ts-ignore': true, 'ts-expect-error': 'allow-with-description' },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // `!` hides the holes noUncheckedIndexedAccess finds: check, default, or throw instead.
    // Tests may keep `!` on fixtures they built themselves.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'error' },
  },
  {
    files: ['src/api/**/*.ts'],
    rules: restrict([
      {
        group: ['node:*', 'fs', 'path', 'os', 'crypto'],
        message: 'src/api is the contract: no Node modules.',
      },
      {
        group: [
          '**/core/**',
          '**/main/**',
          '**/server/**',
          '**/cli/**',
          '**/renderer/**',
          'electron',
          'react',
          'react-dom',
        ],
        message: 'src/api imports nothing but zod.',
      },
    ]),
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict([
      {
        group: ['electron', 'react', 'react-dom', 'zustand', 'chart.js', 'react-chartjs-2'],
        message: 'core runs on plain Node.',
      },
      {
        group: ['**/main/**', '**/server/**', '**/cli/**', '**/renderer/**', '**/preload/**'],
        message: 'core never imports a face.',
      },
    ]),
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          // A deferred transaction that reads before it writes fails at once with SQLITE_BUSY
          // when another process commits in between; taking the write lock first waits instead.
          selector:
            "CallExpression[callee.type='CallExpression'][callee.callee.property.name='transaction']",
          message:
            'Run write transactions with .immediate(): several processes share one registry.',
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: restrict([
      {
        group: ['**/core/**', '**/main/**', '**/server/**', '**/cli/**'],
        message: 'the renderer knows only the contract (src/api).',
      },
      {
        group: [
          'node:*',
          'fs',
          'path',
          'better-sqlite3',
          'onnxruntime-node',
          '@duckdb/*',
          'electron',
        ],
        message: 'the renderer runs in a sandboxed page.',
      },
    ]),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict([
      {
        group: ['**/core/**', '**/server/**', '**/cli/**', '**/renderer/**'],
        message: 'preload imports the contract only.',
      },
    ]),
  },
  {
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: restrict([
      { group: ['electron'], message: 'web mode and the CLI run without Electron.' },
      { group: ['**/renderer/**', '**/main/**'], message: 'faces do not import each other.' },
    ]),
  },
)
