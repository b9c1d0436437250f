/** A typed SQL parameter: the Data API sends it with a type hint, PGlite as text the SQL casts. */
export type TypedParam =
  | { type: "uuid"; value: string }
  | { type: "decimal"; value: number | string }
  | { type: "json"; value: unknown }
  | { type: "timestamp"; value: Date | string }
  | { type: "date"; value: string };

export type SqlParam = null | string | number | boolean | TypedParam;
export type SqlParams = Record<string, SqlParam | undefined>;
export type Row = Record<string, unknown>;

/** Builders for typed parameters. Write the matching cast in SQL too (`:id::uuid`) so both drivers agree. */
export const P = {
  uuid: (value: string): TypedParam => ({ type: "uuid", value }),
  decimal: (value: number | string): TypedParam => ({ type: "decimal", value }),
  json: (value: unknown): TypedParam => ({ type: "json", value }),
  timestamp: (value: Date | string): TypedParam => ({ type: "timestamp", value }),
  date: (value: string): TypedParam => ({ type: "date", value }),
};

export interface QueryResult<T extends Row = Row> {
  rows: T[];
  /** Rows returned, or rows changed by INSERT/UPDATE/DELETE without RETURNING. */
  rowCount: number;
}

/**
 * The one interface repositories use. Values come back the same from every driver:
 * numbers for integer and NUMERIC columns, parsed objects for JSON/JSONB, ISO-8601 UTC strings
 * for timestamps, `YYYY-MM-DD` for dates, and TEXT exactly as stored.
 */
export interface Db {
  query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<QueryResult<T>>;
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A failed SQL statement, with PostgreSQL's SQLSTATE when the driver reports one. */
export class DbError extends Error {
  override name = "DbError";
  constructor(
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Formats a timestamp the way both PostgreSQL and the Data API's TIMESTAMP hint accept. */
function sqlTimestamp(value: Date | string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new DbError(`Invalid timestamp parameter: ${String(value)}`);
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/** Text of a typed parameter as sent to the database. */
export function typedParamText(param: TypedParam): string {
  switch (param.type) {
    case "json":
      return JSON.stringify(param.value);
    case "timestamp":
      return sqlTimestamp(param.value);
    case "decimal":
      return String(param.value);
    default:
      return param.value;
  }
}

export function isTypedParam(value: unknown): value is TypedParam {
  return typeof value === "object" && value !== null && "type" in value && "value" in value;
}

/** Converts a PostgreSQL timestamp text (`YYYY-MM-DD HH:MM:SS[.ffffff][+00]`, UTC) to ISO-8601 UTC. */
export function timestampToIso(text: string): string {
  const normalised = text.replace(" ", "T").replace(/([+-]\d\d)(:?\d\d)?$/, (_m, h: string, m?: string) => {
    return `${h}:${(m ?? "00").replace(":", "")}`;
  });
  const withZone = /[zZ]|[+-]\d\d:\d\d$/.test(normalised) ? normalised : `${normalised}Z`;
  return new Date(withZone).toISOString();
}

/** Looks up the parameters a statement names; a missing one is a programming error, not NULL. */
export function paramsInOrder(names: string[], params: SqlParams): SqlParam[] {
  return names.map((name) => {
    const value = params[name];
    if (value === undefined) throw new DbError(`Missing SQL parameter :${name}`);
    return value;
  });
}
