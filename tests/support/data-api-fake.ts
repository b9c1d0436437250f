/**
 * A stand-in for the Aurora PostgreSQL RDS Data API, for tests: an `aws-sdk-client-mock` stub on one
 * `RDSDataClient` whose Execute/Begin/Commit/Rollback/BatchExecute calls run on a real PostgreSQL
 * (PGlite, started from the run's migrated template) and answer the way the Data API does:
 *
 * - `:name` parameters bound by value kind, as the Data API's JDBC layer binds them: `stringValue` as
 *   `varchar` (so a UUID/JSONB column without a cast or hint fails like it does in Aurora), `longValue`
 *   as `int8`, `doubleValue` as `float8`, `booleanValue` as `bool`, `isNull` untyped, and a `typeHint`
 *   as its type (UUID → uuid, DECIMAL → numeric, JSON → json, TIMESTAMP → timestamp, DATE → date,
 *   TIME → time). A TIMESTAMP hint in ISO form (`…T…Z`) is rejected, as Aurora rejects it.
 * - `records` of `Field`s: integers as `longValue`, floats as `doubleValue`, booleans as `booleanValue`,
 *   NULL as `isNull`, everything else (numeric, json/jsonb, uuid, date, timestamps, text…) as
 *   `stringValue` in PostgreSQL's text form; timestamptz in UTC as `YYYY-MM-DD HH:MM:SS[.ffffff]`
 *   (no `T`, no offset). `columnMetadata` (with `includeResultMetadata`) carries `typeName` as Aurora
 *   PostgreSQL reports it (`int4`, `int8`, `numeric`, `jsonb`, `timestamptz`, `varchar`, …).
 *   `formatRecordsAs: "JSON"` gives `formattedRecords` instead.
 * - `records` only for statements that return rows (absent for DML without RETURNING);
 *   `numberOfRecordsUpdated` for INSERT/UPDATE/DELETE/MERGE, 0 otherwise.
 * - Begin/Commit/Rollback with transaction ids. PGlite is one connection, so an open transaction holds
 *   PGlite's transaction lock (a manual `BEGIN` would let other callers' statements land inside it):
 *   statements of other callers, and other transactions, wait until it ends.
 * - SQL errors as `DatabaseErrorException` with `…; SQLState: XXXXX` in the message; malformed requests
 *   as `BadRequestException`; an unknown transaction id as `NotFoundException`.
 *
 * Only the fake's own client instance is stubbed, so several fakes (and real clients) can live in one file.
 *
 * Usage (one per test file, in beforeAll — starting PGlite from the template takes a second or two):
 *
 *   const fake = await DataApiFake.start();   // fake.pg is the PGlite behind it
 *   const db = fake.db();                      // a DataApiDb on fake.client (fast resume retries)
 *   …; fake.mock.commandCalls(ExecuteStatementCommand); fake.executed; fake.simulateResuming(2);
 *   await fake.close();
 *
 * - The Data API's size limits ({@link DATA_API_LIMITS}): a request over 4 MiB is refused before it runs; a
 *   result row over 64 KB ("Packet for query is too large") or a response over 1 MiB ("Database response
 *   exceeded size limit") fails the call with `BadRequestException`, as Aurora does.
 *
 * Not emulated: the 3-minute idle transaction timeout, `continueAfterTimeout`, and real concurrency
 * (PGlite runs one statement at a time; transactions run one after another).
 */
import { randomBytes } from "node:crypto";
import {
  type ArrayValue,
  BadRequestException,
  BatchExecuteStatementCommand,
  type BatchExecuteStatementCommandInput,
  BeginTransactionCommand,
  type BeginTransactionCommandInput,
  type ColumnMetadata,
  CommitTransactionCommand,
  type CommitTransactionCommandInput,
  DatabaseErrorException,
  DatabaseResumingException,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  type ExecuteStatementCommandOutput,
  type Field,
  NotFoundException,
  RDSDataClient,
  RollbackTransactionCommand,
  type RollbackTransactionCommandInput,
  type SqlParameter,
} from "@aws-sdk/client-rds-data";
import { PGlite, type Results, type Transaction } from "@electric-sql/pglite";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { DataApiDb, type DataApiOptions, type DataApiTarget } from "../../lib/db/data-api.js";
import { toPositional } from "../../lib/db/sql-text.js";
import { removeTemplateCopy, templateCopy } from "./db.js";

export const FAKE_TARGET: DataApiTarget = {
  resourceArn: "arn:aws:rds:us-east-1:123456789012:cluster:alex-test",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:alex-test-AbCdEf",
  database: "alex",
};

const metadata = { httpStatusCode: 200, requestId: "fake", attempts: 1, totalRetryDelay: 0 };
const errorMetadata = { ...metadata, httpStatusCode: 400 };

/** Parameter types (OIDs) the way the Data API binds each kind of value. */
const OID = {
  unknown: 0,
  bool: 16,
  bytea: 17,
  int8: 20,
  json: 114,
  float8: 701,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  numeric: 1700,
  uuid: 2950,
} as const;

const HINT_OID: Record<string, number> = {
  UUID: OID.uuid,
  DECIMAL: OID.numeric,
  JSON: OID.json,
  TIMESTAMP: OID.timestamp,
  DATE: OID.date,
  TIME: OID.time,
};

/** JDBC `java.sql.Types` codes the Data API reports as `columnMetadata[].type`. */
const JDBC_TYPE: Record<string, number> = {
  bool: -7,
  int2: 5,
  int4: 4,
  int8: -5,
  oid: -5,
  float4: 7,
  float8: 8,
  numeric: 2,
  bpchar: 1,
  varchar: 12,
  text: 12,
  name: 12,
  date: 91,
  time: 92,
  timestamp: 93,
  timestamptz: 93,
  bytea: -2,
};

const INTEGER_TYPES = new Set(["int2", "int4", "int8", "oid"]);
const FLOAT_TYPES = new Set(["float4", "float8"]);

/**
 * The Data API's size limits, as AWS documents them:
 * - Aurora User Guide, "Limitations for the Amazon RDS Data API"
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.limitations.html): "The response size
 *   limit is 1 MiB. If the call returns more than 1 MiB of response data, the call is terminated." and "The Data API
 *   size limit is 64 KB per row in the result set returned by the database."
 * - "Troubleshooting Amazon RDS Data API" (data-api.troubleshooting.html) names the errors: "Packet for query is
 *   too large" (a row over 64 KB) and "Database response exceeded size limit" (over 1 MiB). Both arrive as
 *   `BadRequestException` ("There is an error in the call or in a SQL statement", RDS Data API Reference, Errors).
 * - Requests: the Data API takes at most 4 MiB per request (RDS Data API Reference, ExecuteStatement; the issue
 *   cites the same figure); a larger one is refused as a bad request before any SQL runs.
 * Sizes are UTF-8 bytes: a row is the sum of its fields' values as sent, a response or request its JSON body.
 */
export const DATA_API_LIMITS = { rowBytes: 64 * 1024, responseBytes: 1024 * 1024, requestBytes: 4 * 1024 * 1024 };

const utf8Bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** The bytes a field's value takes on the wire (its text, number or flag). */
function fieldBytes(field: Field): number {
  if (field.stringValue !== undefined) return utf8Bytes(field.stringValue);
  if (field.blobValue !== undefined) return field.blobValue.length;
  if (field.arrayValue !== undefined) return utf8Bytes(JSON.stringify(field.arrayValue));
  return utf8Bytes(JSON.stringify(Object.values(field)[0] ?? null));
}

/** Refuses a response the Data API would not return: a row over 64 KB, or more than 1 MiB in all. */
function enforceResponseLimits(output: ExecuteStatementCommandOutput): void {
  for (const [index, record] of (output.records ?? []).entries()) {
    const bytes = record.reduce((sum, field) => sum + fieldBytes(field), 0);
    if (bytes > DATA_API_LIMITS.rowBytes) {
      throw badRequest(
        `Packet for query is too large: row ${index} of the result set is ${bytes} bytes; the Data API returns at most ${DATA_API_LIMITS.rowBytes} bytes per row`,
      );
    }
  }
  const { $metadata: _, ...body } = output;
  // Blobs travel base64-encoded in the response's JSON.
  const bytes = utf8Bytes(
    JSON.stringify(body, (_key, value) =>
      value instanceof Uint8Array || (value as { type?: string })?.type === "Buffer"
        ? Buffer.from(value instanceof Uint8Array ? value : (value as { data: number[] }).data).toString("base64")
        : value,
    ),
  );
  if (bytes > DATA_API_LIMITS.responseBytes) {
    throw badRequest(
      `Database response exceeded size limit: ${bytes} bytes; the Data API returns at most ${DATA_API_LIMITS.responseBytes} bytes per response`,
    );
  }
}

/** Refuses a request over the Data API's 4 MiB. */
function enforceRequestLimit(input: object): void {
  const bytes = utf8Bytes(JSON.stringify(input));
  if (bytes > DATA_API_LIMITS.requestBytes) {
    throw badRequest(
      `Request size ${bytes} bytes exceeds the Data API's limit of ${DATA_API_LIMITS.requestBytes} bytes per request`,
    );
  }
}

function badRequest(message: string): BadRequestException {
  return new BadRequestException({ message, $metadata: errorMetadata });
}

/** The text Aurora puts in a SQL error: PostgreSQL's message, detail, then the SQLSTATE. */
function databaseError(error: unknown): DatabaseErrorException {
  const e = error as { message?: string; code?: string; detail?: string };
  const detail = e.detail ? `\n  Detail: ${e.detail}` : "";
  return new DatabaseErrorException({
    message: `ERROR: ${e.message ?? String(error)}${detail}; SQLState: ${e.code ?? "XX000"}`,
    $metadata: errorMetadata,
  });
}

interface OpenTransaction {
  tx: Transaction;
  finish: (action: "commit" | "rollback") => void;
  ended: Promise<void>;
}

export interface DataApiFakeOptions {
  /** Tarball of a data directory to start from; defaults to the run's migrated and seeded template. */
  template?: Blob;
  target?: DataApiTarget;
}

export class DataApiFake {
  readonly client: RDSDataClient;
  readonly mock: AwsClientStub<RDSDataClient>;
  readonly target: DataApiTarget;
  /** SQL of every ExecuteStatement call the fake ran or rejected, in order. */
  readonly executed: string[] = [];
  private readonly transactions = new Map<string, OpenTransaction>();
  private typeNames = new Map<number, string>();
  private rawParsers: Record<number, (value: string) => string> = {};
  private resumingLeft = 0;

  private constructor(
    readonly pg: PGlite,
    target: DataApiTarget,
    private readonly dataDir?: string,
  ) {
    this.target = target;
    this.client = new RDSDataClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" },
    });
    this.mock = mockClient(this.client);
    this.mock
      .on(ExecuteStatementCommand)
      .callsFake((input: ExecuteStatementCommandInput) => this.executeStatement(input));
    this.mock
      .on(BatchExecuteStatementCommand)
      .callsFake((input: BatchExecuteStatementCommandInput) => this.batchExecute(input));
    this.mock.on(BeginTransactionCommand).callsFake((input: BeginTransactionCommandInput) => this.begin(input));
    this.mock
      .on(CommitTransactionCommand)
      .callsFake((input: CommitTransactionCommandInput) => this.end(input, "commit"));
    this.mock
      .on(RollbackTransactionCommand)
      .callsFake((input: RollbackTransactionCommandInput) => this.end(input, "rollback"));
  }

  static async start(options: DataApiFakeOptions = {}): Promise<DataApiFake> {
    const dataDir = options.template ? undefined : templateCopy();
    const pg = await PGlite.create(dataDir ? { dataDir } : { loadDataDir: options.template });
    await pg.exec("SET TIME ZONE 'UTC'");
    const fake = new DataApiFake(pg, options.target ?? FAKE_TARGET, dataDir);
    await fake.loadTypes();
    return fake;
  }

  /** A `DataApiDb` talking to this fake (fast resume retries unless given). */
  db(options: Partial<DataApiOptions> = {}): DataApiDb {
    return new DataApiDb({
      ...this.target,
      client: this.client,
      resumeRetry: { retries: 3, minTimeout: 1, maxTimeout: 5 },
      ...options,
    });
  }

  /** The next `times` ExecuteStatement/BeginTransaction calls fail with DatabaseResumingException. */
  simulateResuming(times: number): void {
    this.resumingLeft = times;
  }

  /** Number of transactions begun and not yet committed or rolled back. */
  get openTransactions(): number {
    return this.transactions.size;
  }

  async close(): Promise<void> {
    this.mock.restore();
    for (const open of this.transactions.values()) open.finish("rollback");
    await Promise.all([...this.transactions.values()].map((t) => t.ended.catch(() => {})));
    if (!this.pg.closed) await this.pg.close();
    if (this.dataDir) removeTemplateCopy(this.dataDir);
  }

  /** Parsers that hand back PostgreSQL's text for every type, and the OID → type name map. */
  private async loadTypes(): Promise<void> {
    const { rows } = await this.pg.query<{ oid: number; typname: string }>(
      "SELECT oid::int AS oid, typname FROM pg_type",
    );
    this.typeNames = new Map(rows.map((r) => [r.oid, r.typname]));
    this.rawParsers = Object.fromEntries(rows.map((r) => [r.oid, (value: string) => value]));
  }

  private async typeName(oid: number): Promise<string> {
    if (!this.typeNames.has(oid)) await this.loadTypes();
    return this.typeNames.get(oid) ?? "unknown";
  }

  private checkTarget(input: { resourceArn?: string; secretArn?: string; database?: string }): void {
    if (input.resourceArn !== this.target.resourceArn) throw badRequest(`Invalid cluster arn: ${input.resourceArn}`);
    if (input.secretArn !== this.target.secretArn) throw badRequest(`Invalid secret arn: ${input.secretArn}`);
    if (input.database !== undefined && input.database !== this.target.database) {
      throw databaseError({ message: `database "${input.database}" does not exist`, code: "3D000" });
    }
  }

  private takeResuming(): void {
    if (this.resumingLeft > 0) {
      this.resumingLeft--;
      throw new DatabaseResumingException({
        message: `The Aurora DB instance ${this.target.resourceArn} is resuming after being auto-paused. Please wait a few seconds and try again.`,
        $metadata: errorMetadata,
      });
    }
  }

  private transactionOf(id: string | undefined): OpenTransaction | undefined {
    if (id === undefined || id === "") return undefined;
    const open = this.transactions.get(id);
    if (!open) throw new NotFoundException({ message: `Transaction ${id} is not found`, $metadata: errorMetadata });
    return open;
  }

  private async begin(input: BeginTransactionCommandInput) {
    this.checkTarget(input);
    this.takeResuming();
    const transactionId = randomBytes(48).toString("base64");
    let finish!: OpenTransaction["finish"];
    const decided = new Promise<"commit" | "rollback">((resolve) => (finish = resolve));
    const tx = await new Promise<Transaction>((resolveTx, rejectTx) => {
      const ended = this.pg
        .transaction(async (t) => {
          resolveTx(t);
          if ((await decided) === "rollback") await t.rollback();
        })
        .catch((error) => {
          rejectTx(error);
          throw error;
        })
        .finally(() => this.transactions.delete(transactionId));
      ended.catch(() => {}); // awaited by Commit/Rollback; never an unhandled rejection
      this.transactions.set(transactionId, { tx: undefined as unknown as Transaction, finish, ended });
    });
    this.transactions.get(transactionId)!.tx = tx;
    return { $metadata: metadata, transactionId };
  }

  private async end(
    input: CommitTransactionCommandInput | RollbackTransactionCommandInput,
    action: "commit" | "rollback",
  ) {
    if (input.resourceArn !== this.target.resourceArn) throw badRequest(`Invalid cluster arn: ${input.resourceArn}`);
    if (input.secretArn !== this.target.secretArn) throw badRequest(`Invalid secret arn: ${input.secretArn}`);
    if (!input.transactionId) throw badRequest("transactionId is required");
    const open = this.transactionOf(input.transactionId)!;
    open.finish(action);
    try {
      await open.ended;
    } catch (error) {
      throw databaseError(error);
    }
    return {
      $metadata: metadata,
      transactionStatus: action === "commit" ? "Transaction Committed" : "Rollback Complete",
    };
  }

  private async batchExecute(input: BatchExecuteStatementCommandInput) {
    const updateResults = [];
    for (const parameters of input.parameterSets ?? [[]]) {
      await this.executeStatement({ ...input, parameters, includeResultMetadata: false });
      updateResults.push({ generatedFields: [] });
    }
    return { $metadata: metadata, updateResults };
  }

  private async executeStatement(input: ExecuteStatementCommandInput): Promise<ExecuteStatementCommandOutput> {
    this.checkTarget(input);
    if (!input.sql) throw badRequest("SQL statement is required");
    this.executed.push(input.sql);
    enforceRequestLimit(input);
    this.takeResuming();
    const open = this.transactionOf(input.transactionId);
    const { text, names } = toPositional(input.sql);
    const byName = new Map<string, SqlParameter>();
    for (const parameter of input.parameters ?? []) {
      if (!parameter.name) throw badRequest("Parameter name is required");
      byName.set(parameter.name, parameter);
    }
    const values: unknown[] = [];
    const paramTypes: number[] = [];
    for (const name of names) {
      const parameter = byName.get(name);
      if (!parameter) throw badRequest(`No value specified for parameter: ${name}`);
      const [value, type] = bindParameter(parameter);
      values.push(value);
      paramTypes.push(type);
    }
    let result: Results<unknown[]>;
    try {
      result = await (open?.tx ?? this.pg).query<unknown[]>(text, values, {
        rowMode: "array",
        parsers: this.rawParsers,
        paramTypes,
      });
    } catch (error) {
      throw databaseError(error);
    }
    const typeNames = await Promise.all(result.fields.map((f) => this.typeName(f.dataTypeID)));
    const hasResultSet = result.fields.length > 0;
    const output: ExecuteStatementCommandOutput = {
      $metadata: metadata,
      numberOfRecordsUpdated: result.affectedRows ?? 0,
    };
    if (!hasResultSet) return output;
    if (input.formatRecordsAs === "JSON") {
      const objects = result.rows.map((row) =>
        Object.fromEntries(
          row.map((value, i) => [result.fields[i].name, jsonValue(value as string | null, typeNames[i])]),
        ),
      );
      output.formattedRecords = JSON.stringify(objects);
      enforceResponseLimits(output);
      return output;
    }
    output.records = result.rows.map((row) => row.map((value, i) => toField(value as string | null, typeNames[i])));
    if (input.includeResultMetadata) {
      output.columnMetadata = result.fields.map((f, i) => columnMetadata(f.name, typeNames[i]));
    }
    enforceResponseLimits(output);
    return output;
  }
}

/** The value and parameter type (OID) a Data API parameter is bound with. */
function bindParameter(parameter: SqlParameter): [unknown, number] {
  const value = parameter.value;
  if (!value) throw badRequest(`Parameter ${parameter.name} has no value`);
  const set = Object.entries(value).filter(([key, v]) => key !== "$unknown" && v !== undefined);
  if (set.length !== 1) throw badRequest(`Parameter ${parameter.name} must set exactly one value member`);
  const hint = parameter.typeHint;
  if (hint !== undefined && value.stringValue === undefined) {
    throw badRequest(`typeHint ${hint} applies to stringValue only (parameter ${parameter.name})`);
  }
  if (value.isNull) return [null, OID.unknown];
  if (value.stringValue !== undefined) {
    const text = value.stringValue;
    if (hint === undefined) return [text, OID.varchar];
    if (!(hint in HINT_OID)) throw badRequest(`Invalid typeHint ${hint}`);
    if (hint === "TIMESTAMP" && !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/.test(text)) {
      throw badRequest(
        `Timestamp format must be yyyy-mm-dd hh:mm:ss[.fffffffff] (parameter ${parameter.name}: ${text})`,
      );
    }
    if (hint === "DATE" && !/^\d{4}-\d{2}-\d{2}$/.test(text)) {
      throw badRequest(`Date format must be yyyy-mm-dd (parameter ${parameter.name}: ${text})`);
    }
    if (hint === "TIME" && !/^\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/.test(text)) {
      throw badRequest(`Time format must be hh:mm:ss[.fffffffff] (parameter ${parameter.name}: ${text})`);
    }
    return [text, HINT_OID[hint]];
  }
  if (value.longValue !== undefined) return [String(value.longValue), OID.int8];
  if (value.doubleValue !== undefined) return [String(value.doubleValue), OID.float8];
  if (value.booleanValue !== undefined) return [value.booleanValue, OID.bool];
  if (value.blobValue !== undefined) return [`\\x${Buffer.from(value.blobValue).toString("hex")}`, OID.bytea];
  throw badRequest(`Array parameters are not supported (parameter ${parameter.name})`);
}

/** `2024-01-02 03:04:05.5+00` → `2024-01-02 03:04:05.5` (the session is in UTC, as Aurora's default is). */
function stripUtcOffset(text: string): string {
  return text.replace(/\+00(:00)?$/, "");
}

function toField(text: string | null, typeName: string): Field {
  if (text === null) return { isNull: true };
  if (INTEGER_TYPES.has(typeName)) return { longValue: Number(text) };
  if (FLOAT_TYPES.has(typeName)) return { doubleValue: Number(text) };
  if (typeName === "bool") return { booleanValue: text === "t" };
  if (typeName === "bytea") return { blobValue: Buffer.from(text.replace(/^\\x/, ""), "hex") };
  if (typeName === "timestamptz") return { stringValue: stripUtcOffset(text) };
  if (typeName.startsWith("_")) return { arrayValue: toArrayValue(parseArray(text), typeName.slice(1)) };
  return { stringValue: text };
}

function jsonValue(text: string | null, typeName: string): unknown {
  if (text === null) return null;
  if (INTEGER_TYPES.has(typeName) || FLOAT_TYPES.has(typeName)) return Number(text);
  if (typeName === "bool") return text === "t";
  if (typeName === "timestamptz") return stripUtcOffset(text);
  return text;
}

function columnMetadata(name: string, typeName: string): ColumnMetadata {
  return {
    name,
    label: name,
    typeName,
    type: typeName.startsWith("_") ? 2003 : (JDBC_TYPE[typeName] ?? 1111),
    arrayBaseColumnType: 0,
    isAutoIncrement: false,
    isCaseSensitive: ["varchar", "text", "bpchar", "name"].includes(typeName),
    isCurrency: false,
    isSigned: INTEGER_TYPES.has(typeName) || FLOAT_TYPES.has(typeName) || typeName === "numeric",
    nullable: 2,
    precision: 0,
    scale: 0,
    schemaName: "",
    tableName: "",
  };
}

type ArrayText = (string | null | ArrayText)[];

/** Parses PostgreSQL's array text (`{1,2}`, `{"a b",NULL}`, `{{1,2},{3,4}}`). */
function parseArray(text: string): ArrayText {
  let i = 0;
  const parse = (): ArrayText => {
    const out: ArrayText = [];
    i++; // {
    while (i < text.length && text[i] !== "}") {
      if (text[i] === "{") out.push(parse());
      else if (text[i] === '"') {
        let s = "";
        i++;
        while (text[i] !== '"') {
          if (text[i] === "\\") i++;
          s += text[i++];
        }
        i++;
        out.push(s);
      } else {
        let s = "";
        while (text[i] !== "," && text[i] !== "}") s += text[i++];
        out.push(s === "NULL" ? null : s);
      }
      if (text[i] === ",") i++;
    }
    i++; // }
    return out;
  };
  return text.startsWith("{") ? parse() : [];
}

function toArrayValue(items: ArrayText, elementType: string): ArrayValue {
  if (items.some(Array.isArray)) {
    return { arrayValues: items.map((item) => toArrayValue(Array.isArray(item) ? item : [], elementType)) };
  }
  const scalars = items as (string | null)[];
  if (INTEGER_TYPES.has(elementType)) return { longValues: scalars.map(Number) };
  if (FLOAT_TYPES.has(elementType)) return { doubleValues: scalars.map(Number) };
  if (elementType === "bool") return { booleanValues: scalars.map((s) => s === "t") };
  return { stringValues: scalars.map((s) => s ?? "") };
}
