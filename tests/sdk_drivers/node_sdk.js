// Drives Callr's official legacy Node SDK (npm "callr", THECALLR/sdk-nodejs) for
// tests/test_official_sdks.py: one JSON request per stdin line ({method, params}), one JSON
// answer per stdout line ({result} or {error: {code, message}}), in order.
// The SDK only speaks HTTPS on port 443 to its apiUrl; its documented proxyAgent option
// is given an agent whose connections go, in plain TCP, to the sandbox (argv: url login
// password [loginAsType loginAsTarget]). Nothing of the SDK is changed.
"use strict";
const https = require("https");
const net = require("net");
const readline = require("readline");
const path = require("path");

const [url, login, password, loginAsType, loginAsTarget] = process.argv.slice(2);
const target = new URL(url);
const callr = require(path.join(process.env.CALLR_MOCK_NODE_TOOLS, "node_modules", "callr"));

class SandboxAgent extends https.Agent {
  createConnection(options, callback) {
    const socket = net.connect({ host: target.hostname, port: Number(target.port) });
    if (callback) socket.once("connect", () => callback(null, socket));
    return socket;
  }
}

const config = { proxyAgent: new SandboxAgent({ keepAlive: false }) };
const api = new callr.api(login, password, config);
api.apiUrl = url; // the README: "allow api url to be changed"; Host is then 127.0.0.1
if (loginAsType) api.setLoginAs(loginAsType, loginAsTarget);

const lines = readline.createInterface({ input: process.stdin });
const queue = [];
let busy = false;

function next() {
  if (busy || queue.length === 0) return;
  busy = true;
  const request = JSON.parse(queue.shift());
  let done = false;
  const answer = (body) => {
    if (done) return;
    done = true;
    process.stdout.write(JSON.stringify(body) + "\n");
    busy = false;
    next();
  };
  api
    .send(request.method, request.params)
    .success((result) => answer({ result: result === undefined ? null : result }))
    .error((error) => answer({ error: { code: error.code, message: error.message, data: error.data || null } }));
}

lines.on("line", (line) => {
  queue.push(line);
  next();
});
