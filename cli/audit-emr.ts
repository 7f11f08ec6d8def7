import type { DrAuditReport, EmrAuditInput } from '../lib/audit/dr/types.ts';
import { InputError } from './read-document.ts';

/**
 * `lifeguard audit --emr`: which clusters, read from where. `--scenario` reads the scenario's
 * sandbox; otherwise AWS, in the configuration's region (else $AWS_REGION). Exit codes as the
 * Spark audit: 2 bad usage or input, 3 a cluster could not be read.
 */
export async function runEmrAudit(
  options: { emr: string | true; config?: string | undefined; scenario?: string | undefined },
  env: NodeJS.ProcessEnv,
): Promise<{ report?: DrAuditReport; code: number; message?: string }> {
  const { auditEmr } = await import('../lib/audit/dr/audit-emr.ts');
  const clusterId = options.emr === true ? undefined : options.emr;
  if (options.scenario) {
    const { auditEmrScenario } = await import('./audit-emr-scenario.ts');
    try {
      const { inputs } = await auditEmrScenario(options.scenario, clusterId);
      return { report: auditEmr(inputs, `scenario ${options.scenario}`), code: 0 };
    } catch (err) {
      return { code: err instanceof InputError ? 2 : 3, message: (err as Error).message };
    }
  }
  const { loadConfigFile } = await import('../lib/config/file.ts');
  let config;
  try {
    config = options.config ? loadConfigFile(options.config) : undefined;
  } catch (err) {
    return { code: 2, message: (err as Error).message };
  }
  const configured = config?.dr.clusters ?? [];
  const targets = clusterId === undefined ? configured : [configured.find((c) => c.clusterId === clusterId || c.name === clusterId) ?? { clusterId }];
  if (!targets.length) return { code: 2, message: clusterId === undefined ? '--emr without a cluster id needs --config with dr.clusters, or --scenario' : 'no cluster to audit' };
  const region = config?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) return { code: 2, message: 'no region: pass --config (its region) or set AWS_REGION' };
  const [{ EMRClient }, { EC2Client }, { ElasticLoadBalancingV2Client }, { readEmrCluster }] = await Promise.all([
    import('@aws-sdk/client-emr'),
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/client-elastic-load-balancing-v2'),
    import('../lib/audit/dr/read-emr.ts'),
  ]);
  const clients = { emr: new EMRClient({ region }), ec2: new EC2Client({ region }), elbv2: new ElasticLoadBalancingV2Client({ region }) };
  const inputs: EmrAuditInput[] = [];
  for (const target of targets) {
    try {
      inputs.push(await readEmrCluster(clients, target.clusterId, 'name' in target ? target : undefined));
    } catch (err) {
      return { code: 3, message: `cannot read EMR cluster ${target.clusterId}: ${(err as Error).message}` };
    }
  }
  return { report: auditEmr(inputs, options.config ? `configuration ${options.config} (${region})` : `EMR cluster ${clusterId} (${region})`), code: 0 };
}
