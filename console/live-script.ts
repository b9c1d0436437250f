/**
 * The live view's browser script: recolours the graph on each server-sent event (its layout is final from the
 * first frame), lists every running state, and opens the job's page once it has ended.
 */
export const LIVE_SCRIPT = `
const section = document.getElementById("live");
const job = section.dataset.job;
const status = document.getElementById("live-status");
const graph = document.getElementById("live-graph");
const link = document.getElementById("live-link");
const source = new EventSource("/jobs/" + job + "/events");
source.addEventListener("graph", (event) => {
  const { svg, running } = JSON.parse(event.data);
  graph.innerHTML = svg;
  if (running && running.length > 0) status.textContent = "Running: " + running.join(", ");
});
source.addEventListener("end", (event) => {
  const { status: jobStatus, complete } = JSON.parse(event.data);
  source.close();
  link.hidden = false;
  if (jobStatus === "not running") return;
  status.textContent = (complete ? "Analysis complete" : "Job " + jobStatus) + ": opening its page…";
  setTimeout(() => location.assign("/jobs/" + job), 600);
});
`;

/**
 * The home page's script: uploads the form with a progress bar; a refused file is explained on the same page,
 * with the form and the chosen file kept; an accepted one opens its live view.
 */
export const FORM_SCRIPT = `
const form = document.getElementById("analyse-form");
const progress = document.getElementById("upload-progress");
const problem = document.getElementById("form-error");
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = new FormData(form);
  if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
  const request = new XMLHttpRequest();
  request.open("POST", form.action);
  progress.hidden = false;
  const bar = progress.querySelector("progress");
  const label = progress.querySelector("span");
  request.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    label.textContent = bar.value < 100 ? "Uploading… " + bar.value + "%" : "Checking the file…";
  });
  request.addEventListener("load", () => {
    if (request.status < 400) return location.assign(request.responseURL);
    const page = new DOMParser().parseFromString(request.responseText, "text/html");
    const error = page.getElementById("form-error") || page.getElementById("error");
    problem.innerHTML = error ? error.innerHTML : "The server refused the request (" + request.status + ").";
    problem.className = "error";
    problem.hidden = false;
    progress.hidden = true;
  });
  request.addEventListener("error", () => {
    label.textContent = "The upload failed: is the console still running?";
  });
  request.send(data);
});
`;
