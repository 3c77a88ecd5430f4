// Monaco's JSON language worker (variables, headers and response editors), bundled by scripts/build-explorer.mjs.
import 'monaco-editor/esm/vs/language/json/json.worker.js';
