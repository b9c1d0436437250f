import { execFileSync } from "node:child_process";
import { cpus, loadavg, platform, release, totalmem } from "node:os";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  /** 1, 5 and 15 minute load averages when the bench started. */
  loadAverage: number[];
  node: string;
  os: string;
  gitCommit: string;
  /** Uncommitted changes in the worktree when the bench ran. */
  gitDirty: boolean;
}

const git = (...args: string[]) => {
  try {
    return execFileSync("git", args, { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
};

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    os: `${platform()} ${release()}`,
    gitCommit: git("rev-parse", "HEAD") || "unknown",
    gitDirty: git("status", "--porcelain") !== "",
  };
}
