/**
 * Sizes of V8 heap objects on 64-bit Node (no pointer compression), in bytes; from V8's object
 * layouts: every object starts with a map pointer, a string adds its hash and length, an array
 * its elements store (a FixedArray with its own header).
 */
const POINTER = 8;
const STRING_HEADER = 16;
const HEAP_NUMBER = 16;
const ARRAY_HEADER = 4 * POINTER + 2 * POINTER;
const OBJECT_HEADER = 3 * POINTER;
/** Per own property: its value slot, and its share of the hidden class or dictionary. */
const PROPERTY = 2 * POINTER;
/** JSON.parse gives even an empty object room for a few properties. */
const MIN_PROPERTIES = 2;
/** Latin-1 strings take a byte a character in V8; anything else two. */
const TWO_BYTE = /[\u0100-\uffff]/;

const align = (bytes: number) => Math.ceil(bytes / POINTER) * POINTER;

/** The heap bytes of a string's contents and header. */
function stringBytes(value: string): number {
  return align(STRING_HEADER + value.length * (TWO_BYTE.test(value) ? 2 : 1));
}

/**
 * An estimate of the heap a parsed JSON value holds (the claims of a token, say), from its shape
 * rather than its JSON length: 250 short strings in an array take about three times their JSON.
 * Strings equal to one already counted are counted once, as a principal's `scopes` share the
 * strings of its `permissions`. Walks with its own stack, so a deeply nested value cannot overflow.
 */
export function estimateHeapBytes(value: unknown): number {
  const seenStrings = new Set<string>();
  const pending: unknown[] = [value];
  let bytes = 0;
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (!seenStrings.has(next)) {
        seenStrings.add(next);
        bytes += stringBytes(next);
      }
    } else if (Array.isArray(next)) {
      // Numbers in an array sit unboxed in its elements store, so only its slots are counted.
      bytes += ARRAY_HEADER + next.length * POINTER;
      for (const item of next) if (typeof item !== 'number') pending.push(item);
    } else if (typeof next === 'object' && next !== null) {
      const entries = Object.entries(next);
      bytes += OBJECT_HEADER + Math.max(entries.length, MIN_PROPERTIES) * PROPERTY;
      for (const [key, item] of entries) {
        pending.push(key);
        // Small integers live in the property's slot; other numbers are boxed.
        if (typeof item !== 'number') pending.push(item);
        else if (!Number.isInteger(item) || Math.abs(item) >= 2 ** 30) bytes += HEAP_NUMBER;
      }
    }
  }
  return bytes;
}
