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

  it('rejects malformed ids, naming the field', () => {
    expect(() => parseConfig({ network: { subnetIds: ['subnet-x'], securityGroupIds: ['sg-0bbb2222'] } })).toThrow(/network\.subnetIds\.0: a subnet id/);
  });
});
