/**
 * Federation helpers: this subgraph's SDL as a router sees it, and composition into a supergraph with
 * @apollo/composition (the same composer Rover and GraphOS use).
 */
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { buildSchema } from '../graphql/schema.js';

export const SUBGRAPH_NAME = 'cloud-jobs';

export interface SubgraphDefinition {
  name: string;
  /** Where the router reaches the subgraph, e.g. http://localhost:4001/graphql */
  url: string;
  /** The subgraph SDL (with its federation @link). */
  sdl: string;
}

/** This subgraph's SDL, as `_service { sdl }` reports it. */
export function subgraphSdl(): string {
  return printSubgraphSchema(buildSchema());
}

export class CompositionError extends Error {
  override readonly name = 'CompositionError';
  constructor(readonly errors: readonly Error[]) {
    super(`Composition failed:\n${errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
}

/** Composes subgraphs into a supergraph SDL; throws CompositionError listing every problem. */
export function composeSupergraph(subgraphs: readonly SubgraphDefinition[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors && result.errors.length > 0) throw new CompositionError(result.errors);
  return result.supergraphSdl!;
}
