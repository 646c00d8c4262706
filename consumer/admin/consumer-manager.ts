/**
 * The admin server's consumers: create, update, delete, and the lifecycle transitions, with the
 * definitions and each one's status kept in the state file so a restarted server brings back what
 * was running.
 */
import type { Logger } from '../../shared/logger.js';
import { defineConsumer, type DefinitionContext } from './definitions.js';
import type { Action } from './lifecycle.js';
import { ManagedConsumer } from './managed-consumer.js';
import { conflict, notFound, serviceUnavailable } from './problem.js';
import type { AdminState, ConsumerInput, StoredConsumer } from './schemas.js';
import type { StateStore } from './state-store.js';

export interface ConsumerManagerOptions {
  context: DefinitionContext;
  store: StateStore<AdminState>;
  log: Logger;
}

const shuttingDown = () => serviceUnavailable('the server is shutting down');

export class ConsumerManager {
  readonly #consumers = new Map<string, ManagedConsumer>();
  readonly #options: ConsumerManagerOptions;
  readonly #log: Logger;
  #closing: Promise<void> | undefined;
  #version = 0;

  constructor(options: ConsumerManagerOptions) {
    this.#options = options;
    this.#log = options.log;
  }

  /** Grows with every change of a definition or a status: lets a reader know its copy is stale. */
  get version(): number {
    return this.#version;
  }

  list(): ManagedConsumer[] {
    return [...this.#consumers.values()];
  }

  get(id: string): ManagedConsumer {
    const consumer = this.#consumers.get(id);
    if (!consumer) throw notFound(`no consumer with id ${id}`);
    return consumer;
  }

  /** Loads the state file and brings every consumer back to the status it had. */
  async restore(): Promise<void> {
    this.#checkOpen();
    const { state, problem } = await this.#options.store.load();
    if (problem) this.#log.error({ problem }, 'state file unreadable; starting without consumers');
    for (const stored of state?.consumers ?? []) this.#consumers.set(stored.id, this.#managed(stored));
    if (this.#consumers.size === 0) return;
    this.#log.info({ consumers: this.#consumers.size }, 'restoring consumers');
    await Promise.all(this.list().map((consumer) => consumer.restore().catch(() => {})));
    this.#log.info({ consumers: this.#consumers.size }, 'consumers restored');
  }

  async create(input: ConsumerInput): Promise<ManagedConsumer> {
    this.#checkOpen();
    const definition = await defineConsumer(input, this.#options.context);
    // Checked after the await above, with nothing awaited before the consumer is added: two creates
    // at once must not both pass the limit or take the same name.
    this.#checkOpen();
    const limit = this.#options.context.admin.maxConsumers;
    if (this.#consumers.size >= limit) throw conflict(`the server already runs its limit of ${limit} consumers (ADMIN_MAX_CONSUMERS)`);
    if (this.list().some((consumer) => consumer.definition.name === definition.name)) throw conflict(`a consumer named ${definition.name} exists`);
    const consumer = this.#managed(definition);
    this.#consumers.set(definition.id, consumer);
    await this.#save();
    if (input.autoStart) await consumer.act('start');
    return consumer;
  }

  /** Replaces a definition; a running consumer restarts with the new one and keeps its status. */
  async update(id: string, input: ConsumerInput): Promise<ManagedConsumer> {
    this.#checkOpen();
    const consumer = this.get(id);
    const definition = await defineConsumer(input, this.#options.context, consumer.definition);
    if (this.list().some((other) => other.id !== id && other.definition.name === definition.name)) throw conflict(`a consumer named ${definition.name} exists`);
    await consumer.replace(definition);
    return consumer;
  }

  /** Stops it first (its batch is flushed and committed), then forgets it. */
  async remove(id: string): Promise<void> {
    this.#checkOpen();
    const consumer = this.get(id);
    // A transition queued behind this one (a start clicked just before delete) must not bring it back.
    await consumer.end(notFound(`no consumer with id ${id}`), { keepStatus: false });
    this.#consumers.delete(id);
    await this.#save();
  }

  async act(id: string, action: Action): Promise<ManagedConsumer> {
    this.#checkOpen();
    const consumer = this.get(id);
    await consumer.act(action);
    return consumer;
  }

  async stopAll(): Promise<ManagedConsumer[]> {
    this.#checkOpen();
    const consumers = this.list();
    const stopped = await Promise.all(consumers.map((consumer) => consumer.stopIfRunning().catch(() => false)));
    return consumers.filter((_consumer, index) => stopped[index]);
  }

  /**
   * Server shutdown: every consumer finishes its batch and commits, but keeps the status it should
   * have, so the next start brings it back. Requests still in flight get a 503 from here on.
   * Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all(this.list().map((consumer) => consumer.end(shuttingDown(), { keepStatus: true }).catch(() => {})));
      await this.#save();
    })();
    return this.#closing;
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) throw shuttingDown();
  }

  #managed(definition: StoredConsumer): ManagedConsumer {
    return new ManagedConsumer(definition, { context: this.#options.context, log: this.#log, onChange: () => void this.#save() });
  }

  /**
   * Writes the definitions as they are now. The store queues saves in call order, so the last call
   * (holding the newest state) is the one that stays on disk.
   */
  async #save(): Promise<void> {
    this.#version += 1;
    try {
      await this.#options.store.save({ version: 1, consumers: this.list().map((consumer) => consumer.definition) });
    } catch (error) {
      this.#log.error({ err: error }, 'could not save the state file');
    }
  }
}
