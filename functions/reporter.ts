import { writeReport } from "../lib/agents/reporter.js";
import { lambdaHandler } from "./lambda.js";
import { specialistTask } from "./specialist.js";

export const reporter = specialistTask("reporter", "Write report", writeReport);
export const handler = lambdaHandler(reporter);
