import { describe, expect, it } from 'vitest';
import { applyNetwork } from '../../../deploy/network.ts';
import { drResources } from '../../../deploy/dr.ts';
import { interruptionStack } from '../../../deploy/interruption.ts';
import { deployConfig } from '../../../deploy/load-config.ts';
import { parseConfig } from '../../../lib/config/load.ts';

const example = deployConfig({ LIFEGUARD_CONFIG: 'lifeguard.config.example.yaml' }).config;

function stack(network?: unknown) {
  const config = parseConfig({ ...example, ...(network ? { network } : {}) });
  const interruption = interruptionStack(config, 'lifeguard', 'dev');
  const dr = drResources(config, { service: 'lifeguard', stage: 'dev' });
  const functions = { ...interruption.functions, ...dr.functions } as Record<string, { vpc?: { subnetIds: string[]; securityGroupIds: string[] }; role?: string }>;
  const resources = { ...interruption.resources, ...dr.resources } as Record<string, { Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[] }> } }> } }>;
  applyNetwork(config, functions, resources);
  const actions = (role: string) => resources[role]!.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => s.Action));
  return { functions, actions };
}

describe('network (VPC access)', () => {
  it('leaves every function outside a VPC when none is configured', () => {
    const { functions, actions } = stack();
    expect(Object.values(functions).every((f) => f.vpc === undefined)).toBe(true);
    expect(actions('InterruptionRole')).not.toContain('ec2:CreateNetworkInterface');
  });

  it('puts only the functions that reach into the VPC in it, and lets exactly their roles attach', () => {
    const network = { subnetIds: ['subnet-0aaa1111'], securityGroupIds: ['sg-0bbb2222'] };
    const { functions, actions } = stack(network);
    for (const key of ['interruption', 'drProbe', 'drConfirm']) expect(functions[key]!.vpc).toEqual(network);
    for (const key of ['drPlan', 'drValidate', 'drReport']) expect(functions[key]!.vpc).toBeUndefined();
    expect(actions('InterruptionRole')).toContain('ec2:CreateNetworkInterface');
    expect(actions('DrProbeRole')).toContain('ec2:CreateNetworkInterface');
    expect(actions('DrPlanRole')).not.toContain('ec2:CreateNetworkInterface');
  });

  it('takes subnet and security group ids of exactly 8 or 17 hex digits, naming the field and the format otherwise', () => {
    const network = (subnet: string, sg: string) => ({ network: { subnetIds: [subnet], securityGroupIds: [sg] } });
    expect(() => parseConfig(network('subnet-0aaa1111', 'sg-0bbb2222'))).not.toThrow();
    expect(() => parseConfig(network('subnet-0aaa1111bbbb22223', 'sg-0bbb2222cccc33334'))).not.toThrow();
    // 9 to 16 digits: no EC2 id has that length, so the deploy would fail on it.
    for (const digits of [9, 12, 16]) {
      const hex = '0123456789abcdef0'.slice(0, digits);
      expect(() => parseConfig(network(`subnet-${hex}`, 'sg-0bbb2222'))).toThrow('network.subnetIds.0: a subnet id (subnet- and 8 or 17 lowercase hex digits, e.g. subnet-0abc1234)');
      expect(() => parseConfig(network('subnet-0aaa1111', `sg-${hex}`))).toThrow('network.securityGroupIds.0: a security group id (sg- and 8 or 17 lowercase hex digits, e.g. sg-0abc1234)');
    }
  });

  it('rejects malformed ids, naming the field', () => {
    expect(() => parseConfig({ network: { subnetIds: ['subnet-x'], securityGroupIds: ['sg-0bbb2222'] } })).toThrow(/network\.subnetIds\.0: a subnet id/);
  });
});
