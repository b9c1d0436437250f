import type { Db, SqlParams } from "../driver.js";

/**
 * Large JSON documents (a job's snapshot, payloads and summary) read back within the RDS Data API's limits
 * (Aurora User Guide, "Limitations for the Amazon RDS Data API"): at most 64 KB per returned row and 1 MiB per
 * response. A statement names its documents; the database cuts each one's UTF-8 bytes into parts of about
 * {@link PART_BYTES}, each cut moved back to the start of a character so every part is text (a JSON string on the
 * wire, ~10% longer than the part for a JSON document's escaped quotes, where a blob's base64 would be a third
 * longer), and each call returns parts up to {@link RESPONSE_BUDGET_BYTES} on the wire. Documents under ~0.8 MB
 * together come back in one statement; a larger set takes one more statement per ~0.8 MB.
 */
export const PART_BYTES = 48_000;

/** JSON-escaped bytes one statement returns at most (1 MiB less room for each row's framing and metadata). */
export const RESPONSE_BUDGET_BYTES = 900 * 1024;

/** Room each returned row takes besides its part (field framing, the name and numbers). */
const ROW_FRAMING_BYTES = 160;

/**
 * The rows `rowsSql` selects, in `orderBy`'s order, read in as many statements as the Data API's 1 MiB per
 * response needs: each statement returns rows up to `budgetBytes` of JSON (plus `framingBytes` a row for each
 * field's framing on the wire), and always at least one. Each row comes back with the `columns` asked for (default:
 * all of `rowsSql`'s) and the number of rows in all, nothing else. `params` must not use `:after` or `:budget`.
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
    /** The columns of `rowsSql` to return (default: all). */
    columns?: readonly string[];
  },
): Promise<T[]> {
  const columns = query.columns?.map((column) => `numbered.${column}`).join(", ") ?? "numbered.*";
  // A page is the rows after the last one read while their running size stays within the budget: consecutive
  // rows, so the next page starts after as many rows as came back.
  const sql = `WITH base AS (${query.rowsSql}),
    numbered AS (SELECT base.*, row_number() OVER (ORDER BY ${query.orderBy})::int AS seq FROM base),
    sized AS (
      SELECT seq, COUNT(*) OVER ()::int AS total,
             SUM(${query.rowBytesSql ?? "octet_length(to_json(numbered)::text)"} + ${query.framingBytes})
               OVER (ORDER BY seq) AS running
      FROM numbered)
    SELECT ${columns}, sized.total FROM numbered JOIN sized USING (seq)
    WHERE seq > :after AND (seq = :after + 1
      OR running - COALESCE((SELECT running FROM sized WHERE seq = :after), 0) <= :budget)
    ORDER BY seq`;
  const rows: T[] = [];
  for (;;) {
    const page = await db.query<T & { total: number }>(sql, {
      ...query.params,
      after: rows.length,
      budget: query.budgetBytes ?? RESPONSE_BUDGET_BYTES,
    });
    for (const { total: _total, ...row } of page.rows) rows.push(row as unknown as T);
    if (page.rows.length === 0 || rows.length >= page.rows[0].total) return rows;
  }
}

/**
 * SQL for where part `part` of a document's bytes (`d.bytes`, `d.size` long) starts: `part` × {@link PART_BYTES},
 * moved back past a character's later bytes (10xxxxxx: 192 masks the top two bits, 128 is 10) to its first byte.
 */
function partStart(part: string): string {
  const at = `(${part}) * ${PART_BYTES}`;
  const first = (back: number) => `get_byte(d.bytes, ${at} - ${back}) & 192 <> 128`;
  return `CASE WHEN ${at} >= d.size THEN d.size
    ELSE ${at} - CASE WHEN ${first(0)} THEN 0 WHEN ${first(1)} THEN 1 WHEN ${first(2)} THEN 2 ELSE 3 END END`;
}

/**
 * The documents `documentsSql` selects (columns `name text, doc text`; a NULL doc is left out), by name,
 * as the texts they were. `params` must not use `:after` or `:budget`.
 */
export async function readDocuments(db: Db, documentsSql: string, params: SqlParams): Promise<Map<string, string>> {
  const rows = await readInPages<{ name: string; part: string }>(db, {
    // MATERIALIZED: each document is converted once, not once per part; a bytea's substring and get_byte take
    // constant time (a text's substring counts characters from the start).
    rowsSql: `WITH d AS MATERIALIZED (
        SELECT name, bytes, octet_length(bytes) AS size
        FROM (SELECT name, convert_to(doc, 'UTF8') AS bytes FROM (${documentsSql}) AS docs WHERE doc IS NOT NULL) AS b)
      SELECT d.name, n, convert_from(substring(d.bytes FROM cut.start + 1 FOR cut.stop - cut.start), 'UTF8') AS part
      FROM d, generate_series(0, GREATEST(d.size - 1, 0) / ${PART_BYTES}) AS n,
        LATERAL (SELECT ${partStart("n")} AS start, ${partStart("n + 1")} AS stop) AS cut`,
    orderBy: "name, n",
    columns: ["name", "part"],
    params,
    framingBytes: ROW_FRAMING_BYTES,
    // A part travels as a JSON string: its UTF-8 bytes with quotes, backslashes and control characters escaped.
    rowBytesSql: "octet_length(to_json(part)::text)",
  });
  const parts = new Map<string, string[]>();
  for (const row of rows) parts.set(row.name, [...(parts.get(row.name) ?? []), row.part]);
  return new Map([...parts].map(([name, texts]) => [name, texts.join("")]));
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
