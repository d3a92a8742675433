// Drives headless Chromium over the DevTools protocol for the `serve` test:
//   node --experimental-websocket preview.mjs CHROMIUM URL
// Opens URL, waits for the player's metadata and prints one JSON line
// ({"duration": …, "title": …}); then waits for a line on stdin (the test
// has edited the show), waits (at most 10 s) for the page to reload by
// itself and prints {"title": …} as it then reads.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import readline from "node:readline";

const [chromium, url] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "podsmith-chromium-"));
const browser = spawn(chromium, [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--mute-audio", "--autoplay-policy=no-user-gesture-required", "--remote-debugging-port=0",
  `--user-data-dir=${profile}`, "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });
const done = (code) => { browser.kill(); try { rmSync(profile, { recursive: true, force: true }); } catch {} process.exit(code); };
setTimeout(() => { console.error("timed out"); done(2); }, 60000);

const port = await new Promise((resolve) => {
  let seen = "";
  browser.stderr.on("data", (d) => {
    seen += d;
    const m = seen.match(/DevTools listening on ws:\/\/[^:]+:(\d+)\//);
    if (m) resolve(m[1]);
  });
});
const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const page = targets.find((t) => t.type === "page");
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener("open", r));
let id = 0;
const pending = new Map();
ws.addEventListener("message", (e) => {
  const m = JSON.parse(e.data);
  if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); }
});
const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
const evaluate = async (expression) => {
  const r = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
  return r.result && r.result.result ? r.result.result.value : undefined;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const title = () => evaluate("document.querySelector('h1') ? document.querySelector('h1').textContent : null");

await send("Page.enable");
await send("Page.navigate", { url });
for (let i = 0; i < 100 && (await evaluate("document.readyState")) !== "complete"; i++) await sleep(100);
const duration = await evaluate(`new Promise((r) => {
  const p = document.querySelector("audio");
  if (!p) return r(null);
  p.preload = "metadata"; p.load();
  if (p.readyState >= 1) return r(p.duration);
  p.addEventListener("loadedmetadata", () => r(p.duration));
  setTimeout(() => r(-1), 10000);
})`);
const before = await title();
console.log(JSON.stringify({ duration, title: before }));

const rl = readline.createInterface({ input: process.stdin });
await new Promise((r) => rl.once("line", r));
let after = before;
// (While the page reloads it has no heading yet: wait for the new one.)
for (let i = 0; i < 100 && (after === before || after == null); i++) {
  await sleep(100);
  try { after = await title(); } catch { after = before; }
}
console.log(JSON.stringify({ title: after }));
done(0);
