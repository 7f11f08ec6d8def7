import type { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { InstanceDirectory } from './ports.ts';
import { awsIdPattern } from '../util/aws-ids.ts';

const INSTANCE_ID = awsIdPattern('i');

/** What the lazily imported module must provide. */
interface Ec2Module {
  EC2Client: typeof EC2Client;
  DescribeInstancesCommand: typeof DescribeInstancesCommand;
}

/**
 * InstanceDirectory over ec2:DescribeInstances. Give it a region (or client options) and the EC2
 * client module is imported on first use, not at cold start: it is the largest module the
 * interruption function would otherwise load for a lookup most invocations never make. An EC2Client
 * can still be passed in (tests, or a caller that already has one).
 */
export class Ec2InstanceDirectory implements InstanceDirectory {
  private loaded: Promise<{ client: EC2Client; module: Ec2Module }> | undefined;

  constructor(private readonly source: EC2Client | { region: string }) {}

  private ec2(): Promise<{ client: EC2Client; module: Ec2Module }> {
    this.loaded ??= import('@aws-sdk/client-ec2').then((module) => ({
      module,
      client: isClient(this.source) ? this.source : new module.EC2Client({ region: this.source.region }),
    }));
    // A failed import is not cached: the next lookup tries again.
    this.loaded.catch(() => (this.loaded = undefined));
    return this.loaded;
  }

  async privateDnsName(instanceId: string): Promise<string | undefined> {
    // A malformed id cannot name an instance; asking EC2 would only earn a Malformed error.
    if (!INSTANCE_ID.test(instanceId)) return undefined;
    const { client, module } = await this.ec2();
    let response;
    try {
      response = await client.send(new module.DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    } catch (err) {
      // Gone long enough that EC2 forgot it: not ours to act on.
      if ((err as { name?: string }).name === 'InvalidInstanceID.NotFound') return undefined;
      throw err;
    }
    for (const reservation of response.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        // A terminated instance keeps its record for a while, with an empty PrivateDnsName.
        if (instance.InstanceId === instanceId && instance.PrivateDnsName) return instance.PrivateDnsName;
      }
    }
    return undefined;
  }
}

function isClient(source: EC2Client | { region: string }): source is EC2Client {
  return typeof (source as EC2Client).send === 'function';
}
