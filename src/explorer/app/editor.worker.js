// Monaco's base worker (diffs, links, word-based suggestions), bundled by scripts/build-explorer.mjs.
import 'monaco-editor/esm/vs/editor/editor.worker.js';
