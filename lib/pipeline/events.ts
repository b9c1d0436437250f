/** Execution statuses after which nothing will ever move the job on. */
export const ENDED_UNSUCCESSFULLY = ["FAILED", "TIMED_OUT", "ABORTED"] as const;
export type EndedUnsuccessfully = (typeof ENDED_UNSUCCESSFULLY)[number];

export const EXECUTION_STATUS_CHANGE = "Step Functions Execution Status Change";

/** The EventBridge pattern for executions of one state machine that ended without succeeding. */
export function executionEndedPattern(stateMachineArn: string) {
  return {
    source: ["aws.states"],
    "detail-type": [EXECUTION_STATUS_CHANGE],
    detail: { stateMachineArn: [stateMachineArn], status: [...ENDED_UNSUCCESSFULLY] },
  };
}
