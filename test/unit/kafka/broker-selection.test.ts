import { describe, expect, it } from 'vitest';
import { noBrokerMessage, selectBroker, type SelectionProbes } from '../../../kafka/broker-selection.js';
import { readSettings } from '../../../shared/config.js';

function probes(docker: boolean, java: boolean): SelectionProbes & { dockerAsked: number } {
  const result = {
    dockerAsked: 0,
    async dockerEngineAnswers() {
      result.dockerAsked += 1;
      return docker;
    },
    javaPresent: () => java,
  };
  return result;
}

describe('selectBroker', () => {
  it('uses KAFKA_BROKERS as is, without probing Docker', async () => {
    const probe = probes(true, true);
    const choice = await selectBroker({ purpose: 'cli', settings: readSettings({ KAFKA_BROKERS: 'kafka:9092' }), probes: probe });
    expect(choice).toEqual({ runtime: 'external', brokers: ['kafka:9092'] });
    expect(probe.dockerAsked).toBe(0);
  });

  it('prefers Docker when an engine answers: Compose for CLIs, testcontainers for tests', async () => {
    const settings = readSettings({});
    expect(await selectBroker({ purpose: 'cli', settings, probes: probes(true, true) })).toEqual({ runtime: 'compose' });
    expect(await selectBroker({ purpose: 'test', settings, probes: probes(true, true) })).toEqual({ runtime: 'testcontainers' });
  });

  it('falls back to the local JVM broker when only Java is there', async () => {
    expect(await selectBroker({ purpose: 'cli', settings: readSettings({}), probes: probes(false, true) })).toEqual({ runtime: 'jvm' });
  });

  it('names all three ways when none is available', async () => {
    await expect(selectBroker({ purpose: 'cli', settings: readSettings({}), probes: probes(false, false) })).rejects.toThrow(noBrokerMessage);
    expect(noBrokerMessage).toMatch(/KAFKA_BROKERS.*Docker.*Java 17\+/);
  });

  it('obeys an explicit --runtime', async () => {
    const settings = readSettings({ KAFKA_BROKERS: 'kafka:9092' });
    expect(await selectBroker({ purpose: 'cli', requested: 'jvm', settings, probes: probes(true, true) })).toEqual({ runtime: 'jvm' });
    await expect(selectBroker({ purpose: 'cli', requested: 'docker', settings, probes: probes(false, true) })).rejects.toThrow(/no Docker engine answers/);
  });

  it('restarts the local JVM cluster set up here instead of asking Docker, as kafka:down and kafka:status do', async () => {
    const probe = probes(true, true);
    expect(await selectBroker({ purpose: 'cli', settings: readSettings({}), localClusterExists: true, probes: probe })).toEqual({ runtime: 'jvm' });
    expect(probe.dockerAsked).toBe(0);
  });

  it('picks the local JVM broker for what docker-compose.yml can not do: several nodes, other ports', async () => {
    const settings = readSettings({});
    expect(await selectBroker({ purpose: 'cli', settings, nodes: 3, probes: probes(true, true) })).toEqual({ runtime: 'jvm' });
    expect(await selectBroker({ purpose: 'cli', settings, basePort: 12_092, probes: probes(true, true) })).toEqual({ runtime: 'jvm' });
    expect(await selectBroker({ purpose: 'cli', settings, nodes: 1, probes: probes(true, true) })).toEqual({ runtime: 'compose' });
  });

  it('still lets KAFKA_BROKERS and an explicit --runtime win over a local cluster', async () => {
    const probe = probes(true, true);
    const external = readSettings({ KAFKA_BROKERS: 'kafka:9092' });
    expect(await selectBroker({ purpose: 'cli', settings: external, localClusterExists: true, nodes: 3, probes: probe })).toEqual({
      runtime: 'external',
      brokers: ['kafka:9092'],
    });
    expect(await selectBroker({ purpose: 'cli', requested: 'docker', settings: readSettings({}), localClusterExists: true, probes: probe })).toEqual({
      runtime: 'compose',
    });
  });
});
