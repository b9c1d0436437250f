/** `accounts[0].positions[1].quantity` from a zod issue's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}

/** Every issue as `path: message`, joined by "; " (`fallback` names an issue without a path). */
export function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  fallback = "(input)",
): string {
  return issues.map((i) => `${formatPath(i.path) || fallback}: ${i.message}`).join("; ");
}
