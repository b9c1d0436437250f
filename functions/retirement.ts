import { projectRetirement } from "../lib/agents/retirement.js";
import { SPECIALIST_STATE } from "../lib/pipeline/states.js";
import { lambdaHandler } from "./lambda.js";
import { specialistTask } from "./specialist.js";

export const retirement = specialistTask("retirement", SPECIALIST_STATE.retirement, projectRetirement);
export const handler = lambdaHandler(retirement);
