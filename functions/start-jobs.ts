import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createJobStarterHandler } from "../lib/pipeline/job-starter.js";

const region = process.env.DEFAULT_AWS_REGION;

/** SQS event source on the jobs queue: starts analyses within the model quota's budget (lib/pipeline/admission.ts). */
export const handler = createJobStarterHandler({
  sfn: new SFNClient({ region }),
  sqs: new SQSClient({ region }),
  env: process.env,
});
