'use strict';
// Start the mockllm server as a subprocess for live tests, and ask it for expected answers.
const { spawn, execFileSync } = require('node:child_process');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..', '..');
const BANNER = /base URL: (http:\/\/127\.0\.0\.1:\d+)\/v1/;
const START_TIMEOUT_MS = 30000;

/**
 * Run `python serve.py --port 0 --speed 0 --seed 1` (python from $MOCKLLM_PYTHON, else python3)
 * and resolve with {url, stop(), output()} once the banner names the port.
 */
function startServer(args = ['--speed', '0', '--seed', '1']) {
  const python = process.env.MOCKLLM_PYTHON || 'python3';
  const child = spawn(python, ['serve.py', '--port', '0', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const keep = (data) => {
    lines.push(...data.toString('utf8').split('\n'));
    lines.splice(0, Math.max(0, lines.length - 200));
  };
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(`no banner after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    function fail(why) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`mockllm server did not start (${python} serve.py): ${why}\n${stdout}${lines.join('\n')}`));
    }
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code) => fail(`exited with code ${code}`));
    child.stdout.on('data', (data) => {
      stdout += data.toString('utf8');
      const found = BANNER.exec(stdout);
      if (!found) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.on('data', keep);
      resolve({
        url: found[1],
        output: () => lines.join('\n'),
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

const SUMMARY = `
import json
from mockllm.scenarios.loading import load_catalog
from mockllm.server.config import ServerConfig
from mockllm.stream.faults import uses_faults
catalog = load_catalog(ServerConfig().scenarios)
print(json.dumps([
    {
        "name": name,
        "faults": uses_faults(s),
        "attempts": bool(getattr(s, "attempts", None)),
        "wire": s.wire.model_dump(exclude_defaults=True),
    }
    for name, s in catalog.scenarios.items()
]))
`;

/** The shipped scenarios: [{name, faults (transport faults), attempts (answers change per attempt), wire (non-default options)}]. */
function shippedScenarios() {
  const python = process.env.MOCKLLM_PYTHON || 'python3';
  try {
    return JSON.parse(execFileSync(python, ['-c', SUMMARY], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (err) {
    throw new Error(`${python} cannot load the scenarios; set MOCKLLM_PYTHON to a Python with mockllm installed.\n${err.stderr || err.message}`);
  }
}

module.exports = { startServer, shippedScenarios, REPO };
