import { everyProperty, propertiesOf } from './emr-configuration.ts';
import type { DrFinding, EmrAuditInput } from './types.ts';

/**
 * What lives only on the cluster and dies with its zone: a metastore on the master, a warehouse or
 * job data on HDFS, and configuration that names resources of the failed zone.
 */

/** EMR's class for the AWS Glue Data Catalog as the Hive metastore (hive-site, spark-hive-site). */
export const GLUE_FACTORY = 'com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory';
const GLUE_FIX = `[{"Classification":"hive-site","Properties":{"hive.metastore.client.factory.class":"${GLUE_FACTORY}"}},{"Classification":"spark-hive-site","Properties":{"hive.metastore.client.factory.class":"${GLUE_FACTORY}"}}]`;
/** Applications that keep tables in the Hive metastore. */
const USES_METASTORE = ['hive', 'spark', 'hcatalog', 'presto', 'trino'];

const scope = (input: EmrAuditInput) => ({ kind: 'emr-cluster' as const, name: input.name });
const masterHosts = (input: EmrAuditInput) => ['localhost', '127.0.0.1', input.cluster.MasterPublicDnsName ?? ''].filter(Boolean);

function metastore(input: EmrAuditInput): 'glue' | 'external' | 'local' {
  const hive = propertiesOf(input.configurations, 'hive-site');
  const sparkHive = propertiesOf(input.configurations, 'spark-hive-site');
  const factory = hive['hive.metastore.client.factory.class'] ?? sparkHive['hive.metastore.client.factory.class'];
  if (factory === GLUE_FACTORY) return 'glue';
  const jdbc = hive['javax.jdo.option.ConnectionURL'] ?? sparkHive['javax.jdo.option.ConnectionURL'];
  const host = jdbc?.match(/^jdbc:[a-z]+:\/\/([^:/;?]+)/i)?.[1];
  if (host && !masterHosts(input).includes(host.toLowerCase())) return 'external';
  return 'local';
}

export function metastoreFindings(input: EmrAuditInput): DrFinding[] {
  const apps = (input.cluster.Applications ?? []).map((a) => (a.Name ?? '').toLowerCase());
  if (!apps.some((a) => USES_METASTORE.includes(a)) || metastore(input) !== 'local') return [];
  return [
    {
      check: 'metastore-on-cluster',
      severity: 'severe',
      scope: scope(input),
      message: `the Hive metastore of ${input.cluster.Id} lives on its master (no Glue Data Catalog, no external JDBC metastore)`,
      why: 'A replacement in another zone starts with an empty catalog: every table and partition defined on this cluster is gone, and jobs that read tables by name fail after the failover.',
      fix: `Use the AWS Glue Data Catalog: add to the cluster's Configurations (and to runJobFlowTemplate) ${GLUE_FIX}; or point javax.jdo.option.ConnectionURL in hive-site at an RDS/Aurora database.`,
      objects: [input.cluster.Id ?? input.name],
    },
  ];
}

/** EMR's default warehouse: HDFS of the cluster itself. */
const DEFAULT_WAREHOUSE = 'hdfs:///user/hive/warehouse';

export function warehouseFindings(input: EmrAuditInput): DrFinding[] {
  const dirs = [
    ['hive-site', 'hive.metastore.warehouse.dir'],
    ['spark-hive-site', 'hive.metastore.warehouse.dir'],
    ['spark-defaults', 'spark.sql.warehouse.dir'],
  ].flatMap(([classification, key]) => {
    const value = propertiesOf(input.configurations, classification!)[key!];
    return value === undefined ? [] : [{ where: `${classification}: ${key}`, value }];
  });
  const onHdfs = dirs.filter((d) => d.value.startsWith('hdfs:'));
  // Unset, the warehouse is the cluster's HDFS; with Glue, each database carries its own location.
  if (!dirs.length && metastore(input) !== 'glue') onHdfs.push({ where: 'hive.metastore.warehouse.dir (unset)', value: DEFAULT_WAREHOUSE });
  if (!onHdfs.length) return [];
  return [
    {
      check: 'warehouse-on-hdfs',
      severity: 'severe',
      scope: scope(input),
      message: `the warehouse of ${input.cluster.Id} is on the cluster's HDFS: ${onHdfs.map((d) => `${d.where} = ${d.value}`).join('; ')}`,
      why: "HDFS lives on the cluster's core nodes, in one zone: a zone outage takes every table's data with it, and the replacement's HDFS starts empty.",
      fix: 'Keep the warehouse in S3: set hive.metastore.warehouse.dir (hive-site, spark-hive-site) and spark.sql.warehouse.dir (spark-defaults) to s3://BUCKET/warehouse/.',
      objects: onHdfs.map((d) => d.where),
    },
  ];
}

export function jobDataFindings(input: EmrAuditInput): DrFinding[] {
  const steps = input.steps.filter((s) => [...(s.Config?.Args ?? []), s.Config?.Jar ?? ''].some((a) => a.includes('hdfs://')));
  const defaultFs = propertiesOf(input.configurations, 'core-site')['fs.defaultFS'];
  const objects = [...steps.map((s) => `step ${s.Id} (${s.Name})`), ...(defaultFs?.startsWith('hdfs://') ? [`core-site: fs.defaultFS = ${defaultFs}`] : [])];
  if (!objects.length) return [];
  return [
    {
      check: 'job-data-on-hdfs',
      severity: 'warning',
      scope: scope(input),
      message: `jobs of ${input.cluster.Id} read or write the cluster's HDFS: ${objects.join('; ')}`,
      why: 'Their inputs and outputs are lost with the zone; a step carried over to the replacement finds no input there.',
      fix: 'Read and write s3:// paths (HDFS only for scratch data a job can rebuild), and leave fs.defaultFS to EMR.',
      objects,
    },
  ];
}

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const VOLUME = /\bvol-[0-9a-f]{8,17}\b/g;
const EC2_HOST = /\bip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}(?:\.[a-z0-9.-]+)?\b/g;

/** Bootstrap actions and configurations that name the cluster's subnet, an EBS volume, an IP or a host. */
export function zoneResourceFindings(input: EmrAuditInput): DrFinding[] {
  const subnetId = input.cluster.Ec2InstanceAttributes?.Ec2SubnetId;
  const texts = [
    ...input.bootstrapActions.map((b) => ({ where: `bootstrap action ${b.Name ?? '?'}`, value: [b.ScriptPath ?? '', ...(b.Args ?? [])].join(' ') })),
    ...everyProperty(input.configurations).map((p) => ({ where: `configuration ${p.where}`, value: p.value })),
  ];
  const hits = texts.flatMap(({ where, value }) => {
    const named = [
      ...(subnetId && value.includes(subnetId) ? [subnetId] : []),
      ...(value.match(VOLUME) ?? []),
      ...(value.match(IPV4) ?? []).filter((ip) => !ip.startsWith('0.') && !ip.startsWith('127.')),
      ...(value.match(EC2_HOST) ?? []),
    ];
    return named.length ? [`${where}: ${[...new Set(named)].join(', ')}`] : [];
  });
  if (!hits.length) return [];
  return [
    {
      check: 'names-failed-zone-resource',
      severity: 'warning',
      scope: scope(input),
      message: `the cluster's bootstrap actions or configurations name resources of its own zone: ${hits.join('; ')}`,
      why: 'A replacement runs the same bootstrap actions and configurations in another zone: a subnet, an EBS volume (zonal), an IP or a host of the failed zone is gone or unreachable, and the replacement fails to bootstrap or points at the dead cluster.',
      fix: 'Name zone-independent resources instead: S3 paths, DNS names of regional endpoints (an NLB, RDS), Secrets Manager or SSM parameters read at bootstrap.',
      objects: hits,
    },
  ];
}
