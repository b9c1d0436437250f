import { describe, expect, it } from "vitest";
import { AGENT_FUNCTIONS } from "../../lib/roster.js";
import { perJob } from "../../lib/scale/limits.js";
import {
  AGENT_PROFILES,
  MEASURED,
  MeasuredWorkloadSchema,
  measurements,
  profilesFrom,
  withLongerAnswers,
} from "../../lib/scale/workload.js";

const counts = (jobs: number) => ({
  jobs,
  measured: Object.fromEntries(
    AGENT_FUNCTIONS.map((name, i) => [
      name,
      {
        invocations: jobs - i,
        calls: 2 * (jobs - i),
        inputTokens: 1000 * (jobs - i),
        outputTokens: 300 * (jobs - i),
        modelMs: 4000 * (jobs - i),
      },
    ]),
  ),
  taskInvocations: { prepareJob: jobs, planner: jobs - 1, refreshPrices: jobs / 4 },
  taskWallMs: { prepareJob: 150 * jobs, planner: 4500 * (jobs - 1), refreshPrices: 100 },
  embeddingCalls: 3 * jobs,
  loadAverage: [1.5, 2.25] as [number, number],
});

describe("the measured workload", () => {
  it("turns a load run's counts into per-invocation figures, model time taken out of the service time", () => {
    const m = measurements(counts(20), "npm run load -- --jobs 20", new Date("2026-12-07T12:00:00Z"));
    expect(m.measuredOn).toBe("2026-12-07");
    expect(m.agents.tagger).toEqual({
      invocationsPerJob: 1,
      callsPerInvocation: 2,
      inputTokensPerCall: 500,
      outputTokensPerCall: 150,
      overheadSeconds: 0,
    });
    // planner: 19 invocations, 4,500 ms wall each of which 2 × 2,000 ms were model calls.
    expect(m.agents.planner?.overheadSeconds).toBeCloseTo(0.5, 3);
    expect(m.agents.planner?.invocationsPerJob).toBe(0.95);
    expect(m.taskSeconds.prepareJob).toBe(0.15);
    expect(m.tasksPerJob.refreshPrices).toBe(0.25);
    expect(m.embeddingCallsPerJob).toBe(3);
    expect(m.loadAverage).toEqual([1.5, 2.25]);
  });

  it("refuses a run in which an agent never ran, naming it", () => {
    const run = counts(5);
    delete run.measured.charter;
    expect(() => measurements(run, "x")).toThrow("the charter agent never ran");
  });

  it("is what the sizing uses, and a file missing a field is refused by name", () => {
    expect(AGENT_PROFILES).toEqual(profilesFrom(MEASURED));
    const broken = structuredClone(MEASURED) as Record<string, unknown>;
    delete (broken.agents as Record<string, Record<string, unknown>>).reporter.overheadSeconds;
    const parsed = MeasuredWorkloadSchema.safeParse(broken);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].path).toEqual(["agents", "reporter", "overheadSeconds"]);
  });

  it("estimates a specialist not measured yet from the measured ones, and refuses an unmeasured lead agent", () => {
    const unmeasured = structuredClone(MEASURED);
    delete unmeasured.agents.charter;
    const profiles = profilesFrom(unmeasured);
    const { reporter, retirement } = MEASURED.agents as Required<typeof MEASURED.agents>;
    expect(profiles.charter.callsPerInvocation).toBeCloseTo(
      (reporter.callsPerInvocation + retirement.callsPerInvocation) / 2,
      9,
    );
    expect(profiles.charter.share).toBeCloseTo((reporter.invocationsPerJob + retirement.invocationsPerJob) / 2, 9);
    expect(profiles.charter.memoryMB).toBe(512);
    expect(profiles.reporter).toEqual(AGENT_PROFILES.reporter);
    delete unmeasured.agents.planner;
    expect(() => profilesFrom(unmeasured)).toThrow("no figures for the planner agent");
  });

  it("refuses figures for an agent the roster does not have", () => {
    const unknown = { ...MEASURED, agents: { ...MEASURED.agents, painter: MEASURED.agents.charter } };
    expect(MeasuredWorkloadSchema.safeParse(unknown).success).toBe(false);
  });

  it("makes answers longer for the sensitivity range without touching the prompts", () => {
    const longer = withLongerAnswers(AGENT_PROFILES, 3);
    for (const name of AGENT_FUNCTIONS) {
      expect(longer[name].outputTokensPerCall).toBe(Math.round(AGENT_PROFILES[name].outputTokensPerCall * 3));
      expect(longer[name].inputTokensPerCall).toBe(AGENT_PROFILES[name].inputTokensPerCall);
    }
    expect(perJob(longer).tokens).toBeGreaterThan(perJob().tokens);
  });
});
