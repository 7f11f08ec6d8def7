import { afterEach, describe, expect, it, vi } from 'vitest';
import { configFilePath, deployConfig, deployConfigOrExit, NO_CONFIG_MESSAGE } from '../../../deploy/load-config.ts';

// serverless.ts builds the stack from deployConfig(): it must never fall back to the example.
describe('deployConfig', () => {
  it('refuses when neither $LIFEGUARD_CONFIG nor lifeguard.config.yaml exists', () => {
    expect(() => deployConfig({}, () => false)).toThrow(NO_CONFIG_MESSAGE);
  });

  it('takes $LIFEGUARD_CONFIG first, then lifeguard.config.yaml', () => {
    expect(configFilePath({ LIFEGUARD_CONFIG: 'prod.yaml' }, () => true)).toBe('prod.yaml');
    expect(configFilePath({}, (path) => path === 'lifeguard.config.yaml')).toBe('lifeguard.config.yaml');
    expect(deployConfig({ LIFEGUARD_CONFIG: 'lifeguard.config.example.yaml' }).config.eks[0]?.name).toBe('spark-prod');
  });
});

describe('deployConfigOrExit (serverless.ts)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('ends the command with the message alone and exit 2, no stack trace', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => deployConfigOrExit({ LIFEGUARD_CONFIG: 'test/fixtures/absent.yaml' })).toThrow('exit 2');
    expect(exit).toHaveBeenCalledWith(2);
    expect(error).toHaveBeenCalledWith('lifeguard: cannot read test/fixtures/absent.yaml: no such file');
  });
});
