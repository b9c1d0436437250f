import { writeReport } from "../lib/agents/reporter.js";
import { SPECIALIST_STATE } from "../lib/pipeline/states.js";
import { lambdaHandler } from "./lambda.js";
import { specialistTask } from "./specialist.js";

export const reporter = specialistTask("reporter", SPECIALIST_STATE.reporter, writeReport);
export const handler = lambdaHandler(reporter);
