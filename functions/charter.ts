import { drawCharts } from "../lib/agents/charter.js";
import { SPECIALIST_STATE } from "../lib/pipeline/states.js";
import { lambdaHandler } from "./lambda.js";
import { specialistTask } from "./specialist.js";

export const charter = specialistTask("charter", SPECIALIST_STATE.charter, drawCharts);
export const handler = lambdaHandler(charter);
