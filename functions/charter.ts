import { drawCharts } from "../lib/agents/charter.js";
import { lambdaHandler } from "./lambda.js";
import { specialistTask } from "./specialist.js";

export const charter = specialistTask("charter", "Draw charts", drawCharts);
export const handler = lambdaHandler(charter);
