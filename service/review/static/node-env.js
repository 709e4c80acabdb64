/* @recogito/text-annotator's browser bundle (text-annotator.umd.js) still reads
 * `process.env.NODE_ENV`, a Node.js global that bundlers usually replace (nanostores' dev-only
 * hooks); a browser has no `process`, so the page defines the one value it reads, before the bundle. */
window.process = window.process || { env: { NODE_ENV: "production" } };
