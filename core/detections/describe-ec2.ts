import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { AwsClientOptions } from "../model/aws-client.js";
import type { ResourceDescriber } from "./describe.js";

/**
 * Live lookups through the EC2 API (DescribeSecurityGroups, DescribeNetworkInterfaces), for the
 * local runtime in live mode. One client per region, created on first use. A group or interface
 * that no longer exists is `undefined`, not an error. IAM: ec2:DescribeSecurityGroups,
 * ec2:DescribeNetworkInterfaces.
 */
export function ec2Describer(options: AwsClientOptions = {}): ResourceDescriber {
  const clients = new Map<string, EC2Client>();
  const client = (region: string) => {
    const key = region || options.region || "";
    let found = clients.get(key);
    if (!found) {
      found = new EC2Client({
        region: key || undefined,
        endpoint: options.endpoint,
        maxAttempts: options.maxAttempts,
      });
      clients.set(key, found);
    }
    return found;
  };
  const gone = (error: unknown) => /NotFound/.test((error as { name?: string }).name ?? "");

  return {
    async securityGroup(groupId, where) {
      try {
        const response = await client(where.region).send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
        const group = response.SecurityGroups?.[0];
        if (!group) return undefined;
        const tags = Object.fromEntries(
          (group.Tags ?? []).filter((tag) => tag.Key).map((tag) => [tag.Key!, tag.Value ?? ""]),
        );
        return { tags, groupName: group.GroupName, vpcId: group.VpcId };
      } catch (error) {
        if (gone(error)) return undefined;
        throw error;
      }
    },
    async networkInterface(interfaceId, where) {
      try {
        const response = await client(where.region).send(
          new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [interfaceId] }),
        );
        const eni = response.NetworkInterfaces?.[0];
        if (!eni) return undefined;
        return {
          groupIds: (eni.Groups ?? []).map((group) => group.GroupId).filter((id): id is string => Boolean(id)),
          instanceId: eni.Attachment?.InstanceId,
        };
      } catch (error) {
        if (gone(error)) return undefined;
        throw error;
      }
    },
  };
}
