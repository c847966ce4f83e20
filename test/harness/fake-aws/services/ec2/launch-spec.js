// @ts-check
import { bool, int, list } from "../../core/form.js";
import { decodeTags } from "./common.js";

/**
 * What to launch, as RunInstances and a launch template's LaunchTemplateData both say it
 * (they share wire names), normalised so a template and per-call overrides merge.
 */

/**
 * @typedef {{
 *   ImageId?: string, InstanceType?: string, KeyName?: string, UserData?: string,
 *   IamInstanceProfile?: { Arn?: string, Name?: string },
 *   SecurityGroupIds?: string[],
 *   NetworkInterfaces?: { DeviceIndex: number, SubnetId?: string, AssociatePublicIpAddress?: boolean, Groups: string[], DeleteOnTermination?: boolean }[],
 *   MetadataOptions?: { HttpTokens?: string, HttpPutResponseHopLimit?: number, HttpEndpoint?: string, InstanceMetadataTags?: string },
 *   BlockDeviceMappings?: { DeviceName: string, Ebs?: { VolumeSize?: number, VolumeType?: string, Encrypted?: boolean, DeleteOnTermination?: boolean, KmsKeyId?: string, Iops?: number, Throughput?: number } }[],
 *   TagSpecifications?: { ResourceType: string, Tags: { Key: string, Value: string }[] }[],
 * }} LaunchSpec
 */

/** @param {Record<string, any>} o */
function compact(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

/** @param {any} d decoded form node @returns {LaunchSpec} */
export function decodeLaunchSpec(d) {
  if (!d) return {};
  const md = d.MetadataOptions;
  return compact({
    ImageId: d.ImageId,
    InstanceType: d.InstanceType,
    KeyName: d.KeyName,
    UserData: d.UserData,
    IamInstanceProfile: d.IamInstanceProfile ? compact({ Arn: d.IamInstanceProfile.Arn, Name: d.IamInstanceProfile.Name }) : undefined,
    SecurityGroupIds: list(d.SecurityGroupId).map(String),
    NetworkInterfaces: list(d.NetworkInterface).map((n) =>
      compact({
        DeviceIndex: int(n.DeviceIndex) ?? 0,
        SubnetId: n.SubnetId,
        AssociatePublicIpAddress: bool(n.AssociatePublicIpAddress),
        Groups: list(n.SecurityGroupId).map(String),
        DeleteOnTermination: bool(n.DeleteOnTermination),
      }),
    ),
    MetadataOptions: md
      ? compact({ HttpTokens: md.HttpTokens, HttpPutResponseHopLimit: int(md.HttpPutResponseHopLimit), HttpEndpoint: md.HttpEndpoint, InstanceMetadataTags: md.InstanceMetadataTags })
      : undefined,
    BlockDeviceMappings: list(d.BlockDeviceMapping).map((b) =>
      compact({
        DeviceName: b.DeviceName,
        Ebs: b.Ebs
          ? compact({
              VolumeSize: int(b.Ebs.VolumeSize),
              VolumeType: b.Ebs.VolumeType,
              Encrypted: bool(b.Ebs.Encrypted),
              DeleteOnTermination: bool(b.Ebs.DeleteOnTermination),
              KmsKeyId: b.Ebs.KmsKeyId,
              Iops: int(b.Ebs.Iops),
              Throughput: int(b.Ebs.Throughput),
            })
          : undefined,
      }),
    ),
    TagSpecifications: list(d.TagSpecification).map((t) => ({ ResourceType: String(t.ResourceType), Tags: decodeTags(t.Tag) })),
  });
}

/** Overrides win member by member; MetadataOptions merge field by field. @param {LaunchSpec} base @param {LaunchSpec} over @returns {LaunchSpec} */
export function mergeSpecs(base, over) {
  const merged = { ...base, ...over };
  if (base.MetadataOptions || over.MetadataOptions) merged.MetadataOptions = { ...base.MetadataOptions, ...over.MetadataOptions };
  if (base.TagSpecifications && over.TagSpecifications) merged.TagSpecifications = [...base.TagSpecifications, ...over.TagSpecifications];
  return merged;
}

/** LaunchTemplateData on the wire (DescribeLaunchTemplateVersions). @param {LaunchSpec} s */
export function renderLaunchSpec(s) {
  return {
    imageId: s.ImageId,
    instanceType: s.InstanceType,
    keyName: s.KeyName,
    userData: s.UserData,
    iamInstanceProfile: s.IamInstanceProfile ? { arn: s.IamInstanceProfile.Arn, name: s.IamInstanceProfile.Name } : undefined,
    securityGroupIdSet: s.SecurityGroupIds,
    networkInterfaceSet: s.NetworkInterfaces?.map((n) => ({
      deviceIndex: n.DeviceIndex,
      subnetId: n.SubnetId,
      associatePublicIpAddress: n.AssociatePublicIpAddress,
      deleteOnTermination: n.DeleteOnTermination,
      groupSet: n.Groups,
    })),
    metadataOptions: s.MetadataOptions
      ? {
          state: "applied",
          httpTokens: s.MetadataOptions.HttpTokens,
          httpPutResponseHopLimit: s.MetadataOptions.HttpPutResponseHopLimit,
          httpEndpoint: s.MetadataOptions.HttpEndpoint,
          instanceMetadataTags: s.MetadataOptions.InstanceMetadataTags,
        }
      : undefined,
    blockDeviceMappingSet: s.BlockDeviceMappings?.map((b) => ({
      deviceName: b.DeviceName,
      ebs: b.Ebs
        ? {
            volumeSize: b.Ebs.VolumeSize,
            volumeType: b.Ebs.VolumeType,
            encrypted: b.Ebs.Encrypted,
            deleteOnTermination: b.Ebs.DeleteOnTermination,
            kmsKeyId: b.Ebs.KmsKeyId,
            iops: b.Ebs.Iops,
            throughput: b.Ebs.Throughput,
          }
        : undefined,
    })),
    tagSpecificationSet: s.TagSpecifications?.map((t) => ({ resourceType: t.ResourceType, tagSet: t.Tags.map((x) => ({ key: x.Key, value: x.Value })) })),
  };
}
