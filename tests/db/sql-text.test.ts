import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../lib/db/migrate.js";
import { parameterNames, splitStatements, toPositional } from "../../lib/db/sql-text.js";

describe("toPositional", () => {
  it("rewrites :name to $n in plain SQL", () => {
    expect(toPositional("SELECT * FROM t WHERE a = :a AND b = :b")).toEqual({
      text: "SELECT * FROM t WHERE a = $1 AND b = $2",
      names: ["a", "b"],
    });
  });

  it("reuses the same $n for a repeated name", () => {
    const { text, names } = toPositional("SELECT :id, :other, :id, :other, :third");
    expect(text).toBe("SELECT $1, $2, $1, $2, $3");
    expect(names).toEqual(["id", "other", "third"]);
  });

  it("leaves ::casts alone, also right after a parameter", () => {
    const { text, names } = toPositional("SELECT :id::uuid, x::text, (:n)::numeric, '{}'::jsonb");
    expect(text).toBe("SELECT $1::uuid, x::text, ($2)::numeric, '{}'::jsonb");
    expect(names).toEqual(["id", "n"]);
  });

  it("skips '…' strings, including doubled quotes", () => {
    const { text, names } = toPositional("SELECT ':a', 'it''s :b', :c");
    expect(text).toBe("SELECT ':a', 'it''s :b', $1");
    expect(names).toEqual(["c"]);
  });

  it("skips E'…' strings with backslash-escaped quotes", () => {
    const { text, names } = toPositional("SELECT E'it\\'s :x', e'\\\\', :y");
    expect(text).toBe("SELECT E'it\\'s :x', e'\\\\', $1");
    expect(names).toEqual(["y"]);
  });

  it("does not treat a backslash as an escape in a standard string", () => {
    // 'C:\' is a complete standard string (standard_conforming_strings); :id after it is a parameter.
    expect(toPositional("SELECT 'C:\\', :id").names).toEqual(["id"]);
    // A typed literal whose type ends in "e" is not an E'' string either.
    expect(toPositional("SELECT name'C:\\', :id")).toEqual({ text: "SELECT name'C:\\', $1", names: ["id"] });
  });

  it('skips "quoted identifiers"', () => {
    expect(toPositional('SELECT "col:name", "a""b:c" FROM t WHERE x = :x')).toEqual({
      text: 'SELECT "col:name", "a""b:c" FROM t WHERE x = $1',
      names: ["x"],
    });
  });

  it("skips -- line comments up to the end of the line only", () => {
    const { text, names } = toPositional("SELECT :a -- not :b\n, :c");
    expect(text).toBe("SELECT $1 -- not :b\n, $2");
    expect(names).toEqual(["a", "c"]);
  });

  it("skips nested /* */ comments", () => {
    const { text, names } = toPositional("SELECT /* :a /* :b */ still comment :c */ :d");
    expect(text).toBe("SELECT /* :a /* :b */ still comment :c */ $1");
    expect(names).toEqual(["d"]);
  });

  it("skips $$…$$ and $tag$…$tag$ bodies", () => {
    const sql = "DO $$ BEGIN x := :a; END $$; SELECT $fn$ :b $other$ :c $fn$, :d, $1";
    const { text, names } = toPositional(sql);
    expect(text).toBe("DO $$ BEGIN x := :a; END $$; SELECT $fn$ :b $other$ :c $fn$, $1, $1");
    expect(names).toEqual(["d"]);
  });

  it("parameterNames lists names in first-use order", () => {
    expect(parameterNames("UPDATE t SET a = :value WHERE id = :id AND b = :value")).toEqual(["value", "id"]);
    expect(parameterNames("SELECT 1")).toEqual([]);
  });
});

describe("splitStatements", () => {
  it("splits on ; outside quotes, comments and dollar bodies", () => {
    expect(
      splitStatements("SELECT ';'; -- a comment; with semicolons\nSELECT \"a;b\" /* ; */ FROM t;;\n  ; SELECT $$;$$"),
    ).toEqual(["SELECT ';'", 'SELECT "a;b"   FROM t', "SELECT $$;$$"]);
  });

  it("drops comment-only statements and keeps tokens around a removed block comment apart", () => {
    expect(splitStatements("/* header */\n-- only a comment\n;SELECT a/*x*/FROM t;")).toEqual(["SELECT a FROM t"]);
  });

  it("splits the real migration into its statements with plpgsql bodies intact", () => {
    const script = readFileSync(join(MIGRATIONS_DIR, "001_schema.sql"), "utf8");
    const statements = splitStatements(script);
    const heads = statements.map((s) => s.split(/\s+/).slice(0, 3).join(" "));
    expect(heads).toEqual([
      "CREATE OR REPLACE",
      "CREATE TABLE users",
      "CREATE TABLE instruments",
      "CREATE TABLE accounts",
      "CREATE TABLE positions",
      "CREATE TABLE jobs",
      "CREATE INDEX idx_accounts_user",
      "CREATE INDEX idx_positions_account",
      "CREATE INDEX idx_positions_symbol",
      "CREATE INDEX idx_jobs_user",
      "CREATE INDEX idx_jobs_status",
      "CREATE INDEX idx_jobs_user_created",
      "CREATE TRIGGER update_users_updated_at",
      "CREATE TRIGGER update_instruments_updated_at",
      "CREATE TRIGGER update_accounts_updated_at",
      "CREATE TRIGGER update_positions_updated_at",
      "CREATE TRIGGER update_jobs_updated_at",
      "CREATE OR REPLACE",
      "CREATE TRIGGER jobs_stay_ended",
    ]);
    const [updatedAt] = statements;
    expect(updatedAt).toMatch(/^CREATE OR REPLACE FUNCTION update_updated_at_column\(\)/);
    expect(updatedAt).toContain("AS $$\nBEGIN\n  NEW.updated_at = NOW();\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql");
    const forbid = statements[statements.length - 2];
    expect(forbid).toContain(
      "RAISE EXCEPTION 'job % already ended as %', OLD.id, OLD.status USING ERRCODE = 'check_violation';",
    );
    expect(forbid).toMatch(/END IF;\n {2}RETURN NEW;\nEND;\n\$\$ LANGUAGE plpgsql$/);
    // No statement keeps a comment or a trailing semicolon outside a body.
    for (const statement of statements) {
      expect(statement).not.toMatch(/^--|;$/);
    }
    // And no statement has parameters the drivers would try to bind.
    for (const statement of statements) expect(parameterNames(statement)).toEqual([]);
  });
});
