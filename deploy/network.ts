import type { LifeguardConfig } from '../lib/config/schema.ts';
import { sub } from './cfn.ts';

/** Functions that talk to endpoints inside the VPC (EKS API, Hadoop services), by function key. */
const VPC_FUNCTIONS = ['interruption', 'drProbe', 'drConfirm'];

const ec2Arn = (resource: string) => sub(`arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${resource}`);

/**
 * What Lambda does with the function's role to attach it to the VPC: create its network interfaces
 * in the configured subnets with the configured security groups, re-address and delete them.
 * DescribeNetworkInterfaces works only on all resources (Lambda's guide); the others name their
 * resource types (network-interface, subnet, security-group), never `*`.
 */
function vpcAccess(network: NonNullable<LifeguardConfig['network']>) {
  return [
    {
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface'],
      Resource: [
        ec2Arn('network-interface/*'),
        ...network.subnetIds.map((id) => ec2Arn(`subnet/${id}`)),
        ...network.securityGroupIds.map((id) => ec2Arn(`security-group/${id}`)),
      ],
    },
    { Effect: 'Allow', Action: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'], Resource: ec2Arn('network-interface/*') },
    { Effect: 'Allow', Action: ['ec2:DescribeNetworkInterfaces'], Resource: '*' },
  ];
}

interface FunctionConfig {
  role?: string;
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
}
interface RoleResource {
  Properties: { Policies: Array<{ PolicyDocument: { Statement: unknown[] } }> };
}

/** With `network` configured, puts the VPC-bound functions in it and lets their roles do so. */
export function applyNetwork(config: LifeguardConfig, functions: Record<string, FunctionConfig>, resources: Record<string, unknown>): void {
  if (!config.network) return;
  for (const key of VPC_FUNCTIONS) {
    const fn = functions[key];
    if (!fn) continue;
    fn.vpc = { subnetIds: config.network.subnetIds, securityGroupIds: config.network.securityGroupIds };
    const role = fn.role ? (resources[fn.role] as RoleResource | undefined) : undefined;
    if (!role) throw new Error(`function ${key} is VPC-bound but has no role resource '${fn.role}' to extend`);
    role.Properties.Policies[0]!.PolicyDocument.Statement.push(...vpcAccess(config.network));
  }
}
