/**
 * Starts and stops the admin server: restore the consumers, listen, and on SIGINT/SIGTERM stop
 * accepting requests, stop every consumer (flush, commit), save the state, exit 0.
 */
import type { Server } from 'node:http';
import type { AdminSettings } from './settings.js';
import { ErrorCodes, HarnessError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { createAdminApp } from './app.js';
import { ClusterView } from './cluster-view.js';
import { ConsumerManager } from './consumer-manager.js';
import { LagService } from './lag-service.js';
import { AdminStateSchema, type AdminState } from './schemas.js';
import { assertSafeToListen } from './security.js';
import { StateStore } from './state-store.js';

export interface RunningAdmin {
  server: Server;
  manager: ConsumerManager;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  close(): Promise<void>;
}

export const lagPollMs = 5_000;

export async function startAdminServer(admin: AdminSettings, brokers: readonly string[], log: Logger): Promise<RunningAdmin> {
  assertSafeToListen(admin);
  const store = new StateStore<AdminState>({ path: admin.stateFile, validate: (data) => AdminStateSchema.parse(data) });
  const manager = new ConsumerManager({ context: { admin, brokers }, store, log });
  const lag = new LagService({ log });
  await manager.restore();
  lag.startPolling(
    () => manager.list().map(({ definition }) => ({ brokers: definition.brokers, group: definition.group, topic: definition.topic })),
    lagPollMs,
  );

  const view = new ClusterView({
    brokers,
    log,
    adminConsumers: () =>
      manager.list().map((consumer) => ({
        name: consumer.definition.name,
        group: consumer.definition.group,
        topic: consumer.definition.topic,
        clientId: consumer.clientId,
        status: consumer.status,
        partitions: consumer.partitions,
        positions: consumer.positions,
      })),
  });
  const app = createAdminApp({ admin, brokers, manager, lag, view, log });
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      // Express 5 calls this back with the error too (a port in use), not only once listening.
      const listening = app.listen(admin.port, admin.host, (error?: Error) => (error ? reject(error) : resolve(listening)));
    });
  } catch (error) {
    // The restored consumers run already: stop them (flush, commit) before reporting, e.g., a port in use.
    await manager.close();
    await lag.close();
    view.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new HarnessError(ErrorCodes.portInUse, `${admin.host}:${admin.port} is in use: stop what listens there, or choose another ADMIN_PORT`, {
        cause: error,
      });
    }
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : admin.port;
  const url = `http://${admin.host.includes(':') ? `[${admin.host}]` : admin.host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    server,
    manager,
    url,
    close() {
      closing ??= (async () => {
        // No new requests; idle keep-alive connections must not hold the shutdown open.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Pages watching a topic hold their connection open: stop their pollers first.
        view.close();
        await manager.close();
        await lag.close();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
