/**
 * What the wizard can offer from AWS: the region's zones and instance types. Without
 * usable credentials each source answers undefined and the wizard asks for text.
 */
import type { WizardSources } from "../config/wizard.js";
import { sdkModules } from "../aws/sdk-modules.js";

export function awsWizardSources(profile: string | undefined): WizardSources {
  const clients = new Map<string, Promise<import("../aws/clients.js").AwsClients | undefined>>();
  const connect = (region: string) => {
    let c = clients.get(region);
    if (!c) {
      c = (async () => {
        try {
          const { createAwsClients } = await import("../aws/factory.js");
          const { checkCredentials } = await import("../aws/identity.js");
          const aws = await createAwsClients({ region, profile, live: true, maxAttempts: 2 });
          await checkCredentials(aws);
          return aws;
        } catch {
          return undefined;
        }
      })();
      clients.set(region, c);
    }
    return c;
  };
  return {
    async zones(region) {
      const aws = await connect(region);
      if (!aws) return undefined;
      const { DescribeAvailabilityZonesCommand } = sdkModules.ec2();
      const out = await (await aws.ec2()).send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: "state", Values: ["available"] }] }));
      return (out.AvailabilityZones ?? []).map((z) => z.ZoneName!).filter(Boolean).sort();
    },
    async instanceTypes(region) {
      const aws = await connect(region);
      if (!aws) return undefined;
      const { DescribeInstanceTypeOfferingsCommand } = sdkModules.ec2();
      const out = await (await aws.ec2()).send(new DescribeInstanceTypeOfferingsCommand({ LocationType: "region", MaxResults: 1000 }));
      return (out.InstanceTypeOfferings ?? []).map((o) => o.InstanceType!).filter(Boolean).sort();
    },
  };
}
