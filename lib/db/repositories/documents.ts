import type { Db, SqlParams } from "../driver.js";

/**
 * Large JSON documents (a job's snapshot, payloads and summary) read back within the RDS Data API's limits
 * (Aurora User Guide, "Limitations for the Amazon RDS Data API"): at most 64 KB per returned row and 1 MiB per
 * response. A statement names its documents; the database cuts each one's text into parts of
 * {@link PART_CHARACTERS} characters (≤ 4 bytes each in UTF-8, so a part stays under 64 KB), and each call
 * returns parts up to {@link RESPONSE_BUDGET_BYTES}. Documents under ~0.9 MB together come back in one
 * statement; a larger set takes one more statement per ~0.9 MB.
 */
export const PART_CHARACTERS = 16_000;

/** JSON-escaped bytes one statement returns at most (1 MiB less room for each row's framing and metadata). */
export const RESPONSE_BUDGET_BYTES = 900 * 1024;

/** Room each returned row takes besides its part (field framing, the name and numbers). */
const ROW_FRAMING_BYTES = 160;

/**
 * The rows `rowsSql` selects, in `orderBy`'s order, read in as many statements as the Data API's 1 MiB per
 * response needs: each statement returns rows up to `budgetBytes` of JSON (plus `framingBytes` a row for each
 * field's framing on the wire), and always at least one. `params` must not use `:after` or `:budget`.
 */
export async function readInPages<T extends Record<string, unknown>>(
  db: Db,
  query: { rowsSql: string; orderBy: string; params: SqlParams; framingBytes: number; budgetBytes?: number },
): Promise<T[]> {
  const sql = `WITH base AS (${query.rowsSql}),
    numbered AS (SELECT base.*, row_number() OVER (ORDER BY ${query.orderBy})::int AS seq FROM base),
    sized AS (
      SELECT numbered.*, COUNT(*) OVER ()::int AS total,
             SUM(octet_length(to_json(numbered)::text) + ${query.framingBytes}) OVER (ORDER BY seq) AS running
      FROM numbered)
    SELECT * FROM sized
    WHERE seq > :after AND (seq = :after + 1
      OR running - COALESCE((SELECT running FROM sized WHERE seq = :after), 0) <= :budget)
    ORDER BY seq`;
  const rows: T[] = [];
  let after = 0;
  for (;;) {
    const page = await db.query<T & { seq: number; total: number }>(sql, {
      ...query.params,
      after,
      budget: query.budgetBytes ?? RESPONSE_BUDGET_BYTES,
    });
    rows.push(...page.rows);
    const last = page.rows.at(-1);
    if (!last || last.seq >= last.total) return rows;
    after = last.seq;
  }
}

/**
 * The documents `documentsSql` selects (columns `name text, doc text`; a NULL doc is left out), by name,
 * as the texts they were. `params` must not use `:after` or `:budget`.
 */
export async function readDocuments(db: Db, documentsSql: string, params: SqlParams): Promise<Map<string, string>> {
  const rows = await readInPages<{ name: string; part: string }>(db, {
    rowsSql: `SELECT d.name, n, substr(d.doc, n * ${PART_CHARACTERS} + 1, ${PART_CHARACTERS}) AS part
      FROM (${documentsSql}) d, generate_series(0, GREATEST(length(d.doc) - 1, 0) / ${PART_CHARACTERS}) AS n
      WHERE d.doc IS NOT NULL`,
    orderBy: "name, n",
    params,
    framingBytes: ROW_FRAMING_BYTES,
  });
  const texts = new Map<string, string[]>();
  for (const row of rows) texts.set(row.name, [...(texts.get(row.name) ?? []), row.part]);
  return new Map([...texts].map(([name, parts]) => [name, parts.join("")]));
}

/** {@link readDocuments} with each document parsed as JSON (null when absent). */
export async function readJsonDocuments<K extends string>(
  db: Db,
  names: readonly K[],
  documentsSql: string,
  params: SqlParams,
): Promise<Record<K, unknown>> {
  const texts = await readDocuments(db, documentsSql, params);
  return Object.fromEntries(
    names.map((name) => [name, texts.has(name) ? JSON.parse(texts.get(name)!) : null]),
  ) as Record<K, unknown>;
}
