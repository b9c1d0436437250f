import {
  BeginTransactionCommand,
  type ColumnMetadata,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type Field,
  RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
  type TypeHint,
} from "@aws-sdk/client-rds-data";
import pRetry from "p-retry";
import type { Config } from "../config.js";
import {
  type Db,
  DbError,
  isTypedParam,
  paramsInOrder,
  type QueryResult,
  type Row,
  type SqlParam,
  type SqlParams,
  type TypedParam,
  timestampToIso,
  typedParamText,
} from "./driver.js";
import { parameterNames } from "./sql-text.js";

export interface DataApiTarget {
  resourceArn: string;
  secretArn: string;
  database: string;
}

export interface DataApiOptions extends DataApiTarget {
  client?: RDSDataClient;
  /** Region for a client we create; always given explicitly (DEFAULT_AWS_REGION), never from AWS_REGION. */
  region?: string;
  /** Retry policy for `DatabaseResumingException` (Aurora Serverless v2 waking from 0 ACU). */
  resumeRetry?: { retries: number; minTimeout: number; maxTimeout: number };
}

const TYPE_HINTS: Record<TypedParam["type"], TypeHint> = {
  uuid: "UUID",
  decimal: "DECIMAL",
  json: "JSON",
  timestamp: "TIMESTAMP",
  date: "DATE",
};

/** Encodes one parameter the way the Data API expects it. */
export function toSqlParameter(name: string, param: SqlParam): SqlParameter {
  if (param === null) return { name, value: { isNull: true } };
  if (isTypedParam(param))
    return { name, value: { stringValue: typedParamText(param) }, typeHint: TYPE_HINTS[param.type] };
  if (typeof param === "boolean") return { name, value: { booleanValue: param } };
  if (typeof param === "number") {
    return Number.isInteger(param) ? { name, value: { longValue: param } } : { name, value: { doubleValue: param } };
  }
  return { name, value: { stringValue: param } };
}

/** Decodes one field by its PostgreSQL type name, giving the same values as the PGlite driver. */
export function fromField(field: Field, column: ColumnMetadata | undefined): unknown {
  if (field.isNull) return null;
  const type = (column?.typeName ?? "").toLowerCase();
  if (field.stringValue !== undefined) {
    const text = field.stringValue;
    if (type === "numeric" || type === "decimal" || type === "int8") return Number(text);
    if (type === "json" || type === "jsonb") return JSON.parse(text);
    if (type.startsWith("timestamp")) return timestampToIso(text);
    return text;
  }
  if (field.longValue !== undefined) return Number(field.longValue);
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return field.blobValue;
  if (field.arrayValue !== undefined) return field.arrayValue;
  return null;
}

function sqlState(error: unknown): string | undefined {
  return /SQLState:\s*([A-Z0-9]{5})/.exec((error as Error)?.message ?? "")?.[1];
}

const isResuming = (error: unknown) => (error as Error)?.name === "DatabaseResumingException";

/** Aurora PostgreSQL through the RDS Data API (HTTPS; no VPC or connection pool needed). */
export class DataApiDb implements Db {
  private readonly client: RDSDataClient;
  private readonly target: DataApiTarget;
  private readonly resumeRetry: NonNullable<DataApiOptions["resumeRetry"]>;

  constructor(
    options: DataApiOptions,
    private readonly transactionId?: string,
  ) {
    if (!options.client && !options.region) {
      // Without a region the SDK would fall back to AWS_REGION; the design gives every client DEFAULT_AWS_REGION.
      throw new DbError("DataApiDb needs a client or an explicit region (DEFAULT_AWS_REGION)");
    }
    this.client = options.client ?? new RDSDataClient({ region: options.region });
    this.target = { resourceArn: options.resourceArn, secretArn: options.secretArn, database: options.database };
    this.resumeRetry = options.resumeRetry ?? { retries: 6, minTimeout: 1000, maxTimeout: 10_000 };
  }

  private send<T>(call: () => Promise<T>): Promise<T> {
    return pRetry(call, {
      ...this.resumeRetry,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => isResuming(error),
    });
  }

  async query<T extends Row = Row>(sql: string, params: SqlParams = {}): Promise<QueryResult<T>> {
    const names = parameterNames(sql);
    const values = paramsInOrder(names, params);
    const input = {
      ...this.target,
      sql,
      parameters: names.map((name, i) => toSqlParameter(name, values[i])),
      includeResultMetadata: true,
      transactionId: this.transactionId,
    };
    try {
      // A fresh command per attempt: a retried send never reuses a command whose middleware already ran.
      const output = await this.send(() => this.client.send(new ExecuteStatementCommand(input)));
      const columns = output.columnMetadata ?? [];
      const rows = (output.records ?? []).map(
        (record) =>
          Object.fromEntries(
            record.map((field, i) => [columns[i]?.name ?? `column${i}`, fromField(field, columns[i])]),
          ) as T,
      );
      // Rows when the statement returned some; otherwise the DML count, whether the API left `records`
      // out or sent it empty for an UPDATE without RETURNING.
      const rowCount = rows.length > 0 ? rows.length : (output.numberOfRecordsUpdated ?? 0);
      return { rows, rowCount };
    } catch (error) {
      throw new DbError((error as Error).message, sqlState(error), { cause: error });
    }
  }

  async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    if (this.transactionId) return work(this);
    const { transactionId } = await this.send(() => this.client.send(new BeginTransactionCommand({ ...this.target })));
    const tx = new DataApiDb({ ...this.target, client: this.client, resumeRetry: this.resumeRetry }, transactionId);
    const ids = { resourceArn: this.target.resourceArn, secretArn: this.target.secretArn, transactionId };
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      // The work's error is the one that matters; a failed rollback (e.g. the transaction already timed
      // out and was rolled back by Aurora) must not replace it.
      await this.client.send(new RollbackTransactionCommand(ids)).catch(() => {});
      throw error;
    }
    try {
      await this.client.send(new CommitTransactionCommand(ids));
    } catch (error) {
      await this.client.send(new RollbackTransactionCommand(ids)).catch(() => {});
      throw new DbError((error as Error).message, sqlState(error), { cause: error });
    }
    return result;
  }

  async close(): Promise<void> {}
}

/** Aurora named by config (AURORA_CLUSTER_ARN, AURORA_SECRET_ARN, AURORA_DATABASE), in DEFAULT_AWS_REGION. */
export function dataApiDbFromConfig(config: Pick<Config, "db" | "awsRegion">): DataApiDb {
  const { clusterArn, secretArn, database } = config.db;
  if (!clusterArn || !secretArn)
    throw new Error("AURORA_CLUSTER_ARN and AURORA_SECRET_ARN are required for the Data API");
  return new DataApiDb({ resourceArn: clusterArn, secretArn, database, region: config.awsRegion });
}
