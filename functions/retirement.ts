import { projectRetirement } from "../lib/agents/retirement.js";
import { lambdaHandler } from "./lambda.js";
import { specialistTask } from "./specialist.js";

export const retirement = specialistTask("retirement", "Project retirement", projectRetirement);
export const handler = lambdaHandler(retirement);
