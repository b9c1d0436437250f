import validator from "asl-validator";
import { describe, expect, it } from "vitest";
import { TASK_NAMES, TASKS, taskTimeout } from "../../lib/pipeline/tasks.js";
import { buildDefinition, SPECIALIST_STATE, STATE, serializeDefinition } from "../../state-machine/definition.js";
import { LOCAL_ARNS, taskStates } from "../../state-machine/local-executor.js";

const arns = Object.fromEntries(
  TASK_NAMES.map((t) => [t, `arn:aws:lambda:eu-west-1:123456789012:function:alex-${t}`]),
) as typeof LOCAL_ARNS;

describe("the state machine definition", () => {
  it("is valid ASL according to asl-validator", () => {
    const { isValid, errorsText } = validator(structuredClone(buildDefinition(arns)), {
      checkPaths: true,
      checkArn: true,
    });
    expect(errorsText?.("\n") ?? "").toBe("");
    expect(isValid).toBe(true);
  });

  it("is valid ASL with the local ARNs too (the local executor runs it unvalidated, to start fast)", () => {
    const { isValid, errorsText } = validator(structuredClone(buildDefinition(LOCAL_ARNS)), {
      checkPaths: true,
      checkArn: true,
    });
    expect(errorsText?.("\n") ?? "").toBe("");
    expect(isValid).toBe(true);
  });

  it("is JSONPath only (the local interpreter silently mis-runs JSONata)", () => {
    expect(serializeDefinition(arns)).not.toMatch(/JSONata|"Arguments"|"Output"|\{%/);
  });

  it("calls every task's own function, and only through the ARNs given", () => {
    const states = taskStates(buildDefinition(arns), arns);
    expect(Object.fromEntries(states)).toEqual({
      [STATE.prepareJob]: "prepareJob",
      [STATE.refreshPrices]: "refreshPrices",
      [STATE.tagInstruments]: "tagger",
      [STATE.planAnalysis]: "planner",
      [SPECIALIST_STATE.reporter]: "reporter",
      [SPECIALIST_STATE.charter]: "charter",
      [SPECIALIST_STATE.retirement]: "retirement",
      [STATE.finalizeJob]: "finalizeJob",
      [STATE.markJobFailed]: "markJobFailed",
    });
  });

  it("gives agents longer timeouts than bookkeeping, each a little above its Lambda timeout", () => {
    const definition = buildDefinition(arns);
    const inMap = (
      definition.States[STATE.runSpecialists] as {
        ItemProcessor: { States: Record<string, { TimeoutSeconds: number }> };
      }
    ).ItemProcessor.States;
    expect(inMap[SPECIALIST_STATE.reporter].TimeoutSeconds).toBe(TASKS.reporter.timeoutSeconds + 5);
    expect((definition.States[STATE.prepareJob] as { TimeoutSeconds: number }).TimeoutSeconds).toBe(
      taskTimeout("prepareJob"),
    );
    expect(taskTimeout("planner")).toBeGreaterThan(taskTimeout("finalizeJob"));
  });

  it("retries ThrottledError with capped backoff (no jitter) and Lambda service errors with jitter on every Task", () => {
    const definition = buildDefinition(arns);
    const task = definition.States[STATE.planAnalysis] as {
      Retry: { ErrorEquals: string[]; JitterStrategy: string; BackoffRate: number }[];
    };
    expect(task.Retry[0].ErrorEquals).toEqual(["Lambda.TooManyRequestsException", "ThrottledError"]);
    expect(task.Retry[0]).toMatchObject({ JitterStrategy: "NONE", BackoffRate: 1.5 });
    expect(task.Retry[1].ErrorEquals).toEqual(expect.arrayContaining(["Lambda.ServiceException"]));
    expect(task.Retry[1]).toMatchObject({ JitterStrategy: "FULL", BackoffRate: 2 });
  });
});
