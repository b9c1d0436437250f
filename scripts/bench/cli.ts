/**
 * Whole-process timings of the CLI: `npm start` (the demo job) on an existing and on a new database, and
 * `alex --help`. Each run is a new process of the project's Node (this process's `node`), with its own
 * database and knowledge directories; CPU seconds and peak RSS come from GNU time (`/usr/bin/time -v`) when
 * it is installed. `npm start` is timed both as the README runs it (npm, then its script) and as the bare
 * script (without npm's own start-up).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

const GNU_TIME = "/usr/bin/time";

export interface ProcessRun {
  wallMs: number;
  /** CPU time of the process tree, user + system, ms (GNU time), when measurable: less noisy than wall time on a shared machine. */
  cpuMs?: number;
  /** Peak resident set size of the process tree, MiB (GNU time), when measurable. */
  peakRssMiB?: number;
  exitCode: number;
}

interface Command {
  file: string;
  args: string[];
  env?: Record<string, string>;
}

/** Runs a command to its end, timing it from spawn to exit (and its peak RSS when GNU time is there). */
export function timeProcess(command: Command): Promise<ProcessRun> {
  const withTime = existsSync(GNU_TIME);
  const [file, args] = withTime ? [GNU_TIME, ["-v", command.file, ...command.args]] : [command.file, command.args];
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(file, args, {
      env: { ...process.env, ...command.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - start;
      const rssKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1];
      const system = /System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1];
      const cpuMs = user && system ? (Number(user) + Number(system)) * 1000 : undefined;
      const exitCode = code ?? 1;
      if (exitCode !== 0) {
        const tail = stderr.split("\n").filter((l) => !/^\s/.test(l) && l.trim() !== "");
        reject(
          new Error(`${command.file} ${command.args.join(" ")} exited ${exitCode}: ${tail.slice(-3).join(" | ")}`),
        );
        return;
      }
      resolvePromise({ wallMs, cpuMs, exitCode, peakRssMiB: rssKb ? Number(rssKb) / 1024 : undefined });
    });
  });
}

/** package.json's `start` script as a command: `node …` runs on this Node, anything else through `sh -c`. */
function startCommand(extraArgs: string[]): Command {
  const script: string = JSON.parse(readFileSync("package.json", "utf8")).scripts.start;
  const words = script.trim().split(/\s+/);
  if (words[0] === "node" && !/[|&;<>$`"']/.test(script)) {
    return { file: process.execPath, args: [...words.slice(1), ...extraArgs] };
  }
  const path = [resolve("node_modules/.bin"), process.env.PATH ?? ""].join(delimiter);
  return { file: "sh", args: ["-c", `${script} "$@"`, "start", ...extraArgs], env: { PATH: path } };
}

/** The `alex` bin of package.json, run on this Node. */
function alexCommand(args: string[]): Command {
  const bin: string = JSON.parse(readFileSync("package.json", "utf8")).bin.alex;
  return { file: process.execPath, args: [bin, ...args] };
}

/** A fresh place for the demo's database, knowledge base and output (removed by `dispose`). */
export class DemoHome {
  readonly dir = mkdtempSync(join(tmpdir(), "alex-bench-home-"));

  env(): Record<string, string> {
    return {
      ALEX_DB_DIR: join(this.dir, "db"),
      ALEX_KNOWLEDGE_DIR: join(this.dir, "knowledge"),
      ALEX_MODEL: "offline",
      ALEX_DB: "pglite",
      ALEX_LOG_LEVEL: "SILENT",
    };
  }

  /** `npm start` (without npm itself) in this home. */
  start(): Promise<ProcessRun> {
    return timeProcess({ ...startCommand(["--out", join(this.dir, "out")]), env: this.env() });
  }

  /** `npm start` as the README runs it (npm's own start-up included), in this home. */
  npmStart(): Promise<ProcessRun> {
    return timeProcess({ file: "npm", args: ["start", "--", "--out", join(this.dir, "out")], env: this.env() });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `alex --help`, whole process. */
export function help(): Promise<ProcessRun> {
  return timeProcess({ ...alexCommand(["--help"]), env: { ALEX_LOG_LEVEL: "SILENT" } });
}
