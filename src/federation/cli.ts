/**
 * `npm run supergraph`: prints the supergraph SDL of this subgraph (alone, or composed with others' SDL files)
 * for a user's own composition pipeline or a router's `--supergraph` file.
 *
 *   npm run supergraph [-- --url http://jobs:4001/graphql] [--with name=url=path/to/other.graphql ...]
 *   npm run supergraph -- --subgraph     # this subgraph's SDL only (what `rover subgraph introspect` prints)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CompositionError, composeSupergraph, SUBGRAPH_NAME, subgraphSdl, type SubgraphDefinition } from './supergraph.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.SUBGRAPH_URL ?? 'http://localhost:4001/graphql' },
    name: { type: 'string', default: SUBGRAPH_NAME },
    with: { type: 'string', multiple: true, default: [] },
    subgraph: { type: 'boolean', default: false },
  },
});

if (values.subgraph) {
  process.stdout.write(subgraphSdl() + '\n');
} else {
  const subgraphs: SubgraphDefinition[] = [{ name: values.name, url: values.url, sdl: subgraphSdl() }];
  for (const entry of values.with) {
    const [name, url, path] = entry.split('=');
    if (!name || !url || !path) {
      process.stderr.write(`--with expects name=url=path, got "${entry}"\n`);
      process.exit(2);
    }
    subgraphs.push({ name, url, sdl: readFileSync(path, 'utf8') });
  }
  try {
    process.stdout.write(composeSupergraph(subgraphs) + '\n');
  } catch (err) {
    if (!(err instanceof CompositionError)) throw err;
    process.stderr.write(err.message + '\n');
    process.exit(1);
  }
}
