import type { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { InstanceDirectory } from './ports.ts';
import { awsIdPattern } from '../util/aws-ids.ts';
import { onFirstUse } from '../util/on-first-use.ts';

const INSTANCE_ID = awsIdPattern('i');

/**
 * Instance ids per DescribeInstances call. The EC2 API reference gives no maximum for the values of
 * a DescribeInstances filter (nor for its InstanceIds); its sibling calls cap explicit instance
 * ids at 1,000 (DescribeInstanceCreditSpecifications) and 100 (DescribeInstanceStatus), and 200
 * values per filter is the limit callers report meeting. 200 stays inside all of them: a batch of
 * up to 200 notices is one call.
 */
export const FILTER_VALUES_PER_CALL = 200;
/** Instances per page (DescribeInstances allows 5 to 1,000 with filters). */
const MAX_RESULTS = 1000;

/** What the lazily imported module must provide. */
interface Ec2Module {
  EC2Client: typeof EC2Client;
  DescribeInstancesCommand: typeof DescribeInstancesCommand;
}

/**
 * InstanceDirectory over ec2:DescribeInstances, many instances per call. Give it a region (or client options) and the EC2
 * client module is imported on first use, not at cold start: it is the largest module the
 * interruption function would otherwise load for a lookup most invocations never make. An EC2Client
 * can still be passed in (tests, or a caller that already has one).
 */
export class Ec2InstanceDirectory implements InstanceDirectory {
  private readonly ec2: () => Promise<{ client: EC2Client; module: Ec2Module }>;

  constructor(source: EC2Client | { region: string }) {
    this.ec2 = onFirstUse(() =>
      import('@aws-sdk/client-ec2').then((module) => ({ module, client: isClient(source) ? source : new module.EC2Client({ region: source.region }) })),
    );
  }

  /** One instance's private DNS name (the CLI's and the tests' convenience over privateDnsNames). */
  async privateDnsName(instanceId: string): Promise<string | undefined> {
    return (await this.privateDnsNames([instanceId])).get(instanceId);
  }

  /**
   * Asks by the `instance-id` filter, not by InstanceIds: an id EC2 no longer knows (terminated
   * long ago) makes an InstanceIds request fail for every instance in it, while a filter just
   * leaves it out. Paginated, as EC2 recommends for filtered calls.
   */
  async privateDnsNames(instanceIds: readonly string[]): Promise<Map<string, string>> {
    // A malformed id cannot name an instance; asking EC2 would only earn a Malformed error.
    const wanted = [...new Set(instanceIds)].filter((id) => INSTANCE_ID.test(id));
    const names = new Map<string, string>();
    if (wanted.length === 0) return names;
    const { client, module } = await this.ec2();
    for (let i = 0; i < wanted.length; i += FILTER_VALUES_PER_CALL) {
      const chunk = wanted.slice(i, i + FILTER_VALUES_PER_CALL);
      let nextToken: string | undefined;
      do {
        const response = await client.send(
          new module.DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: chunk }], MaxResults: MAX_RESULTS, ...(nextToken ? { NextToken: nextToken } : {}) }),
        );
        for (const reservation of response.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            // A terminated instance keeps its record for a while, with an empty PrivateDnsName.
            if (instance.InstanceId && chunk.includes(instance.InstanceId) && instance.PrivateDnsName) names.set(instance.InstanceId, instance.PrivateDnsName);
          }
        }
        nextToken = response.NextToken || undefined;
      } while (nextToken);
    }
    return names;
  }
}

function isClient(source: EC2Client | { region: string }): source is EC2Client {
  return typeof (source as EC2Client).send === 'function';
}
