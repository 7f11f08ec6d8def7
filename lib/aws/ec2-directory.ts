import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { InstanceDirectory } from './ports.ts';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** InstanceDirectory over ec2:DescribeInstances. */
export class Ec2InstanceDirectory implements InstanceDirectory {
  constructor(private readonly ec2: EC2Client) {}

  async privateDnsName(instanceId: string): Promise<string | undefined> {
    // A malformed id cannot name an instance; asking EC2 would only earn a Malformed error.
    if (!INSTANCE_ID.test(instanceId)) return undefined;
    let response;
    try {
      response = await this.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
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
