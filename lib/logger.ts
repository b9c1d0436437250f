import { Console } from "node:console";
import { Logger } from "@aws-lambda-powertools/logger";

type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
type LoggerOptions = ConstructorParameters<typeof Logger>[0];

const onLambda = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);
const level = (process.env.ALEX_LOG_LEVEL ?? (onLambda ? "INFO" : "WARN")) as LogLevel;

/**
 * Off Lambda, every log line goes to stderr at every level, so a CLI's stdout carries only data
 * (`--json` output stays parseable with ALEX_LOG_LEVEL=DEBUG). Child loggers inherit it.
 */
class StderrLogger extends Logger {
  constructor(options?: LoggerOptions) {
    super(options);
    (this as unknown as { console: Console }).console = new Console({ stdout: process.stderr, stderr: process.stderr });
  }

  protected override createLogger(options?: LoggerOptions): Logger {
    return new StderrLogger(options);
  }
}

/** JSON-lines logger (Powertools). Locally quiet by default (ALEX_LOG_LEVEL) and on stderr; INFO on Lambda. */
export const logger: Logger = onLambda
  ? new Logger({ serviceName: "alex", logLevel: level })
  : new StderrLogger({ serviceName: "alex", logLevel: level });

/** A child logger whose every line carries the agent and the job id. */
export function agentLogger(agent: string, jobId?: string): Logger {
  return logger.createChild({ persistentKeys: { agent, ...(jobId ? { jobId } : {}) } });
}
