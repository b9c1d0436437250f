import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTaggingNote } from "../../lib/agents/reporter.js";
import { tagInstrumentsOfJob } from "../../lib/db/repositories/instruments.js";
import { GATE_FAILED_SYMBOLS, readJobOutputs } from "../../lib/db/repositories/job-outputs.js";
import {
  claimJobListingUntagged,
  createJob,
  getJobAggregate,
  NAMED_TAGGING_FAILURES,
} from "../../lib/db/repositories/jobs.js";
import { qualityGate } from "../../lib/pipeline/quality-gate.js";
import { DataApiFake } from "../support/data-api-fake.js";

describe("the quality gate's read stays within the Data API's 64 KB row", () => {
  let fake: DataApiFake;
  beforeAll(async () => {
    fake = await DataApiFake.start();
  });
  afterAll(() => fake.close());

  it("reads a bounded list of the tagger's failures when thousands of holdings could not be classified", async () => {
    const db = fake.db();
    await db.query("INSERT INTO users (clerk_user_id) VALUES ('many-failures') ON CONFLICT DO NOTHING");
    const jobId = await createJob(db, { clerk_user_id: "many-failures" });
    await claimJobListingUntagged(db, jobId, "execution-1");
    const failed = Array.from({ length: 5000 }, (_, i) => ({
      symbol: `Z${i}`,
      error: "ModelBehaviorError: the model's answer did not match the classification schema",
    }));
    await tagInstrumentsOfJob(db, jobId, [], { requested: 5000, tagged: [], failed });

    const outputs = await readJobOutputs(db, jobId);
    expect(outputs?.tagging?.failed_count).toBe(5000);
    expect(outputs?.tagging?.failed).toHaveLength(GATE_FAILED_SYMBOLS);
    expect(outputs?.tagging?.failed[0]).toEqual({ symbol: "Z0" });

    const gate = qualityGate({
      chosen: [],
      portfolio: null,
      report: null,
      charts: null,
      retirement: null,
      tagging: outputs?.tagging ?? null,
      reviewThreshold: 80,
    });
    expect(gate.passed).toBe(false);
    expect(gate.reasons).toHaveLength(1);
    expect(gate.reasons[0]).toMatch(/^tagging: 5000 symbols \(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9 and 4990 more\)/);
    expect(gate.reasons[0].length).toBeLessThan(300);

    // The reporter reads the count and the first few symbols with the aggregate; its note passes the gate.
    const read = await getJobAggregate(db, jobId, { taggingFailures: true });
    const symbols = failed.slice(0, NAMED_TAGGING_FAILURES).map((f) => f.symbol);
    expect(read?.tagging_failures).toEqual({ count: 5000, symbols });
    const note = withTaggingNote("", read?.tagging_failures ?? null);
    expect(note).toContain(`5,000 holdings could not be classified (${symbols.join(", ")} and 4,990 more)`);
    const noted = qualityGate({
      chosen: [],
      portfolio: null,
      report: { content: note },
      charts: null,
      retirement: null,
      tagging: outputs?.tagging ?? null,
      reviewThreshold: 80,
    });
    expect(noted.reasons.filter((reason) => reason.startsWith("tagging:"))).toEqual([]);
    // Asked for the aggregate alone, the failures are not read.
    expect((await getJobAggregate(db, jobId))?.tagging_failures).toBeUndefined();
  });
});
