/** Unit tests of the Data API driver against plain aws-sdk-client-mock stubs (no database). */
import {
  BadRequestException,
  BeginTransactionCommand,
  CommitTransactionCommand,
  DatabaseErrorException,
  DatabaseResumingException,
  ExecuteStatementCommand,
  NotFoundException,
  RDSDataClient,
  RollbackTransactionCommand,
} from "@aws-sdk/client-rds-data";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DataApiDb, fromField, toSqlParameter } from "../../lib/db/data-api.js";
import { DbError, P } from "../../lib/db/driver.js";

const TARGET = {
  resourceArn: "arn:aws:rds:eu-west-1:111122223333:cluster:alex",
  secretArn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:alex-db-Xy12",
  database: "alex",
};
const $metadata = { httpStatusCode: 400 };
const FAST = { retries: 3, minTimeout: 1, maxTimeout: 2 };

let client: RDSDataClient;
let mock: AwsClientStub<RDSDataClient>;
let db: DataApiDb;

beforeEach(() => {
  client = new RDSDataClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" },
  });
  mock = mockClient(client);
  db = new DataApiDb({ ...TARGET, client, resumeRetry: FAST });
});

afterEach(() => {
  mock.restore();
  vi.unstubAllEnvs();
});

const executeInputs = () => mock.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input);

describe("ExecuteStatementCommand input", () => {
  it("sends the SQL unchanged with :name parameters, type hints and result metadata", async () => {
    mock.on(ExecuteStatementCommand).resolves({ records: [], columnMetadata: [], numberOfRecordsUpdated: 0 });
    const sql = `SELECT * FROM t WHERE id = :id::uuid AND price > :price::numeric AND doc @> :doc::jsonb
      AND at < :at AND day = :day AND name = :name AND n = :n AND r = :r AND b = :b AND x IS NOT DISTINCT FROM :nothing
      AND again = :id::uuid AND note = ':not_a_param'`;
    await db.query(sql, {
      id: P.uuid("6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b"),
      price: P.decimal(12.5),
      doc: P.json({ a: [1, "two"], s: '{"x":1}' }),
      at: P.timestamp(new Date("2024-01-02T03:04:05.678Z")),
      day: P.date("2024-02-29"),
      name: "O'Brien",
      n: 42,
      r: 0.25,
      b: false,
      nothing: null,
      not_sent: "ignored",
    });
    const inputs = executeInputs();
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toEqual({
      ...TARGET,
      sql,
      parameters: [
        { name: "id", value: { stringValue: "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b" }, typeHint: "UUID" },
        { name: "price", value: { stringValue: "12.5" }, typeHint: "DECIMAL" },
        { name: "doc", value: { stringValue: '{"a":[1,"two"],"s":"{\\"x\\":1}"}' }, typeHint: "JSON" },
        { name: "at", value: { stringValue: "2024-01-02 03:04:05.678" }, typeHint: "TIMESTAMP" },
        { name: "day", value: { stringValue: "2024-02-29" }, typeHint: "DATE" },
        { name: "name", value: { stringValue: "O'Brien" } },
        { name: "n", value: { longValue: 42 } },
        { name: "r", value: { doubleValue: 0.25 } },
        { name: "b", value: { booleanValue: false } },
        { name: "nothing", value: { isNull: true } },
      ],
      includeResultMetadata: true,
    });
    expect(inputs[0].transactionId).toBeUndefined();
    expect(inputs[0].parameters!.map((p) => p.typeHint)).not.toContain("TIME");
  });

  it("never sends a TIMESTAMP in ISO T…Z form", () => {
    for (const value of [
      new Date("2030-12-31T23:59:59.999Z"),
      "2030-12-31T23:59:59.999Z",
      "2030-12-31T23:59:59.999+00:00",
    ]) {
      expect(toSqlParameter("t", P.timestamp(value))).toEqual({
        name: "t",
        value: { stringValue: "2030-12-31 23:59:59.999" },
        typeHint: "TIMESTAMP",
      });
    }
    expect(toSqlParameter("t", P.timestamp("2030-06-01T02:00:00+02:00")).value).toEqual({
      stringValue: "2030-06-01 00:00:00.000",
    });
    expect(() => toSqlParameter("t", P.timestamp("not a date"))).toThrow(DbError);
  });

  it("refuses a statement whose parameter is missing, without calling the API", async () => {
    await expect(db.query("SELECT :a AS a, :b AS b", { a: 1 })).rejects.toThrow(/Missing SQL parameter :b/);
    expect(executeInputs()).toHaveLength(0);
  });
});

describe("decoding", () => {
  it("decodes fields by columnMetadata typeName, never parsing TEXT as JSON", async () => {
    mock.on(ExecuteStatementCommand).resolves({
      columnMetadata: [
        { name: "price", typeName: "numeric" },
        { name: "doc", typeName: "jsonb" },
        { name: "js", typeName: "json" },
        { name: "label", typeName: "text" },
        { name: "name", typeName: "varchar" },
        { name: "at", typeName: "timestamptz" },
        { name: "local", typeName: "timestamp" },
        { name: "day", typeName: "date" },
        { name: "id", typeName: "uuid" },
        { name: "n4", typeName: "int4" },
        { name: "n8", typeName: "int8" },
        { name: "n8s", typeName: "int8" },
        { name: "flag", typeName: "bool" },
        { name: "ratio", typeName: "float8" },
        { name: "missing", typeName: "jsonb" },
      ],
      records: [
        [
          { stringValue: "1234.5678" },
          { stringValue: '{"a": 1, "b": [true, null]}' },
          { stringValue: '"just text"' },
          { stringValue: '{"a":1}' },
          { stringValue: "[1,2]" },
          { stringValue: "2024-03-05 06:07:08.123456" },
          { stringValue: "2024-03-05 06:07:08" },
          { stringValue: "2024-02-29" },
          { stringValue: "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b" },
          { longValue: 42 },
          { longValue: 9007199254740991 },
          { stringValue: "123" },
          { booleanValue: true },
          { doubleValue: 0.25 },
          { isNull: true },
        ],
      ],
      numberOfRecordsUpdated: 0,
    });
    const result = await db.query("SELECT 1");
    expect(result).toEqual({
      rowCount: 1,
      rows: [
        {
          price: 1234.5678,
          doc: { a: 1, b: [true, null] },
          js: "just text",
          label: '{"a":1}',
          name: "[1,2]",
          at: "2024-03-05T06:07:08.123Z",
          local: "2024-03-05T06:07:08.000Z",
          day: "2024-02-29",
          id: "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b",
          n4: 42,
          n8: 9007199254740991,
          n8s: 123,
          flag: true,
          ratio: 0.25,
          missing: null,
        },
      ],
    });
  });

  it("fromField reads the type name case-insensitively and leaves unknown types as text", () => {
    expect(fromField({ stringValue: "1.50" }, { typeName: "NUMERIC" })).toBe(1.5);
    expect(fromField({ stringValue: "{}" }, { typeName: "bpchar" })).toBe("{}");
    expect(fromField({ stringValue: "{}" }, undefined)).toBe("{}");
  });

  it("counts rows changed by DML from numberOfRecordsUpdated, with or without an empty records list", async () => {
    mock
      .on(ExecuteStatementCommand)
      .resolvesOnce({ numberOfRecordsUpdated: 3 })
      .resolvesOnce({ records: [], numberOfRecordsUpdated: 1 })
      .resolvesOnce({ records: [], columnMetadata: [{ name: "id", typeName: "uuid" }], numberOfRecordsUpdated: 0 });
    expect(await db.query("UPDATE t SET a = 1")).toEqual({ rows: [], rowCount: 3 });
    expect(await db.query("UPDATE t SET a = 1 WHERE id = 2")).toEqual({ rows: [], rowCount: 1 });
    expect(await db.query("SELECT id FROM t WHERE false")).toEqual({ rows: [], rowCount: 0 });
  });
});

describe("transactions", () => {
  it("begins, runs statements with the transactionId, and commits on success", async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: "tx-123" });
    mock.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 1 });
    mock.on(CommitTransactionCommand).resolves({ transactionStatus: "Transaction Committed" });
    const result = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO t (a) VALUES (:a)", { a: "x" });
      await tx.transaction((inner) => inner.query("DELETE FROM t"));
      return "done";
    });
    expect(result).toBe("done");
    expect(mock.commandCalls(BeginTransactionCommand).map((c) => c.args[0].input)).toEqual([TARGET]);
    expect(executeInputs().map((i) => i.transactionId)).toEqual(["tx-123", "tx-123"]);
    expect(mock.commandCalls(CommitTransactionCommand).map((c) => c.args[0].input)).toEqual([
      { resourceArn: TARGET.resourceArn, secretArn: TARGET.secretArn, transactionId: "tx-123" },
    ]);
    expect(mock.commandCalls(RollbackTransactionCommand)).toHaveLength(0);
  });

  it("rolls back and rethrows when the work throws", async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: "tx-9" });
    mock.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 1 });
    mock.on(RollbackTransactionCommand).resolves({ transactionStatus: "Rollback Complete" });
    const boom = new Error("boom");
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO t (a) VALUES (1)");
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(mock.commandCalls(RollbackTransactionCommand).map((c) => c.args[0].input)).toEqual([
      { resourceArn: TARGET.resourceArn, secretArn: TARGET.secretArn, transactionId: "tx-9" },
    ]);
    expect(mock.commandCalls(CommitTransactionCommand)).toHaveLength(0);
  });

  it("keeps the work's error when the rollback itself fails", async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: "tx-gone" });
    mock
      .on(RollbackTransactionCommand)
      .rejects(new NotFoundException({ message: "Transaction tx-gone is not found", $metadata }));
    const boom = new Error("the real problem");
    await expect(db.transaction(async () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it("a failed commit is a DbError carrying the SQLSTATE, followed by a rollback", async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: "tx-c" });
    mock
      .on(CommitTransactionCommand)
      .rejects(new DatabaseErrorException({ message: "ERROR: deferred check failed; SQLState: 23514", $metadata }));
    mock.on(RollbackTransactionCommand).resolves({});
    const error = await db.transaction(async () => "ok").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBe("23514");
    expect(mock.commandCalls(RollbackTransactionCommand)).toHaveLength(1);
  });
});

describe("errors and retries", () => {
  const resuming = () =>
    new DatabaseResumingException({
      message: "The Aurora DB instance is resuming after being auto-paused.",
      $metadata,
    });

  it("retries DatabaseResumingException, then succeeds", async () => {
    mock
      .on(ExecuteStatementCommand)
      .rejectsOnce(resuming())
      .rejectsOnce(resuming())
      .resolves({ records: [[{ longValue: 1 }]], columnMetadata: [{ name: "one", typeName: "int4" }] });
    const started = Date.now();
    await expect(db.query("SELECT 1 AS one")).resolves.toEqual({ rows: [{ one: 1 }], rowCount: 1 });
    expect(executeInputs()).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("retries BeginTransaction while the cluster resumes", async () => {
    mock.on(BeginTransactionCommand).rejectsOnce(resuming()).resolves({ transactionId: "tx-r" });
    mock.on(CommitTransactionCommand).resolves({});
    await expect(db.transaction(async () => 5)).resolves.toBe(5);
    expect(mock.commandCalls(BeginTransactionCommand)).toHaveLength(2);
  });

  it("gives up after the configured retries with a DbError", async () => {
    mock.on(ExecuteStatementCommand).rejects(resuming());
    const error = await db.query("SELECT 1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).message).toMatch(/resuming/);
    expect(executeInputs()).toHaveLength(FAST.retries + 1);
  });

  it("does not retry a SQL error, and maps its SQLState to DbError.code", async () => {
    mock.on(ExecuteStatementCommand).rejects(
      new DatabaseErrorException({
        message:
          'ERROR: duplicate key value violates unique constraint "users_pkey"\n  Detail: Key (clerk_user_id)=(a) already exists.; SQLState: 23505',
        $metadata,
      }),
    );
    const error = await db.query("INSERT INTO users (clerk_user_id) VALUES ('a')").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBe("23505");
    expect((error as DbError).cause).toBeInstanceOf(DatabaseErrorException);
    expect(executeInputs()).toHaveLength(1);
  });

  it("does not retry a bad request; no SQLState means no code", async () => {
    mock
      .on(ExecuteStatementCommand)
      .rejects(new BadRequestException({ message: "Timestamp format must be yyyy-mm-dd hh:mm:ss", $metadata }));
    const error = await db.query("SELECT 1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBeUndefined();
    expect(executeInputs()).toHaveLength(1);
  });
});

describe("client region", () => {
  it("creates its own client in the region it is given, ignoring AWS_REGION", async () => {
    vi.stubEnv("AWS_REGION", "ap-southeast-2");
    vi.stubEnv("AWS_DEFAULT_REGION", "ap-southeast-2");
    const own = new DataApiDb({ ...TARGET, region: "eu-central-1" });
    const ownClient = (own as unknown as { client: RDSDataClient }).client;
    expect(ownClient).toBeInstanceOf(RDSDataClient);
    expect(await ownClient.config.region()).toBe("eu-central-1");
  });

  it("uses the client it is given", () => {
    expect((db as unknown as { client: RDSDataClient }).client).toBe(client);
  });

  it("refuses to create a client without an explicit region", () => {
    expect(() => new DataApiDb({ ...TARGET })).toThrow(/explicit region/);
  });
});
