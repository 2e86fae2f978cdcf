import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../harness/candidate/vocabulary.ts';
import { suitesOf } from '../harness/grading/system-module.ts';
import { brokerSystem } from './broker/system.ts';
import { SUITES, SYSTEM_MODULES } from './systems.ts';

describe('the system registry', () => {
  it('registers one module per system of the manifest vocabulary, each check under its own system', () => {
    expect(SYSTEM_MODULES.map((m) => m.name).sort()).toEqual([...SYSTEMS].sort());
    for (const module of SYSTEM_MODULES) {
      expect(module.checks.length).toBeGreaterThan(0);
      for (const check of module.checks) expect(check.system).toBe(module.name);
    }
    const ids = Object.values(SUITES).flatMap((checks) => checks.map((c) => c.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a registry with a system missing or listed twice', () => {
    expect(() => suitesOf([brokerSystem], SYSTEMS)).toThrow(expect.objectContaining({ code: 'SYSTEM_REGISTRY' }));
    expect(() => suitesOf([brokerSystem, brokerSystem], ['broker'])).toThrow(expect.objectContaining({ code: 'SYSTEM_REGISTRY' }));
  });
});
