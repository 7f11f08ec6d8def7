import { describe, expect, it } from 'vitest';
import { configFilePath, deployConfig, NO_CONFIG_MESSAGE } from '../../../deploy/load-config.ts';

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
