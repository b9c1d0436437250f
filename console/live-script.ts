/** The live view's browser script: redraws the graph on each server-sent event, then links the finished job. */
export const LIVE_SCRIPT = `
const section = document.getElementById("live");
const job = section.dataset.job;
const status = document.getElementById("live-status");
const graph = document.getElementById("live-graph");
const link = document.getElementById("live-link");
const source = new EventSource("/jobs/" + job + "/events");
source.addEventListener("graph", (event) => {
  const { svg, state } = JSON.parse(event.data);
  graph.innerHTML = svg;
  if (state) status.textContent = "Running: " + state;
});
source.addEventListener("end", (event) => {
  const { status: jobStatus, complete } = JSON.parse(event.data);
  status.textContent = complete ? "Analysis complete" : "Job " + jobStatus;
  link.hidden = false;
  source.close();
});
`;
