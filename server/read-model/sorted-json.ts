/** JSON text with object keys sorted at every level, as the original's `get_json` gives it. */
export function sortedJson(value: unknown, indent: number): string {
  return JSON.stringify(
    value,
    (_key, inner: unknown) =>
      typeof inner === 'object' && inner !== null && !Array.isArray(inner)
        ? Object.fromEntries(
            Object.keys(inner)
              .sort()
              .map((key) => [key, (inner as Record<string, unknown>)[key]]),
          )
        : inner,
    indent,
  );
}
