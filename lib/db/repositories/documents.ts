import type { Db, SqlParams } from "../driver.js";

/**
 * Large JSON documents (a job's snapshot, payloads and summary) read back within the RDS Data API's limits
 * (Aurora User Guide, "Limitations for the Amazon RDS Data API"): at most 64 KB per returned row and 1 MiB per
 * response. A statement names its documents; the database cuts each one's UTF-8 bytes into parts of
 * {@link PART_BYTES} (a blob each, joined and decoded here), and each call returns parts up to
 * {@link RESPONSE_BUDGET_BYTES} on the wire. Documents under ~0.65 MB together come back in one statement; a
 * larger set takes one more statement per ~0.65 MB.
 */
export const PART_BYTES = 48_000;

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
  query: {
    rowsSql: string;
    orderBy: string;
    params: SqlParams;
    framingBytes: number;
    budgetBytes?: number;
    /** SQL for a row's bytes on the wire (default: its JSON, `to_json(numbered)`). */
    rowBytesSql?: string;
  },
): Promise<T[]> {
  const sql = `WITH base AS (${query.rowsSql}),
    numbered AS (SELECT base.*, row_number() OVER (ORDER BY ${query.orderBy})::int AS seq FROM base),
    sized AS (
      SELECT numbered.*, COUNT(*) OVER ()::int AS total,
             SUM(${query.rowBytesSql ?? "octet_length(to_json(numbered)::text)"} + ${query.framingBytes})
               OVER (ORDER BY seq) AS running
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
  const rows = await readInPages<{ name: string; part: Uint8Array }>(db, {
    // MATERIALIZED: each document is converted once, not once per part.
    rowsSql: `WITH d AS MATERIALIZED (
        SELECT name, convert_to(doc, 'UTF8') AS bytes FROM (${documentsSql}) AS docs WHERE doc IS NOT NULL)
      SELECT d.name, n, substring(d.bytes FROM n * ${PART_BYTES} + 1 FOR ${PART_BYTES}) AS part
      FROM d, generate_series(0, GREATEST(octet_length(d.bytes) - 1, 0) / ${PART_BYTES}) AS n`,
    orderBy: "name, n",
    params,
    framingBytes: ROW_FRAMING_BYTES,
    // A part travels as a blob, base64 in the response's JSON: 4 bytes for every 3.
    rowBytesSql: "(octet_length(part) + 2) / 3 * 4",
  });
  const parts = new Map<string, Uint8Array[]>();
  for (const row of rows) parts.set(row.name, [...(parts.get(row.name) ?? []), row.part]);
  return new Map([...parts].map(([name, chunks]) => [name, Buffer.concat(chunks).toString("utf8")]));
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
