/**
 * "Only when something a client can see changed": a subscriber's view of a job is the part of the model its
 * selection set names, so a change outside the selection sends nothing.
 */
import { Kind, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/** Every field name under the subscription field, through fragments (type conditions are ignored: a
 *  superset is safe, it can only let an event through). `null` means "everything" (no way to tell). */
export function selectedFieldNames(
  fieldNodes: readonly FieldNode[],
  fragments: Record<string, FragmentDefinitionNode>,
): Set<string> {
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  const walk = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        names.add(selection.name.value);
        walk(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        walk(fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of fieldNodes) walk(node.selectionSet);
  return names;
}

/** A digest of the model restricted to the selected names (recursively); `id` is derived, always the same. */
export function visibleDigest(model: unknown, names: ReadonlySet<string>): string {
  return JSON.stringify(model, function (this: unknown, key: string, value: unknown) {
    if (key === '' || Array.isArray(this)) return value;
    return names.has(key) ? value : undefined;
  });
}

/**
 * A view function for a selection. Subscribers with the same selection share digests: one job state is
 * digested once per distinct selection, not once per subscriber.
 */
const digests = new WeakMap<object, Map<string, string>>();
export function viewOf(names: ReadonlySet<string>): (model: object) => string {
  const selectionKey = [...names].sort().join(',');
  return (model) => {
    let bySelection = digests.get(model);
    if (!bySelection) digests.set(model, (bySelection = new Map()));
    let digest = bySelection.get(selectionKey);
    if (digest === undefined) bySelection.set(selectionKey, (digest = visibleDigest(model, names)));
    return digest;
  };
}
