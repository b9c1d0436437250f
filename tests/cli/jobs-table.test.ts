import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../cli/io.js";
import { resolveJobId } from "../../cli/job-ids.js";
import { jobsTable, whenText } from "../../cli/jobs-table.js";
import type { Db } from "../../lib/db/driver.js";
import { findJobIdsByPrefix, listJobSummaries } from "../../lib/db/repositories/job-list.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { testDb } from "../support/db.js";

const NOW = new Date("2026-12-07T22:00:00Z");

describe("alex jobs", () => {
  it("prints a header and when, person, value, outlook and status per job", () => {
    const table = jobsTable(
      [
        {
          id: "58d1ea6f-0000-4000-8000-000000000001",
          clerk_user_id: "demo_user",
          display_name: "Demo Investor",
          status: "completed",
          error_message: null,
          created_at: "2026-12-07T21:48:00Z",
          total_value: "106790.5",
          success_rate: "81.7",
        },
        {
          id: "7a000000-0000-4000-8000-000000000002",
          clerk_user_id: "sam",
          display_name: null,
          status: "failed",
          error_message: "interrupted",
          created_at: "2026-12-01T08:05:00Z",
          total_value: null,
          success_rate: null,
        },
      ],
      NOW,
    );
    expect(table.split("\n")).toEqual([
      "ID        WHEN              PERSON            VALUE  OUTLOOK         STATUS",
      "58d1ea6f  12 min ago        Demo Investor  $106,791  81.7% of paths  completed",
      "7a000000  1 Dec 2026 08:05  sam                   —  —               failed: interrupted",
    ]);
  });

  it("says when there are no jobs, and how to make one", () => {
    expect(jobsTable([], NOW)).toContain("No jobs yet");
  });

  it("says when in words", () => {
    expect(whenText("2026-12-07T21:59:40Z", NOW)).toBe("just now");
    expect(whenText("2026-12-07T19:00:00Z", NOW)).toBe("3 h ago");
    expect(whenText("2026-12-06T09:30:00Z", NOW)).toBe("yesterday 09:30");
  });
});

describe("job ids by a unique start", () => {
  let db: Db;
  const ids = [
    "aaaa1111-0000-4000-8000-000000000001",
    "aaaa2222-0000-4000-8000-000000000002",
    "bbbb1111-0000-4000-8000-000000000003",
  ];

  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    for (const id of ids)
      await db.query("INSERT INTO jobs (id, clerk_user_id, job_type) VALUES (:id::uuid, :user, 'portfolio_analysis')", {
        id,
        user: DEMO_USER_ID,
      });
  });
  afterAll(async () => db?.close());

  it("resolves a unique start, any case, and a full id", async () => {
    await expect(resolveJobId(db, "bbbb")).resolves.toBe(ids[2]);
    await expect(resolveJobId(db, "AAAA1")).resolves.toBe(ids[0]);
    await expect(resolveJobId(db, ids[1]!)).resolves.toBe(ids[1]);
  });

  it("lists the matches of an ambiguous start", async () => {
    const error = await resolveJobId(db, "aaaa").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(`"aaaa" starts more than one job id`);
    expect((error as Error).message).toContain(ids[0]);
    expect((error as Error).message).toContain(ids[1]);
  });

  it("refuses a start that is too short, not hex, or matches nothing", async () => {
    await expect(resolveJobId(db, "aaa")).rejects.toThrow(/at least its first 4 characters/);
    await expect(resolveJobId(db, "aa%_")).rejects.toThrow(/is not a job id/);
    await expect(resolveJobId(db, "cccc")).rejects.toThrow(/no job id starts with "cccc"/);
    expect(await findJobIdsByPrefix(db, "%")).toEqual([]);
  });

  it("lists jobs with the person's name", async () => {
    const rows = await listJobSummaries(db, { clerkUserId: DEMO_USER_ID });
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
    expect(rows[0]!.display_name).toBe("Demo Investor");
  });
});
