// monaco-graphql's language worker (validation and completion of the operation editor), bundled by
// scripts/build-explorer.mjs.
import 'monaco-graphql/esm/graphql.worker.js';
