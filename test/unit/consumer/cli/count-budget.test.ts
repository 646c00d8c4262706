import { describe, expect, it } from 'vitest';
import { CountBudget } from '../../../../consumer/cli/count-budget.js';

/** Asks for `wanted` and returns what was granted, or undefined while the request waits. */
function ask(budget: CountBudget, wanted: number): { granted: number | undefined } {
  const answer: { granted: number | undefined } = { granted: undefined };
  budget.request(wanted, (granted) => {
    answer.granted = granted;
    return true;
  });
  return answer;
}

describe('CountBudget', () => {
  it('grants up to the count, then nothing once all of it is settled as used', () => {
    let exhausted = 0;
    const budget = new CountBudget(250, () => (exhausted += 1));
    expect(ask(budget, 100).granted).toBe(100);
    expect(ask(budget, 100).granted).toBe(100);
    expect(ask(budget, 100).granted).toBe(50);
    budget.settle(100, 100);
    budget.settle(100, 100);
    expect(exhausted).toBe(0);
    budget.settle(50, 50);
    expect(budget.exhausted).toBe(true);
    expect(exhausted).toBe(1);
    expect(ask(budget, 10).granted).toBe(0);
  });

  it('holds a request while granted messages are still out, and serves it from what comes back', () => {
    const budget = new CountBudget(100, () => {});
    expect(ask(budget, 100).granted).toBe(100);
    const waiting = ask(budget, 40);
    expect(waiting.granted).toBeUndefined();
    // A replay: 30 of the 100 had been stored before, so they go back.
    budget.settle(100, 70);
    expect(waiting.granted).toBe(30);
    budget.settle(30, 30);
    expect(budget.exhausted).toBe(true);
  });

  it('answers a waiting request with nothing once the settles leave nothing', () => {
    const budget = new CountBudget(10, () => {});
    ask(budget, 10);
    const waiting = ask(budget, 5);
    budget.settle(10, 10);
    expect(waiting.granted).toBe(0);
  });

  it('keeps what a departed asker could not take, for the next one', () => {
    const budget = new CountBudget(10, () => {});
    budget.request(10, () => false);
    expect(ask(budget, 10).granted).toBe(10);
  });

  it('grants nothing after close, to waiting and new requests alike', () => {
    const budget = new CountBudget(10, () => {});
    ask(budget, 10);
    const waiting = ask(budget, 5);
    budget.close();
    expect(waiting.granted).toBe(0);
    expect(ask(budget, 5).granted).toBe(0);
  });
});
