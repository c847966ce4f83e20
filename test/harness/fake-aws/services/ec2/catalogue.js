// @ts-check
import { AwsError } from "../../core/errors.js";
import { list } from "../../core/form.js";
import { ec2Filters, matchesFilters } from "../../core/filters.js";
import { paginate } from "../../core/paginate.js";

/** The fixed catalogue: three zones per region, a handful of regions and instance types. */

/** @typedef {import("../../core/world.js").World} World */

const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-east-2", "us-west-2", "ap-southeast-1"];

/** @type {{ name: string, vcpus: number, memMiB: number, arch: string, enis: number, ipsPerEni: number, burstable?: boolean }[]} */
const INSTANCE_TYPES = [
  { name: "t3.micro", vcpus: 2, memMiB: 1024, arch: "x86_64", enis: 2, ipsPerEni: 2, burstable: true },
  { name: "t3.small", vcpus: 2, memMiB: 2048, arch: "x86_64", enis: 3, ipsPerEni: 4, burstable: true },
  { name: "t3.medium", vcpus: 2, memMiB: 4096, arch: "x86_64", enis: 3, ipsPerEni: 6, burstable: true },
  { name: "t3.large", vcpus: 2, memMiB: 8192, arch: "x86_64", enis: 3, ipsPerEni: 12, burstable: true },
  { name: "t4g.medium", vcpus: 2, memMiB: 4096, arch: "arm64", enis: 3, ipsPerEni: 6, burstable: true },
  { name: "m5.large", vcpus: 2, memMiB: 8192, arch: "x86_64", enis: 3, ipsPerEni: 10 },
  { name: "m5.xlarge", vcpus: 4, memMiB: 16384, arch: "x86_64", enis: 4, ipsPerEni: 15 },
  { name: "m6i.large", vcpus: 2, memMiB: 8192, arch: "x86_64", enis: 3, ipsPerEni: 10 },
  { name: "m6i.xlarge", vcpus: 4, memMiB: 16384, arch: "x86_64", enis: 4, ipsPerEni: 15 },
  { name: "m6i.2xlarge", vcpus: 8, memMiB: 32768, arch: "x86_64", enis: 4, ipsPerEni: 15 },
  { name: "m6g.large", vcpus: 2, memMiB: 8192, arch: "arm64", enis: 3, ipsPerEni: 10 },
  { name: "c5.large", vcpus: 2, memMiB: 4096, arch: "x86_64", enis: 3, ipsPerEni: 10 },
  { name: "c6i.xlarge", vcpus: 4, memMiB: 8192, arch: "x86_64", enis: 4, ipsPerEni: 15 },
  { name: "r5.large", vcpus: 2, memMiB: 16384, arch: "x86_64", enis: 3, ipsPerEni: 10 },
];

/** @param {World} world */
export function zoneNames(world) {
  return ["a", "b", "c"].map((s) => `${world.region}${s}`);
}

/** `euw1-az1` style zone ids. @param {World} world @param {string} zone */
export function zoneId(world, zone) {
  const [area, dir, num] = world.region.split("-");
  const short = { north: "n", south: "s", east: "e", west: "w", central: "c", northeast: "ne", northwest: "nw", southeast: "se", southwest: "sw" }[dir] ?? dir;
  return `${area}${short}${num}-az${zoneNames(world).indexOf(zone) + 1}`;
}

/** @param {string} name */
export function instanceType(name) {
  return INSTANCE_TYPES.find((t) => t.name === name);
}

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  DescribeAvailabilityZones(p, { world }) {
    const names = list(p.ZoneName).map(String);
    let zones = zoneNames(world).map((z) => ({ zoneName: z, zoneId: zoneId(world, z), regionName: world.region, zoneState: "available", zoneType: "availability-zone", optInStatus: "opt-in-not-required", groupName: world.region, networkBorderGroup: world.region, messageSet: [] }));
    for (const n of names) if (!zones.some((z) => z.zoneName === n)) throw new AwsError("InvalidParameterValue", `The zone '${n}' does not exist.`);
    if (names.length) zones = zones.filter((z) => names.includes(z.zoneName));
    const filters = ec2Filters(p);
    zones = zones.filter((z) =>
      matchesFilters(filters, { "zone-name": (x) => x.zoneName, "zone-id": (x) => x.zoneId, state: (x) => x.zoneState, "region-name": (x) => x.regionName, "zone-type": (x) => x.zoneType }, z, new Map()),
    );
    return { availabilityZoneInfo: zones };
  },

  DescribeRegions(p) {
    const names = list(p.RegionName).map(String);
    let regions = REGIONS.map((r) => ({ regionName: r, regionEndpoint: `ec2.${r}.amazonaws.com`, optInStatus: "opt-in-not-required" }));
    if (names.length) regions = regions.filter((r) => names.includes(r.regionName));
    const filters = ec2Filters(p);
    regions = regions.filter((r) => matchesFilters(filters, { "region-name": (x) => x.regionName, endpoint: (x) => x.regionEndpoint }, r, new Map()));
    return { regionInfo: regions };
  },

  DescribeInstanceTypes(p) {
    const names = list(p.InstanceType).map(String);
    const unknown = names.filter((n) => !instanceType(n));
    if (unknown.length) throw new AwsError("InvalidInstanceType", `The following supplied instance types do not exist: [${unknown.join(", ")}]`);
    let types = INSTANCE_TYPES.filter((t) => !names.length || names.includes(t.name));
    const filters = ec2Filters(p);
    types = types.filter((t) =>
      matchesFilters(filters, { "instance-type": (x) => x.name, "processor-info.supported-architecture": (x) => x.arch, "vcpu-info.default-vcpus": (x) => x.vcpus, "memory-info.size-in-mib": (x) => x.memMiB, "current-generation": () => "true" }, t, new Map()),
    );
    const { page, next } = paginate(types, { max: p.MaxResults === undefined ? undefined : Number(p.MaxResults), token: p.NextToken, limits: [5, 100] });
    return {
      instanceTypeSet: page.map((t) => ({
        instanceType: t.name,
        currentGeneration: true,
        freeTierEligible: t.name === "t3.micro",
        supportedUsageClasses: ["on-demand", "spot"],
        supportedRootDeviceTypes: ["ebs"],
        supportedVirtualizationTypes: ["hvm"],
        bareMetal: false,
        hypervisor: "nitro",
        processorInfo: { supportedArchitectures: [t.arch] },
        vCpuInfo: { defaultVCpus: t.vcpus, defaultCores: Math.max(1, t.vcpus / 2), defaultThreadsPerCore: t.vcpus > 1 ? 2 : 1 },
        memoryInfo: { sizeInMiB: t.memMiB },
        instanceStorageSupported: false,
        ebsInfo: { ebsOptimizedSupport: "default", encryptionSupport: "supported", nvmeSupport: "required" },
        networkInfo: { networkPerformance: "Up to 12.5 Gigabit", maximumNetworkInterfaces: t.enis, ipv4AddressesPerInterface: t.ipsPerEni, ipv6Supported: true, enaSupport: "required" },
        burstablePerformanceSupported: Boolean(t.burstable),
        supportedBootModes: ["legacy-bios", "uefi"],
      })),
      nextToken: next,
    };
  },

  DescribeInstanceTypeOfferings(p, { world }) {
    const locationType = String(p.LocationType ?? "region");
    /** @type {{ instanceType: string, locationType: string, location: string }[]} */
    let offers = [];
    const locations = locationType === "region" ? [world.region] : locationType === "availability-zone" ? zoneNames(world) : locationType === "availability-zone-id" ? zoneNames(world).map((z) => zoneId(world, z)) : undefined;
    if (!locations) throw new AwsError("InvalidParameterValue", `Value (${locationType}) for parameter locationType is invalid.`);
    for (const loc of locations) for (const t of INSTANCE_TYPES) offers.push({ instanceType: t.name, locationType, location: loc });
    const filters = ec2Filters(p);
    offers = offers.filter((o) => matchesFilters(filters, { "instance-type": (x) => x.instanceType, location: (x) => x.location }, o, new Map()));
    const { page, next } = paginate(offers, { max: p.MaxResults === undefined ? undefined : Number(p.MaxResults), token: p.NextToken, limits: [5, 1000] });
    return { instanceTypeOfferingSet: page, nextToken: next };
  },
};
