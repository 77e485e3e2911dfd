// Module hooks of preload.mjs: resolves each swapped module of dist/ to its stub.
/** Resolved URL of a module of dist/ -> URL of the stub that replaces it. */
let swaps = {};

export function initialize(data) {
  swaps = data;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const stub = swaps[resolved.url];
  return stub === undefined ? resolved : { ...resolved, url: stub };
}
