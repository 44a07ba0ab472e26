/**
 * Live lookups a detection may use when the event stream has not shown it a resource (tags of a
 * group created before Riposte started watching, the groups of an interface). Optional: `scan`
 * has none; the local runtime can pass one in live mode.
 */
export interface ResourceDescriber {
  securityGroup?(
    groupId: string,
    where: { region: string; account: string },
  ): Promise<{ tags: Record<string, string>; groupName?: string; vpcId?: string } | undefined>;
  networkInterface?(
    interfaceId: string,
    where: { region: string; account: string },
  ): Promise<{ groupIds: string[]; instanceId?: string } | undefined>;
}
