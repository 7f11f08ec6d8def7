import type { LifeguardConfig } from '../lib/config/schema.ts';

/** Functions that talk to endpoints inside the VPC (EKS API, Hadoop services), by function key. */
const VPC_FUNCTIONS = ['interruption', 'drProbe', 'drConfirm'];

/** What Lambda needs to attach a function to the VPC (no resource-level scoping exists for these). */
const VPC_ACCESS = {
  Effect: 'Allow',
  Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
  Resource: '*',
};

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
    role.Properties.Policies[0]!.PolicyDocument.Statement.push(VPC_ACCESS);
  }
}
