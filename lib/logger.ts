import { Logger } from "@aws-lambda-powertools/logger";

type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";

const level = (process.env.ALEX_LOG_LEVEL ?? (process.env.AWS_LAMBDA_FUNCTION_NAME ? "INFO" : "WARN")) as LogLevel;

/** JSON-lines logger (Powertools). Locally quiet by default (ALEX_LOG_LEVEL), INFO on Lambda. */
export const logger = new Logger({ serviceName: "alex", logLevel: level });

/** A child logger whose every line carries the agent and the job id. */
export function agentLogger(agent: string, jobId?: string): Logger {
  return logger.createChild({ persistentKeys: { agent, ...(jobId ? { jobId } : {}) } });
}
