// Stands in for zod/v4/locales/index.js in the Lambda bundles (stacks/bundle-plugins.mjs): English only.
export { default as en } from "zod/v4/locales/en.js";
