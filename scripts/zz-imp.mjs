import module from "node:module";
module.enableCompileCache("/tmp/h25d/cc2");
const pk = process.argv[2];
const c0 = process.cpuUsage(); const t0 = performance.now();
if (pk !== "none") for (const p of pk.split(",")) await import(p);
const c = process.cpuUsage(c0);
console.log(`${pk.padEnd(40)} ${(performance.now() - t0).toFixed(0).padStart(5)} ms wall ${((c.user + c.system) / 1000).toFixed(0).padStart(5)} ms cpu`);
