// @ts-check
import { createHash } from "node:crypto";
import { AwsError } from "../core/errors.js";
import { tcpCheck } from "../core/tcp-check.js";
import { members, memberTags } from "../core/form.js";
import { hex } from "../core/ids.js";
import { markerPage, requiredParam } from "../core/query.js";
import { createEni } from "./ec2/eni.js";

/**
 * ELBv2, network load balancers: provisioning → active after a delay, one requester-managed
 * interface per subnet (so subnets stay in use until they are gone), target groups whose
 * targets go initial → healthy once a listener uses the group.
 */

/** @typedef {import("../core/world.js").World} World */

const LB_NAME = /^(?!internal-)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;
const HOSTED_ZONES = /** @type {Record<string, string>} */ ({ "eu-west-1": "Z2IFOLAFXWLO4F", "us-east-1": "Z26RNL4JYFTOTI", "eu-central-1": "Z3F0SRJ5LGBH90", "us-west-2": "Z18D5FSROUN65G" });

const lbNotFound = () => new AwsError("LoadBalancerNotFound", "One or more load balancers not found");
const tgNotFound = () => new AwsError("TargetGroupNotFound", "One or more target groups not found");
const listenerNotFound = () => new AwsError("ListenerNotFound", "One or more listeners not found");

/** @param {any} p */
function digest(p) {
  const { Action, Version, Tags, ...rest } = p;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex");
}

/** @param {World} world @param {string} arn */
function getLb(world, arn) {
  const lb = world.store.get("lb", arn);
  if (!lb) throw lbNotFound();
  return lb;
}

/** @param {World} world @param {string} arn */
function getTg(world, arn) {
  const tg = world.store.get("tg", arn);
  if (!tg) throw tgNotFound();
  return tg;
}

/** @param {World} world @param {any} lb */
function renderLb(world, lb) {
  return {
    LoadBalancerArn: lb.id,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: HOSTED_ZONES[world.region] ?? "Z2IFOLAFXWLO4F",
    CreatedTime: lb.createdTime,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: lb.state },
    Type: "network",
    AvailabilityZones: lb.subnets.map((/** @type {any} */ s) => ({ ZoneName: s.availabilityZone, SubnetId: s.subnetId, LoadBalancerAddresses: [] })),
    SecurityGroups: lb.securityGroups.length ? lb.securityGroups : undefined,
    IpAddressType: lb.ipAddressType,
  };
}

/** @param {World} world @param {any} tg */
function renderTg(world, tg) {
  return {
    TargetGroupArn: tg.id,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: tg.healthCheck.protocol,
    HealthCheckPort: tg.healthCheck.port,
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: tg.healthCheck.interval,
    HealthCheckTimeoutSeconds: tg.healthCheck.timeout,
    HealthyThresholdCount: tg.healthCheck.healthy,
    UnhealthyThresholdCount: tg.healthCheck.unhealthy,
    HealthCheckPath: tg.healthCheck.path,
    Matcher: tg.healthCheck.path ? { HttpCode: "200-399" } : undefined,
    LoadBalancerArns: loadBalancersOf(world, tg),
    TargetType: tg.targetType,
    IpAddressType: "ipv4",
  };
}

/** @param {World} world @param {any} tg */
function loadBalancersOf(world, tg) {
  return [...new Set(world.store.list("listener").filter((l) => l.targetGroupArns.includes(tg.id)).map((l) => l.loadBalancerArn))];
}

/** @param {any} l */
function renderListener(l) {
  return {
    ListenerArn: l.id,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol,
    DefaultActions: l.targetGroupArns.map((/** @type {string} */ arn) => ({
      Type: "forward",
      TargetGroupArn: arn,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: arn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
    })),
  };
}

/**
 * Register targets (also used by AutoScaling for its target groups).
 * @param {World} world @param {string} tgArn @param {{ Id: string, Port?: number }[]} targets
 */
export function registerTargets(world, tgArn, targets) {
  const tg = getTg(world, tgArn);
  for (const t of targets) {
    if (tg.targetType === "instance") {
      const inst = world.store.get("instance", t.Id);
      if (!inst) throw new AwsError("InvalidTarget", `The following targets are not valid instances: '${t.Id}'`);
      if (inst.state !== "running" && inst.state !== "pending") throw new AwsError("InvalidTarget", `The following targets are not in a running state and cannot be registered: '${t.Id}'`);
      if (inst.vpcId !== tg.vpcId) throw new AwsError("InvalidTarget", `The following targets are not in the target group VPC '${tg.vpcId}': '${t.Id}'`);
    } else if (!/^\d+\.\d+\.\d+\.\d+$/.test(t.Id)) {
      throw new AwsError("ValidationError", `The IP address '${t.Id}' is not a valid IPv4 address`);
    }
    const port = t.Port ?? tg.port;
    const existing = tg.targets.find((/** @type {any} */ x) => x.id === t.Id && x.port === port);
    if (existing && !existing.draining) continue;
    tg.targets = tg.targets.filter((/** @type {any} */ x) => !(x.id === t.Id && x.port === port));
    const target = { id: t.Id, port, healthy: false, draining: false };
    tg.targets.push(target);
    if (loadBalancersOf(world, tg).length) startHealthChecks(world, tg, target);
  }
}

/**
 * A target in a group that receives traffic passes its health checks after a while.
 * @param {World} world @param {any} tg @param {any} target
 */
function startHealthChecks(world, tg, target) {
  target.healthy = false;
  const epoch = (target.epoch = (target.epoch ?? 0) + 1);
  world.after("targetHealthy", () => {
    if (target.epoch === epoch && !target.draining) target.healthy = true;
  });
}

/** @param {World} world @param {string} tgArn @param {{ Id: string, Port?: number }[]} targets */
export function deregisterTargets(world, tgArn, targets) {
  const tg = getTg(world, tgArn);
  for (const t of targets) {
    const port = t.Port ?? tg.port;
    const x = tg.targets.find((/** @type {any} */ y) => y.id === t.Id && y.port === port);
    if (!x) throw new AwsError("InvalidTarget", `The following targets are not registered in target group: '${t.Id}'`);
    if (x.draining) continue;
    x.draining = true;
    world.after("targetDrain", () => {
      tg.targets = tg.targets.filter((/** @type {any} */ y) => y !== x);
    });
  }
}

/** @param {World} world @param {any} tg @param {any} t */
function targetHealth(world, tg, t) {
  if (t.draining) return { State: "draining", Reason: "Target.DeregistrationInProgress", Description: "Target deregistration is in progress" };
  const lbs = loadBalancersOf(world, tg);
  if (!lbs.length) return { State: "unused", Reason: "Target.NotInUse", Description: "Target group is not configured to receive traffic from the load balancer" };
  if (tg.targetType === "instance") {
    const state = world.store.get("instance", t.id)?.state ?? "terminated";
    if (state !== "running" && state !== "pending") return { State: "unused", Reason: "Target.InvalidState", Description: "Target is in the stopped or terminated state" };
    if (state === "pending") return { State: "initial", Reason: "Elb.RegistrationInProgress", Description: "Target registration is in progress" };
  }
  if (!t.healthy) return { State: "initial", Reason: "Elb.RegistrationInProgress", Description: "Target registration is in progress" };
  return { State: "healthy" };
}


/**
 * With probing on (world.probeTargets), a target that is otherwise healthy is healthy
 * only if its address accepts a TCP connection on the health-check port — so a test
 * host whose service is down shows as unhealthy, as the load balancer would see it.
 * @param {World} world @param {any} tg @param {any} t
 */
async function probedHealth(world, tg, t) {
  const health = targetHealth(world, tg, t);
  if (!world.probeTargets || health.State !== "healthy") return health;
  const address = tg.targetType === "ip" ? t.id : world.store.get("instance", t.id)?.privateIp;
  const port = tg.healthCheck.port === "traffic-port" ? t.port : Number(tg.healthCheck.port);
  if (address && (await tcpCheck(address, port))) return health;
  return { State: "unhealthy", Reason: "Target.FailedHealthChecks", Description: "Health checks failed" };
}

/** The resource an ARN tags, by its type. @param {World} world @param {string} arn */
function taggable(world, arn) {
  if (arn.includes(":loadbalancer/")) return getLb(world, arn);
  if (arn.includes(":targetgroup/")) return getTg(world, arn);
  if (arn.includes(":listener/")) {
    const l = world.store.get("listener", arn);
    if (!l) throw listenerNotFound();
    return l;
  }
  throw new AwsError("ValidationError", `'${arn}' is not a valid resource ARN`);
}

/** @type {import("../core/server.js").ServiceModule} */
export const service = {
  name: "elbv2",
  signingName: "elasticloadbalancing",
  protocol: "query",
  xmlns: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  actions: {
    CreateLoadBalancer(p, { world }) {
      const name = requiredParam(p.Name, "Name");
      if (!LB_NAME.test(name)) throw new AwsError("ValidationError", `The load balancer name '${name}' is not valid`);
      const type = String(p.Type ?? "application");
      if (type !== "network") throw new AwsError("ValidationError", `The fake models network load balancers only, not '${type}'`);
      const existing = world.store.list("lb").find((l) => l.name === name);
      if (existing) {
        if (existing.digest === digest(p)) return { LoadBalancers: [renderLb(world, existing)] };
        throw new AwsError("DuplicateLoadBalancerName", "A load balancer with the same name exists, but with different settings");
      }
      const subnetIds = [...members(p.Subnets).map(String), ...members(p.SubnetMappings).map((m) => String(m.SubnetId))];
      if (!subnetIds.length) throw new AwsError("ValidationError", "At least one subnet must be specified");
      const subnets = subnetIds.map((id) => {
        const s = world.store.get("subnet", id);
        if (!s) throw new AwsError("SubnetNotFound", `The subnet ID '${id}' is not valid`);
        return s;
      });
      if (new Set(subnets.map((s) => s.availabilityZone)).size !== subnets.length) {
        throw new AwsError("InvalidConfigurationRequest", "A load balancer cannot be attached to multiple subnets in the same Availability Zone");
      }
      const vpcId = subnets[0].vpcId;
      if (subnets.some((s) => s.vpcId !== vpcId)) throw new AwsError("InvalidConfigurationRequest", "The subnets must belong to the same VPC");
      const scheme = String(p.Scheme ?? "internet-facing");
      if (scheme === "internet-facing" && !world.store.list("igw").some((g) => g.vpcId === vpcId)) {
        throw new AwsError("InvalidSubnet", `VPC ${vpcId} has no internet gateway`);
      }
      const securityGroups = members(p.SecurityGroups).map(String);
      for (const g of securityGroups) if (!world.store.get("sg", g)) throw new AwsError("InvalidSecurityGroup", `Security group '${g}' does not exist`);
      const suffix = hex(8);
      const arn = world.arn("elasticloadbalancing", `loadbalancer/net/${name}/${suffix}`);
      const enis = subnets.map((s) =>
        createEni(world, { subnet: s, description: `ELB net/${name}/${suffix}`, interfaceType: "network_load_balancer", requesterManaged: true, groups: securityGroups }).id,
      );
      const lb = world.store.put("lb", arn, {
        id: arn,
        name,
        digest: digest(p),
        dnsName: `${name}-${suffix.slice(0, 16)}.elb.${world.region}.amazonaws.com`,
        createdTime: new Date(),
        scheme,
        vpcId,
        state: "provisioning",
        subnets: subnets.map((s) => ({ subnetId: s.id, availabilityZone: s.availabilityZone })),
        securityGroups,
        ipAddressType: String(p.IpAddressType ?? "ipv4"),
        enis,
        attributes: /** @type {Record<string, string>} */ ({ "load_balancing.cross_zone.enabled": "false", "deletion_protection.enabled": "false" }),
      });
      world.store.addTags(arn, memberTags(p.Tags));
      world.after("loadBalancerActive", () => {
        if (lb.state === "provisioning") lb.state = "active";
      });
      return { LoadBalancers: [renderLb(world, lb)] };
    },

    DescribeLoadBalancers(p, { world }) {
      const arns = members(p.LoadBalancerArns).map(String);
      const names = members(p.Names).map(String);
      let lbs = world.store.list("lb");
      if (arns.length) {
        if (arns.some((a) => !world.store.get("lb", a))) throw lbNotFound();
        lbs = lbs.filter((l) => arns.includes(l.id));
      }
      if (names.length) {
        if (names.some((n) => !lbs.some((l) => l.name === n))) throw lbNotFound();
        lbs = lbs.filter((l) => names.includes(l.name));
      }
      const { page, next } = markerPage(lbs, p, { max: "PageSize", limits: [1, 400], defaultMax: 400 });
      return { LoadBalancers: page.map((l) => renderLb(world, l)), NextMarker: next };
    },

    DeleteLoadBalancer(p, { world }) {
      const arn = requiredParam(p.LoadBalancerArn, "LoadBalancerArn");
      const lb = world.store.get("lb", arn);
      if (!lb) return undefined;
      if (lb.attributes["deletion_protection.enabled"] === "true") throw new AwsError("OperationNotPermitted", `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`);
      for (const l of world.store.list("listener").filter((x) => x.loadBalancerArn === arn)) world.store.remove("listener", l.id);
      world.store.remove("lb", arn);
      world.after("loadBalancerEnisGone", () => {
        for (const e of lb.enis) world.store.remove("eni", e);
      });
      return undefined;
    },

    ModifyLoadBalancerAttributes(p, { world }) {
      const lb = getLb(world, requiredParam(p.LoadBalancerArn, "LoadBalancerArn"));
      for (const a of members(p.Attributes)) lb.attributes[String(a.Key)] = String(a.Value);
      return { Attributes: Object.entries(lb.attributes).map(([Key, Value]) => ({ Key, Value })) };
    },

    DescribeLoadBalancerAttributes(p, { world }) {
      const lb = getLb(world, requiredParam(p.LoadBalancerArn, "LoadBalancerArn"));
      return { Attributes: Object.entries(lb.attributes).map(([Key, Value]) => ({ Key, Value })) };
    },

    CreateTargetGroup(p, { world }) {
      const name = requiredParam(p.Name, "Name");
      if (!LB_NAME.test(name)) throw new AwsError("ValidationError", `Target group name '${name}' can have a maximum of 32 characters, and contain only alphanumeric characters and hyphens`);
      const existing = world.store.list("tg").find((t) => t.name === name);
      if (existing) {
        if (existing.digest === digest(p)) return { TargetGroups: [renderTg(world, existing)] };
        throw new AwsError("DuplicateTargetGroupName", "A target group with the same name exists, but with different settings");
      }
      const targetType = String(p.TargetType ?? "instance");
      if (!["instance", "ip"].includes(targetType)) throw new AwsError("ValidationError", `Target type '${targetType}' is not modelled by the fake`);
      const protocol = requiredParam(p.Protocol, "Protocol");
      if (!["TCP", "TLS", "UDP", "TCP_UDP"].includes(protocol)) throw new AwsError("ValidationError", `Protocol '${protocol}' is not a network load balancer protocol`);
      const vpcId = requiredParam(p.VpcId, "VpcId");
      if (!world.store.get("vpc", vpcId)) throw new AwsError("ValidationError", `The VPC ID '${vpcId}' is not found`);
      const suffix = hex(8);
      const arn = world.arn("elasticloadbalancing", `targetgroup/${name}/${suffix}`);
      const tg = world.store.put("tg", arn, {
        id: arn,
        name,
        digest: digest(p),
        protocol,
        port: Number(requiredParam(p.Port, "Port")),
        vpcId,
        targetType,
        healthCheck: {
          protocol: String(p.HealthCheckProtocol ?? protocol),
          port: String(p.HealthCheckPort ?? "traffic-port"),
          path: p.HealthCheckPath === undefined ? undefined : String(p.HealthCheckPath),
          interval: Number(p.HealthCheckIntervalSeconds ?? 30),
          timeout: Number(p.HealthCheckTimeoutSeconds ?? 10),
          healthy: Number(p.HealthyThresholdCount ?? 5),
          unhealthy: Number(p.UnhealthyThresholdCount ?? 2),
        },
        targets: /** @type {any[]} */ ([]),
        attributes: /** @type {Record<string, string>} */ ({ "deregistration_delay.timeout_seconds": "300", "preserve_client_ip.enabled": targetType === "ip" ? "false" : "true" }),
      });
      world.store.addTags(arn, memberTags(p.Tags));
      return { TargetGroups: [renderTg(world, tg)] };
    },

    DescribeTargetGroups(p, { world }) {
      const arns = members(p.TargetGroupArns).map(String);
      const names = members(p.Names).map(String);
      let tgs = world.store.list("tg");
      if (p.LoadBalancerArn) {
        getLb(world, String(p.LoadBalancerArn));
        tgs = tgs.filter((t) => loadBalancersOf(world, t).includes(String(p.LoadBalancerArn)));
      }
      if (arns.length) {
        if (arns.some((a) => !world.store.get("tg", a))) throw tgNotFound();
        tgs = tgs.filter((t) => arns.includes(t.id));
      }
      if (names.length) {
        if (names.some((n) => !tgs.some((t) => t.name === n))) throw tgNotFound();
        tgs = tgs.filter((t) => names.includes(t.name));
      }
      const { page, next } = markerPage(tgs, p, { max: "PageSize", limits: [1, 400], defaultMax: 400 });
      return { TargetGroups: page.map((t) => renderTg(world, t)), NextMarker: next };
    },

    ModifyTargetGroupAttributes(p, { world }) {
      const tg = getTg(world, requiredParam(p.TargetGroupArn, "TargetGroupArn"));
      for (const a of members(p.Attributes)) tg.attributes[String(a.Key)] = String(a.Value);
      return { Attributes: Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value })) };
    },

    DescribeTargetGroupAttributes(p, { world }) {
      const tg = getTg(world, requiredParam(p.TargetGroupArn, "TargetGroupArn"));
      return { Attributes: Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value })) };
    },

    DeleteTargetGroup(p, { world }) {
      const arn = requiredParam(p.TargetGroupArn, "TargetGroupArn");
      const tg = world.store.get("tg", arn);
      if (!tg) return undefined;
      if (world.store.list("listener").some((l) => l.targetGroupArns.includes(arn))) {
        throw new AwsError("ResourceInUse", `Target group '${arn}' is currently in use by a listener or a rule`);
      }
      world.store.remove("tg", arn);
      return undefined;
    },

    RegisterTargets(p, { world }) {
      const targets = members(p.Targets).map((t) => ({ Id: String(t.Id), Port: t.Port === undefined ? undefined : Number(t.Port) }));
      if (!targets.length) throw new AwsError("ValidationError", "At least one target must be specified");
      registerTargets(world, requiredParam(p.TargetGroupArn, "TargetGroupArn"), targets);
      return {};
    },

    DeregisterTargets(p, { world }) {
      const targets = members(p.Targets).map((t) => ({ Id: String(t.Id), Port: t.Port === undefined ? undefined : Number(t.Port) }));
      deregisterTargets(world, requiredParam(p.TargetGroupArn, "TargetGroupArn"), targets);
      return {};
    },

    async DescribeTargetHealth(p, { world }) {
      const tg = getTg(world, requiredParam(p.TargetGroupArn, "TargetGroupArn"));
      const wanted = members(p.Targets).map((t) => ({ id: String(t.Id), port: t.Port === undefined ? undefined : Number(t.Port) }));
      let targets = tg.targets;
      if (wanted.length) targets = targets.filter((/** @type {any} */ t) => wanted.some((w) => w.id === t.id && (w.port === undefined || w.port === t.port)));
      return {
        TargetHealthDescriptions: await Promise.all(
          targets.map(async (/** @type {any} */ t) => ({
            Target: { Id: t.id, Port: t.port },
            HealthCheckPort: tg.healthCheck.port === "traffic-port" ? String(t.port) : tg.healthCheck.port,
            TargetHealth: await probedHealth(world, tg, t),
          })),
        ),
      };
    },

    CreateListener(p, { world }) {
      const lb = getLb(world, requiredParam(p.LoadBalancerArn, "LoadBalancerArn"));
      const port = Number(requiredParam(p.Port, "Port"));
      const protocol = String(p.Protocol ?? "TCP");
      const actions = members(p.DefaultActions);
      if (!actions.length) throw new AwsError("ValidationError", "A default action must be specified");
      const tgArns = actions.map((a) => {
        if (a.Type !== "forward") throw new AwsError("ValidationError", `Action type '${a.Type}' must be 'forward' for a network load balancer`);
        return String(a.TargetGroupArn ?? members(a.ForwardConfig?.TargetGroups)[0]?.TargetGroupArn);
      });
      for (const arn of tgArns) {
        const tg = getTg(world, arn);
        const others = loadBalancersOf(world, tg).filter((x) => x !== lb.id);
        if (others.length) throw new AwsError("TargetGroupAssociationLimit", `The following target groups cannot be associated with more than one load balancer: ${arn}`);
        if (tg.vpcId !== lb.vpcId) throw new AwsError("ValidationError", `The target group '${arn}' is not in the load balancer's VPC`);
      }
      const existing = world.store.list("listener").find((l) => l.loadBalancerArn === lb.id && l.port === port);
      if (existing) {
        if (existing.protocol === protocol && existing.targetGroupArns.join() === tgArns.join()) return { Listeners: [renderListener(existing)] };
        throw new AwsError("DuplicateListener", "A listener already exists on this port for this load balancer");
      }
      const arn = lb.id.replace(":loadbalancer/", ":listener/") + `/${hex(8)}`;
      const unusedBefore = tgArns.map((a) => world.store.get("tg", a)).filter((tg) => !loadBalancersOf(world, tg).length);
      const l = world.store.put("listener", arn, { id: arn, loadBalancerArn: lb.id, port, protocol, targetGroupArns: tgArns });
      for (const tg of unusedBefore) for (const t of tg.targets) if (!t.draining) startHealthChecks(world, tg, t);
      world.store.addTags(arn, memberTags(p.Tags));
      return { Listeners: [renderListener(l)] };
    },

    DescribeListeners(p, { world }) {
      const arns = members(p.ListenerArns).map(String);
      let ls = world.store.list("listener");
      if (p.LoadBalancerArn) {
        getLb(world, String(p.LoadBalancerArn));
        ls = ls.filter((l) => l.loadBalancerArn === p.LoadBalancerArn);
      }
      if (arns.length) {
        if (arns.some((a) => !world.store.get("listener", a))) throw listenerNotFound();
        ls = ls.filter((l) => arns.includes(l.id));
      }
      if (!p.LoadBalancerArn && !arns.length) throw new AwsError("ValidationError", "You must specify either listener ARNs or a load balancer ARN");
      const { page, next } = markerPage(ls, p, { max: "PageSize", limits: [1, 400], defaultMax: 400 });
      return { Listeners: page.map(renderListener), NextMarker: next };
    },

    DeleteListener(p, { world }) {
      const arn = requiredParam(p.ListenerArn, "ListenerArn");
      if (!world.store.get("listener", arn)) throw listenerNotFound();
      world.store.remove("listener", arn);
      return undefined;
    },

    AddTags(p, { world }) {
      const tags = memberTags(p.Tags);
      for (const arn of members(p.ResourceArns).map(String)) {
        taggable(world, arn);
        world.store.addTags(arn, tags);
        if (world.store.tags(arn).size > 50) throw new AwsError("TooManyTags", "You've reached the limit on the number of tags for this resource");
      }
      return {};
    },

    RemoveTags(p, { world }) {
      const keys = members(p.TagKeys).map(String);
      for (const arn of members(p.ResourceArns).map(String)) {
        taggable(world, arn);
        for (const k of keys) world.store.tags(arn).delete(k);
      }
      return {};
    },

    DescribeTags(p, { world }) {
      const arns = members(p.ResourceArns).map(String);
      if (arns.length > 20) throw new AwsError("ValidationError", "A maximum of 20 resource ARNs can be described at once");
      return { TagDescriptions: arns.map((arn) => (taggable(world, arn), { ResourceArn: arn, Tags: world.store.tagList(arn) })) };
    },
  },
};
