import { createHash } from "node:crypto";

/**
 * A physical AWS name built from parts: lowercase letters, digits and single hyphens, at most `max`
 * characters (a hash suffix keeps long names unique). Fits SageMaker endpoints, S3 vector buckets,
 * state machines and log groups.
 */
export function physicalName(parts: string[], max = 63): string {
  const name = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (name.length <= max) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, max - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}
