/**
 * meridian reference ingestion broker — entry point.
 *
 * Run from this folder: `node --import tsx main.ts`. Configuration comes from `MERIDIAN_*`
 * environment variables (see `config.ts` and README.md); invalid values exit with code 2. Events
 * are JSON lines on stdout; startup failures go to stderr.
 */
import { Broker } from './broker.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { BrokerConfig } from './config.ts';
import { EventLog, streamSink } from './event-log.ts';
import { installShutdown } from './shutdown.ts';

function fail(message: string, code: number): never {
  process.stderr.write(`meridian-broker: ${message}\n`);
  process.exit(code);
}

let config: BrokerConfig;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`, 2);
  throw err;
}

const log = new EventLog(streamSink(process.stdout));

const broker = new Broker(config, log);
installShutdown({ target: broker, log, drainMs: config.drainMs, exit: (code) => process.exit(code) });

process.on('uncaughtException', (err) => {
  log.event('fatal', { reason: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.stderr.write(`meridian-broker: fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  setTimeout(() => process.exit(1), 500);
  void log.close().then(() => process.exit(1));
});

try {
  await broker.listen();
} catch (err) {
  await log.close();
  fail(`cannot listen on ${config.host}:${config.port}: ${err instanceof Error ? err.message : String(err)}`, 1);
}
