// @ts-check
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ids.js";
import { int, list } from "../../core/form.js";
import { matchesAny } from "../../core/filters.js";
import { checkSpecTypes, describe, required, tagSet, withClientToken } from "./common.js";
import { getSubnet } from "./vpc.js";
import { getSecurityGroup } from "./security-groups.js";
import { createEni } from "./eni.js";
import { instanceType } from "./catalogue.js";
import { findTemplate, templateVersion } from "./launch-templates.js";
import { decodeLaunchSpec, mergeSpecs } from "./launch-spec.js";
import { consoleText, generatedHostKey } from "./console.js";
import { DELAYS } from "../../core/world.js";

/**
 * Instances. A launched instance takes the next free test host (its address becomes the
 * private IP — and the public IP too when the instance gets one — and its host keys are
 * what the console prints); beyond the host list it gets an ordinary subnet address.
 */

/** @typedef {import("../../core/world.js").World} World */
/** @typedef {import("./launch-spec.js").LaunchSpec} LaunchSpec */

const STATE_CODES = /** @type {Record<string, number>} */ ({ pending: 0, running: 16, "shutting-down": 32, terminated: 48, stopping: 64, stopped: 80 });
const USER_DATA_LIMIT = 16384;

/** @param {any} i */
const live = (i) => i.state !== "terminated";

/** A free test host for an instance with this Name tag, if any. @param {World} world @param {string | undefined} name */
function takeHost(world, name) {
  const used = new Set(world.store.list("instance").filter(live).map((i) => i.hostAddress));
  const free = world.hosts.filter((h) => !used.has(h.address));
  return (
    free.find((h) => h.namePattern && name !== undefined && matchesAny(name, [h.namePattern])) ??
    free.find((h) => !h.namePattern)
  );
}

/** The instance profile an IamInstanceProfile spec names, checked as RunInstances does. @param {World} world @param {{ Arn?: string, Name?: string }} spec */
function instanceProfile(world, spec) {
  const name = spec.Name ?? spec.Arn?.split("/").pop();
  const profile = name ? world.store.get("instanceProfile", name) : undefined;
  const param = spec.Name ? "iamInstanceProfile.name" : "iamInstanceProfile.arn";
  const young = profile && Date.now() - profile.createdAt < Math.min(profile.scaleAtCreate, world.latencyScale) * DELAYS.iamPropagation * 1000;
  if (!profile || young || (spec.Arn && profile.arn !== spec.Arn)) {
    throw new AwsError("InvalidParameterValue", `Value (${spec.Name ?? spec.Arn}) for parameter ${param} is invalid. Invalid IAM Instance Profile ${spec.Name ? "name" : "ARN"}`);
  }
  return profile;
}

/**
 * Validate a launch spec and start `count` instances.
 * @param {World} world
 * @param {LaunchSpec} spec
 * @param {{ count: number, subnetId?: string, extraTags?: { Key: string, Value: string }[], clientToken?: string, associatePublicIp?: boolean }} opts
 * @returns {{ reservationId: string, instances: any[] }}
 */
export function launch(world, spec, opts) {
  const imageId = spec.ImageId;
  if (!imageId) throw new AwsError("MissingParameter", "The request must contain the parameter ImageId");
  const image = world.store.get("image", imageId);
  if (!image || image.state !== "available") throw new AwsError("InvalidAMIID.NotFound", `The image id '[${imageId}]' does not exist`);
  const typeName = spec.InstanceType ?? "m1.small";
  const type = instanceType(typeName);
  if (!type) throw new AwsError("InvalidParameterValue", `Invalid value '${typeName}' for InstanceType.`);
  if (type.arch !== image.architecture) {
    throw new AwsError("InvalidParameterValue", `The architecture '${type.arch}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI.`);
  }
  if (spec.KeyName && !world.store.get("keypair", spec.KeyName)) throw new AwsError("InvalidKeyPair.NotFound", `The key pair '${spec.KeyName}' does not exist`);
  if (spec.UserData && Buffer.from(spec.UserData, "base64").length > USER_DATA_LIMIT) {
    throw new AwsError("InvalidParameterValue", `User data is limited to ${USER_DATA_LIMIT} bytes`);
  }
  const nic = spec.NetworkInterfaces?.find((n) => n.DeviceIndex === 0);
  const subnetId = opts.subnetId ?? nic?.SubnetId;
  if (!subnetId) throw new AwsError("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.");
  const subnet = getSubnet(world, subnetId);
  const groupIds = nic?.Groups?.length ? nic.Groups : spec.SecurityGroupIds ?? [];
  for (const g of groupIds) {
    const sg = getSecurityGroup(world, g);
    if (sg.vpcId !== subnet.vpcId) throw new AwsError("InvalidParameter", `Security group ${g} and subnet ${subnet.id} belong to different networks.`);
  }
  const groups = groupIds.length ? groupIds : [world.store.list("sg").find((g) => g.vpcId === subnet.vpcId && g.groupName === "default").id];
  const profile = spec.IamInstanceProfile ? instanceProfile(world, spec.IamInstanceProfile) : undefined;
  const md = spec.MetadataOptions ?? {};
  if (md.HttpTokens && !["optional", "required"].includes(md.HttpTokens)) throw new AwsError("InvalidParameterValue", `Value (${md.HttpTokens}) for parameter httpTokens is invalid.`);
  const publicIp = opts.associatePublicIp ?? nic?.AssociatePublicIpAddress ?? subnet.mapPublicIpOnLaunch;

  const tagsFor = (/** @type {string} */ type) => (spec.TagSpecifications ?? []).filter((t) => t.ResourceType === type).flatMap((t) => t.Tags);
  const instanceTags = [...tagsFor("instance"), ...(opts.extraTags ?? [])];
  const name = instanceTags.find((t) => t.Key === "Name")?.Value;
  const reservationId = ec2Id("r");
  const instances = [];
  for (let n = 0; n < opts.count; n++) {
    const id = ec2Id("i");
    const host = takeHost(world, name);
    const eni = createEni(world, {
      subnet,
      description: "",
      interfaceType: "interface",
      groups,
      instanceId: id,
      privateIp: host?.address,
    });
    if (publicIp) eni.publicIp = host?.address ?? `203.0.113.${(world.store.list("instance").length % 250) + 2}`;
    world.store.addTags(eni.id, tagsFor("network-interface"));
    const inst = world.store.put("instance", id, {
      id,
      reservationId,
      imageId,
      instanceType: typeName,
      architecture: type.arch,
      keyName: spec.KeyName,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      eniId: eni.id,
      privateIp: eni.privateIp,
      privateDnsName: `ip-${eni.privateIp.replaceAll(".", "-")}.${world.region}.compute.internal`,
      publicIp: eni.publicIp,
      hostAddress: host?.address,
      hostKeys: host?.hostKeys?.length ? [...host.hostKeys] : [generatedHostKey()],
      groups,
      iamProfile: profile ? { arn: profile.arn, id: profile.profileId } : undefined,
      metadata: { httpTokens: md.HttpTokens ?? "optional", httpPutResponseHopLimit: md.HttpPutResponseHopLimit ?? 1, httpEndpoint: md.HttpEndpoint ?? "enabled", instanceMetadataTags: md.InstanceMetadataTags ?? "disabled" },
      volumes: (spec.BlockDeviceMappings?.length ? spec.BlockDeviceMappings : [{ DeviceName: image.rootDeviceName, Ebs: /** @type {any} */ ({}) }]).map((b) => ({
        deviceName: b.DeviceName,
        volumeId: ec2Id("vol"),
        deleteOnTermination: b.Ebs?.DeleteOnTermination ?? true,
        encrypted: b.Ebs?.Encrypted ?? false,
        volumeSize: b.Ebs?.VolumeSize ?? 8,
        // The AMI's mapping decides when the request names no type; gp2 stands in for it.
        volumeType: b.Ebs?.VolumeType ?? "gp2",
      })),
      userData: spec.UserData,
      clientToken: opts.clientToken,
      amiLaunchIndex: n,
      launchTime: new Date(),
      state: "pending",
      stateReason: undefined,
      consoleReady: false,
    });
    world.store.addTags(id, instanceTags);
    for (const v of inst.volumes) world.store.addTags(v.volumeId, tagsFor("volume"));
    world.after("instanceRunning", () => {
      if (inst.state !== "pending") return;
      inst.state = "running";
      world.after("consoleOutput", () => {
        if (inst.state === "running") inst.consoleReady = true;
      });
    });
    instances.push(inst);
  }
  return { reservationId, instances };
}

/** Begin terminating; the instance stays visible as terminated for a while. @param {World} world @param {any} inst */
export function terminate(world, inst) {
  const previous = inst.state;
  if (inst.state === "terminated" || inst.state === "shutting-down") return previous;
  inst.state = "shutting-down";
  inst.stateReason = { code: "Client.UserInitiatedShutdown", message: "Client.UserInitiatedShutdown: User initiated shutdown" };
  world.after("instanceShutdown", () => {
    inst.state = "terminated";
    inst.publicIp = undefined;
    inst.consoleReady = false;
    world.store.remove("eni", inst.eniId);
    world.afterLinger(() => world.store.remove("instance", inst.id));
  });
  return previous;
}

/** @param {World} world @param {any} i */
export function renderInstance(world, i) {
  const eni = world.store.get("eni", i.eniId);
  const sgs = i.groups.map((/** @type {string} */ g) => ({ groupId: g, groupName: world.store.get("sg", g)?.groupName }));
  const dns = i.state === "terminated" ? "" : i.privateDnsName;
  return {
    instanceId: i.id,
    imageId: i.imageId,
    instanceState: { code: STATE_CODES[i.state], name: i.state },
    privateDnsName: dns,
    dnsName: i.publicIp ? `ec2-${i.publicIp.replaceAll(".", "-")}.${world.region}.compute.amazonaws.com` : "",
    reason: i.stateReason ? `User initiated (${new Date().toISOString()})` : "",
    keyName: i.keyName,
    amiLaunchIndex: i.amiLaunchIndex,
    productCodes: [],
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: { availabilityZone: i.availabilityZone, groupName: "", tenancy: "default" },
    monitoring: { state: "disabled" },
    subnetId: i.state === "terminated" ? undefined : i.subnetId,
    vpcId: i.state === "terminated" ? undefined : i.vpcId,
    privateIpAddress: i.state === "terminated" ? undefined : i.privateIp,
    ipAddress: i.publicIp,
    sourceDestCheck: true,
    groupSet: sgs,
    stateReason: i.stateReason,
    architecture: i.architecture,
    rootDeviceType: "ebs",
    rootDeviceName: i.volumes[0]?.deviceName,
    blockDeviceMapping:
      i.state === "terminated"
        ? []
        : i.volumes.map((/** @type {any} */ v) => ({ deviceName: v.deviceName, ebs: { volumeId: v.volumeId, status: "attached", attachTime: i.launchTime, deleteOnTermination: v.deleteOnTermination } })),
    virtualizationType: "hvm",
    clientToken: i.clientToken,
    tagSet: tagSet(world, i.id),
    hypervisor: "xen",
    iamInstanceProfile: i.iamProfile,
    networkInterfaceSet: eni
      ? [
          {
            networkInterfaceId: eni.id,
            subnetId: eni.subnetId,
            vpcId: eni.vpcId,
            description: eni.description,
            ownerId: world.account,
            status: "in-use",
            macAddress: eni.macAddress,
            privateIpAddress: eni.privateIp,
            privateDnsName: dns,
            sourceDestCheck: true,
            groupSet: sgs,
            attachment: { attachmentId: eni.attachmentId, deviceIndex: 0, status: "attached", attachTime: i.launchTime, deleteOnTermination: true, networkCardIndex: 0 },
            association: i.publicIp ? { publicIp: i.publicIp, publicDnsName: "", ipOwnerId: "amazon" } : undefined,
            privateIpAddressesSet: [{ privateIpAddress: eni.privateIp, privateDnsName: dns, primary: true }],
            interfaceType: "interface",
          },
        ]
      : [],
    ebsOptimized: false,
    enaSupport: true,
    metadataOptions: { state: "applied", ...i.metadata, httpProtocolIpv6: "disabled" },
    platformDetails: "Linux/UNIX",
    usageOperation: "RunInstances",
    bootMode: "uefi",
    currentInstanceBootMode: "uefi",
  };
}

/** @param {World} world @param {string} id */
function getInstance(world, id) {
  const i = world.store.get("instance", id);
  if (!i) throw new AwsError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
  return i;
}

/** @type {import("../../core/filters.js").FilterFields} */
const fields = {
  "instance-id": (i) => i.id,
  "instance-state-name": (i) => i.state,
  "instance-state-code": (i) => STATE_CODES[i.state],
  "vpc-id": (i) => i.vpcId,
  "subnet-id": (i) => i.subnetId,
  "availability-zone": (i) => i.availabilityZone,
  "private-ip-address": (i) => i.privateIp,
  "ip-address": (i) => i.publicIp,
  "instance-type": (i) => i.instanceType,
  "image-id": (i) => i.imageId,
  "key-name": (i) => i.keyName,
  "iam-instance-profile.arn": (i) => i.iamProfile?.arn,
  "instance.group-id": (i) => i.groups,
  "client-token": (i) => i.clientToken,
  "private-dns-name": (i) => `ip-${i.privateIp.replaceAll(".", "-")}.*`,
  "reservation-id": (i) => i.reservationId,
  "network-interface.network-interface-id": (i) => i.eniId,
};

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  RunInstances(p, { world }) {
    const min = int(p.MinCount);
    const max = int(p.MaxCount);
    if (min === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter MinCount");
    if (max === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter MaxCount");
    if (min < 1 || max < min) throw new AwsError("InvalidParameterValue", `Value (${min}) for parameter minCount is invalid. Expected a value between 1 and ${max}.`);
    checkSpecTypes(p, ["instance", "volume", "network-interface", "spot-instances-request"]);
    const { id } = withClientToken(world, "RunInstances", p, () => {
      let spec = decodeLaunchSpec(p);
      if (p.LaunchTemplate) {
        const t = findTemplate(world, p.LaunchTemplate);
        spec = mergeSpecs(templateVersion(t, p.LaunchTemplate.Version).data, spec);
      }
      const { reservationId } = launch(world, spec, { count: max, subnetId: p.SubnetId, clientToken: p.ClientToken });
      return reservationId;
    });
    const instances = world.store.list("instance").filter((i) => i.reservationId === id);
    return { reservationId: id, ownerId: world.account, groupSet: [], instancesSet: instances.map((i) => renderInstance(world, i)) };
  },

  DescribeInstances(p, { world }) {
    const { items, next } = describe(world, p, {
      type: "instance",
      idParam: "InstanceId",
      missing: (id) => new AwsError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`),
      fields,
      paged: true,
    });
    /** @type {Map<string, any[]>} */
    const byReservation = new Map();
    for (const i of items) byReservation.set(i.reservationId, [...(byReservation.get(i.reservationId) ?? []), i]);
    return {
      reservationSet: [...byReservation].map(([rid, insts]) => ({
        reservationId: rid,
        ownerId: world.account,
        groupSet: [],
        instancesSet: insts.map((i) => renderInstance(world, i)),
      })),
      nextToken: next,
    };
  },

  TerminateInstances(p, { world }) {
    const ids = list(p.InstanceId).map(String);
    if (!ids.length) throw new AwsError("MissingParameter", "The request must contain the parameter InstanceId");
    const insts = ids.map((id) => getInstance(world, id));
    return {
      instancesSet: insts.map((i) => {
        const previous = terminate(world, i);
        return { instanceId: i.id, previousState: { code: STATE_CODES[previous], name: previous }, currentState: { code: STATE_CODES[i.state], name: i.state } };
      }),
    };
  },

  GetConsoleOutput(p, { world }) {
    const i = getInstance(world, required(p.InstanceId, "InstanceId"));
    return {
      instanceId: i.id,
      timestamp: new Date(),
      output: i.consoleReady ? Buffer.from(consoleText(i)).toString("base64") : undefined,
    };
  },

  ModifyInstanceMetadataOptions(p, { world }) {
    const i = getInstance(world, required(p.InstanceId, "InstanceId"));
    if (p.HttpTokens && !["optional", "required"].includes(String(p.HttpTokens))) throw new AwsError("InvalidParameterValue", `Value (${p.HttpTokens}) for parameter httpTokens is invalid.`);
    if (p.HttpTokens) i.metadata.httpTokens = String(p.HttpTokens);
    if (p.HttpPutResponseHopLimit) i.metadata.httpPutResponseHopLimit = Number(p.HttpPutResponseHopLimit);
    if (p.HttpEndpoint) i.metadata.httpEndpoint = String(p.HttpEndpoint);
    if (p.InstanceMetadataTags) i.metadata.instanceMetadataTags = String(p.InstanceMetadataTags);
    return { instanceId: i.id, instanceMetadataOptions: { state: "pending", ...i.metadata, httpProtocolIpv6: "disabled" } };
  },
};
