// @ts-check
import { AwsError } from "../core/errors.js";
import { bool, members } from "../core/form.js";
import { randomUUID } from "../core/ids.js";
import { markerPage, requiredParam } from "../core/query.js";
import { matchesAny } from "../core/filters.js";
import { findTemplate, templateVersion } from "./ec2/launch-templates.js";
import { launch, terminate } from "./ec2/instances.js";
import { deregisterTargets, registerTargets } from "./elbv2.js";

/**
 * Auto Scaling groups. At every request the fake reconciles each group as the service
 * does in the background: replaces instances that are gone, launches from the launch
 * template into the least-used zone until the desired capacity is met (recording a
 * failed activity and backing off when a launch fails), and terminates the surplus.
 */

/** @typedef {import("../core/world.js").World} World */

const RETRY_MS = 10_000;

/** @param {World} world @param {string} name */
function getGroup(world, name) {
  const g = world.store.get("asg", name);
  if (!g || g.deleted) throw new AwsError("ValidationError", `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
  return g;
}

/** @param {World} world @param {any} lt */
function resolveTemplate(world, lt) {
  try {
    const t = findTemplate(world, { LaunchTemplateId: lt.LaunchTemplateId, LaunchTemplateName: lt.LaunchTemplateName });
    templateVersion(t, lt.Version);
    return { LaunchTemplateId: t.id, LaunchTemplateName: t.name, Version: String(lt.Version ?? "$Default") };
  } catch (e) {
    throw new AwsError("ValidationError", `You must use a valid fully-formed launch template. ${(/** @type {Error} */ (e)).message}`);
  }
}

/** @param {World} world @param {string} zoneIdentifier */
function resolveSubnets(world, zoneIdentifier) {
  const ids = zoneIdentifier.split(",").map((s) => s.trim()).filter(Boolean);
  if (!ids.length) throw new AwsError("ValidationError", "At least one Availability Zone or VPC Subnet is required.");
  for (const id of ids) if (!world.store.get("subnet", id)) throw new AwsError("ValidationError", `The subnet ID '${id}' does not exist`);
  return ids;
}

/** @param {number} min @param {number} max @param {number} desired */
function checkSizes(min, max, desired) {
  if (min > max) throw new AwsError("ValidationError", `Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max) throw new AwsError("ValidationError", `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
}

/** @param {World} world @param {any} g @param {string} description @param {string} status @param {string} [message] */
function activity(world, g, description, status, message) {
  g.activities.unshift({
    ActivityId: randomUUID(),
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    Description: description,
    Cause: `At ${new Date().toISOString()} an instance was ${description.startsWith("Launching") ? "started" : "taken out of service"} in response to a difference between desired and actual capacity.`,
    StartTime: new Date(),
    EndTime: new Date(),
    StatusCode: status,
    StatusMessage: message,
    Progress: 100,
  });
  g.activities.length = Math.min(g.activities.length, 100);
}

/** @param {World} world @param {any} g @param {any} inst */
function targetsFor(world, g, inst) {
  return g.targetGroupArns
    .map((/** @type {string} */ arn) => world.store.get("tg", arn))
    .filter(Boolean)
    .map((/** @type {any} */ tg) => ({ arn: tg.id, target: { Id: tg.targetType === "ip" ? inst.privateIp : inst.id } }));
}

/** @param {World} world @param {any} g @param {any} inst */
function removeInstance(world, g, inst) {
  for (const { arn, target } of targetsFor(world, g, inst)) {
    try {
      deregisterTargets(world, arn, [target]);
    } catch {
      // already deregistered
    }
  }
  terminate(world, inst);
  activity(world, g, `Terminating EC2 instance: ${inst.id}`, "Successful");
}

/** @param {World} world @param {any} g */
function launchOne(world, g) {
  const t = findTemplate(world, g.launchTemplate);
  const spec = templateVersion(t, g.launchTemplate.Version).data;
  const live = g.instanceIds.map((/** @type {string} */ id) => world.store.get("instance", id)).filter(Boolean);
  const load = (/** @type {string} */ subnetId) => live.filter((/** @type {any} */ i) => i.subnetId === subnetId).length;
  const subnetId = [...g.subnets].sort((a, b) => load(a) - load(b))[0];
  const extraTags = [
    ...g.tags.filter((/** @type {any} */ x) => x.PropagateAtLaunch).map((/** @type {any} */ x) => ({ Key: x.Key, Value: x.Value })),
    { Key: "aws:autoscaling:groupName", Value: g.name },
  ];
  const { instances } = launch(world, spec, { count: 1, subnetId, extraTags });
  const inst = instances[0];
  g.instanceIds.push(inst.id);
  for (const { arn, target } of targetsFor(world, g, inst)) registerTargets(world, arn, [target]);
  activity(world, g, `Launching a new EC2 instance: ${inst.id}`, "Successful");
}

/** @param {World} world */
function reconcile(world) {
  for (const g of world.store.list("asg")) {
    g.instanceIds = g.instanceIds.filter((/** @type {string} */ id) => {
      const i = world.store.get("instance", id);
      return i && i.state !== "terminated";
    });
    const active = g.instanceIds.map((/** @type {string} */ id) => world.store.get("instance", id)).filter((/** @type {any} */ i) => i.state === "pending" || i.state === "running");
    if (g.deleted) {
      if (!g.instanceIds.length) world.store.remove("asg", g.name);
      continue;
    }
    if (active.length < g.desired && !g.backingOff) {
      for (let n = active.length; n < g.desired; n++) {
        try {
          launchOne(world, g);
        } catch (e) {
          const err = /** @type {AwsError} */ (e);
          activity(world, g, "Launching a new EC2 instance.  Status Reason: " + err.message, "Failed", `${err.code ?? "Error"}: ${err.message}`);
          g.backingOff = true;
          world.store.after(RETRY_MS, () => {
            g.backingOff = false;
          });
          break;
        }
      }
    }
    if (active.length > g.desired) {
      const byZone = (/** @type {any} */ i) => active.filter((/** @type {any} */ x) => x.availabilityZone === i.availabilityZone).length;
      const surplus = [...active].sort((a, b) => byZone(b) - byZone(a) || a.launchTime - b.launchTime).slice(0, active.length - g.desired);
      for (const i of surplus) removeInstance(world, g, i);
    }
  }
}

/** @param {World} world @param {any} g */
function renderGroup(world, g) {
  const instances = g.instanceIds.map((/** @type {string} */ id) => world.store.get("instance", id)).filter(Boolean);
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    LaunchTemplate: g.launchTemplate,
    MinSize: g.min,
    MaxSize: g.max,
    DesiredCapacity: g.desired,
    DefaultCooldown: g.defaultCooldown,
    AvailabilityZones: [...new Set(g.subnets.map((/** @type {string} */ s) => world.store.get("subnet", s)?.availabilityZone).filter(Boolean))],
    LoadBalancerNames: [],
    TargetGroupARNs: g.targetGroupArns,
    HealthCheckType: g.healthCheckType,
    HealthCheckGracePeriod: g.healthCheckGracePeriod,
    Instances: instances.map((/** @type {any} */ i) => ({
      InstanceId: i.id,
      InstanceType: i.instanceType,
      AvailabilityZone: i.availabilityZone,
      LifecycleState: i.state === "pending" ? "Pending" : i.state === "running" ? "InService" : "Terminating",
      HealthStatus: i.state === "pending" || i.state === "running" ? "Healthy" : "Unhealthy",
      LaunchTemplate: g.launchTemplate,
      ProtectedFromScaleIn: g.protectNew,
    })),
    CreatedTime: g.createdTime,
    VPCZoneIdentifier: g.subnets.join(","),
    Tags: g.tags.map((/** @type {any} */ t) => ({ ResourceId: g.name, ResourceType: "auto-scaling-group", ...t })),
    Status: g.deleted ? "Delete in progress" : undefined,
    NewInstancesProtectedFromScaleIn: g.protectNew,
    ServiceLinkedRoleARN: `arn:aws:iam::${world.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
  };
}

/** @param {any} x */
function decodeAsgTags(x) {
  return members(x).map((t) => {
    if (!t.Key) throw new AwsError("ValidationError", "Tag key must not be empty");
    if (String(t.Key).startsWith("aws:")) throw new AwsError("ValidationError", "Tag keys starting with 'aws:' are reserved");
    return { ResourceId: t.ResourceId, Key: String(t.Key), Value: String(t.Value ?? ""), PropagateAtLaunch: bool(t.PropagateAtLaunch) ?? false };
  });
}

/** @param {any} g @param {{ Key: string, Value: string, PropagateAtLaunch: boolean }[]} tags */
function upsertTags(g, tags) {
  for (const t of tags) {
    g.tags = g.tags.filter((/** @type {any} */ x) => x.Key !== t.Key);
    g.tags.push({ Key: t.Key, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch });
  }
}

/** ASG `Filters.member.N` (tag:K, tag-key, tag-value, auto-scaling-group…). @param {any} p */
function asgFilters(p) {
  return members(p.Filters).map((f) => ({ Name: String(f.Name), Values: members(f.Values).map(String) }));
}

/** @type {import("../core/server.js").ServiceModule} */
export const service = {
  name: "autoscaling",
  signingName: "autoscaling",
  protocol: "query",
  xmlns: "http://autoscaling.amazonaws.com/doc/2011-01-01/",
  onTick: reconcile,
  actions: {
    CreateAutoScalingGroup(p, { world }) {
      const name = requiredParam(p.AutoScalingGroupName, "AutoScalingGroupName");
      if (world.store.get("asg", name)) throw new AwsError("AlreadyExists", `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`);
      if (!p.LaunchTemplate && !p.MixedInstancesPolicy) throw new AwsError("ValidationError", "Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.");
      const launchTemplate = resolveTemplate(world, p.LaunchTemplate ?? p.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification);
      const min = Number(requiredParam(p.MinSize, "MinSize"));
      const max = Number(requiredParam(p.MaxSize, "MaxSize"));
      const desired = p.DesiredCapacity === undefined ? min : Number(p.DesiredCapacity);
      checkSizes(min, max, desired);
      const subnets = resolveSubnets(world, requiredParam(p.VPCZoneIdentifier, "VPCZoneIdentifier"));
      const targetGroupArns = members(p.TargetGroupARNs).map(String);
      for (const arn of targetGroupArns) if (!world.store.get("tg", arn)) throw new AwsError("ValidationError", `Provided Target Groups may not be valid. Please ensure they exist and try again.`);
      const arn = world.arn("autoscaling", `autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`);
      const g = world.store.put("asg", name, {
        id: arn,
        arn,
        name,
        launchTemplate,
        min,
        max,
        desired,
        subnets,
        targetGroupArns,
        healthCheckType: String(p.HealthCheckType ?? "EC2"),
        healthCheckGracePeriod: Number(p.HealthCheckGracePeriod ?? 0),
        defaultCooldown: Number(p.DefaultCooldown ?? 300),
        protectNew: bool(p.NewInstancesProtectedFromScaleIn) ?? false,
        createdTime: new Date(),
        tags: /** @type {any[]} */ ([]),
        instanceIds: /** @type {string[]} */ ([]),
        activities: /** @type {any[]} */ ([]),
        backingOff: false,
        deleted: false,
      });
      upsertTags(g, decodeAsgTags(p.Tags));
      return undefined;
    },

    DescribeAutoScalingGroups(p, { world }) {
      const names = members(p.AutoScalingGroupNames).map(String);
      const filters = asgFilters(p);
      const groups = world.store.list("asg").filter((g) => {
        if (names.length && !names.includes(g.name)) return false;
        return filters.every((f) => {
          const tags = g.tags;
          if (f.Name.startsWith("tag:")) return tags.some((/** @type {any} */ t) => t.Key === f.Name.slice(4) && matchesAny(t.Value, f.Values));
          if (f.Name === "tag-key") return tags.some((/** @type {any} */ t) => f.Values.includes(t.Key));
          if (f.Name === "tag-value") return tags.some((/** @type {any} */ t) => f.Values.includes(t.Value));
          throw new AwsError("ValidationError", `Filter name '${f.Name}' is invalid`);
        });
      });
      const { page, next } = markerPage(groups, p, { max: "MaxRecords", marker: "NextToken", limits: [1, 100], defaultMax: 50 });
      return { AutoScalingGroups: page.map((g) => renderGroup(world, g)), NextToken: next };
    },

    UpdateAutoScalingGroup(p, { world }) {
      const g = getGroup(world, requiredParam(p.AutoScalingGroupName, "AutoScalingGroupName"));
      const min = p.MinSize === undefined ? g.min : Number(p.MinSize);
      const max = p.MaxSize === undefined ? g.max : Number(p.MaxSize);
      let desired = p.DesiredCapacity === undefined ? g.desired : Number(p.DesiredCapacity);
      if (p.DesiredCapacity === undefined) desired = Math.min(Math.max(desired, min), max);
      checkSizes(min, max, desired);
      if (p.LaunchTemplate) g.launchTemplate = resolveTemplate(world, p.LaunchTemplate);
      if (p.VPCZoneIdentifier) g.subnets = resolveSubnets(world, String(p.VPCZoneIdentifier));
      if (p.HealthCheckType) g.healthCheckType = String(p.HealthCheckType);
      if (p.HealthCheckGracePeriod !== undefined) g.healthCheckGracePeriod = Number(p.HealthCheckGracePeriod);
      if (p.NewInstancesProtectedFromScaleIn !== undefined) g.protectNew = bool(p.NewInstancesProtectedFromScaleIn);
      Object.assign(g, { min, max, desired });
      return undefined;
    },

    SetDesiredCapacity(p, { world }) {
      const g = getGroup(world, requiredParam(p.AutoScalingGroupName, "AutoScalingGroupName"));
      const desired = Number(requiredParam(p.DesiredCapacity, "DesiredCapacity"));
      if (desired > g.max) throw new AwsError("ValidationError", `New SetDesiredCapacity value ${desired} is above max value ${g.max} for the AutoScalingGroup.`);
      if (desired < g.min) throw new AwsError("ValidationError", `New SetDesiredCapacity value ${desired} is below min value ${g.min} for the AutoScalingGroup.`);
      g.desired = desired;
      return undefined;
    },

    TerminateInstanceInAutoScalingGroup(p, { world }) {
      const id = requiredParam(p.InstanceId, "InstanceId");
      const g = world.store.list("asg").find((x) => x.instanceIds.includes(id));
      const inst = world.store.get("instance", id);
      if (!g || !inst) throw new AwsError("ValidationError", `Instance Id not found - No managed instance found for instance ID: ${id}`);
      if (bool(p.ShouldDecrementDesiredCapacity)) {
        if (g.desired - 1 < g.min) throw new AwsError("ValidationError", `Currently, desiredSize equals minSize (${g.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`);
        g.desired -= 1;
      }
      removeInstance(world, g, inst);
      return { Activity: g.activities[0] };
    },

    DescribeScalingActivities(p, { world }) {
      const name = p.AutoScalingGroupName === undefined ? undefined : String(p.AutoScalingGroupName);
      const acts = world.store.list("asg").filter((g) => !name || g.name === name).flatMap((g) => g.activities);
      const { page, next } = markerPage(acts, p, { max: "MaxRecords", marker: "NextToken", limits: [1, 100], defaultMax: 100 });
      return { Activities: page, NextToken: next };
    },

    DeleteAutoScalingGroup(p, { world }) {
      const g = getGroup(world, requiredParam(p.AutoScalingGroupName, "AutoScalingGroupName"));
      const live = g.instanceIds.filter((/** @type {string} */ id) => world.store.get("instance", id)?.state !== "terminated");
      if (live.length && !bool(p.ForceDelete)) {
        throw new AwsError("ResourceInUse", "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.");
      }
      g.deleted = true;
      g.desired = 0;
      for (const id of live) {
        const inst = world.store.get("instance", id);
        if (inst.state === "pending" || inst.state === "running") removeInstance(world, g, inst);
      }
      return undefined;
    },

    CreateOrUpdateTags(p, { world }) {
      const tags = decodeAsgTags(p.Tags);
      for (const t of tags) upsertTags(getGroup(world, requiredParam(t.ResourceId, "ResourceId")), [t]);
      return undefined;
    },

    DeleteTags(p, { world }) {
      for (const t of members(p.Tags)) {
        const g = getGroup(world, requiredParam(t.ResourceId, "ResourceId"));
        g.tags = g.tags.filter((/** @type {any} */ x) => x.Key !== t.Key);
      }
      return undefined;
    },

    DescribeTags(p, { world }) {
      const filters = asgFilters(p);
      const fields = /** @type {Record<string, (t: any) => string>} */ ({
        "auto-scaling-group": (t) => t.ResourceId,
        key: (t) => t.Key,
        value: (t) => t.Value,
        "propagate-at-launch": (t) => String(t.PropagateAtLaunch),
      });
      for (const f of filters) if (!fields[f.Name]) throw new AwsError("ValidationError", `Filter name '${f.Name}' is invalid`);
      const all = world.store
        .list("asg")
        .filter((g) => !g.deleted)
        .flatMap((g) => g.tags.map((/** @type {any} */ t) => ({ ResourceId: g.name, ResourceType: "auto-scaling-group", ...t })));
      const matching = all.filter((t) => filters.every((f) => f.Values.includes(fields[f.Name](t))));
      const { page, next } = markerPage(matching, p, { max: "MaxRecords", marker: "NextToken", limits: [1, 100], defaultMax: 100 });
      return { Tags: page, NextToken: next };
    },
  },
};
