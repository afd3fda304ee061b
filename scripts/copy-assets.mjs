// Copies the browser builds of the npm dependencies (versions pinned in package-lock.json) into the
// server's wwwroot/lib, which is not committed. scripts/assets.sh runs `npm ci` first.
import { cpSync, mkdirSync, rmSync, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "src", "BinderOrleans.Server", "wwwroot", "lib");

// [package, file inside the package, destination below wwwroot/lib]
const files = [
  ["@xterm/xterm", "lib/xterm.js", "xterm/xterm.js"],
  ["@xterm/xterm", "css/xterm.css", "xterm/xterm.css"],
  ["@xterm/xterm", "LICENSE", "xterm/LICENSE"],
  ["@xterm/addon-fit", "lib/addon-fit.js", "xterm/addon-fit.js"],
  ["@xterm/addon-fit", "LICENSE", "xterm/addon-fit.LICENSE"],
  ["@microsoft/signalr", "dist/browser/signalr.min.js", "signalr/signalr.min.js"],
];

rmSync(target, { recursive: true, force: true });
const versions = {};
for (const [pkg, file, dest] of files) {
  const source = join(root, "node_modules", pkg, file);
  if (!existsSync(source)) {
    if (file.endsWith("LICENSE")) continue;
    console.error(`copy-assets: ${pkg}/${file} is missing; run npm ci first.`);
    process.exit(1);
  }
  mkdirSync(dirname(join(target, dest)), { recursive: true });
  cpSync(source, join(target, dest));
  versions[pkg] = JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")).version;
}
console.log(`copy-assets: ${Object.entries(versions).map(([p, v]) => `${p}@${v}`).join(", ")} -> ${target}`);
