import type { CodegenConfig } from '@graphql-codegen/cli';

// Operations are typed from the client-facing API schema the gateway serves, the same file
// partners generate from; `npm test` re-runs this with --check so a schema change that breaks
// or changes an operation fails there.
const config: CodegenConfig = {
  schema: '../../schema/api.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
      },
    },
  },
};

export default config;
