// @ts-check
import { XMLParser } from "fast-xml-parser";
import { AwsError } from "../core/errors.js";
import { upperId } from "../core/ids.js";
import { xlist } from "../core/xml.js";

/**
 * Route53 over REST-XML: hosted zones (public, or private to a VPC), record sets with
 * CREATE/UPSERT/DELETE change batches checked as Route53 checks them, changes that go
 * PENDING → INSYNC, and tags.
 */

/** @typedef {import("../core/world.js").World} World */

const PREFIX = "/2013-04-01";
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** @param {any} x @returns {any[]} */
const arr = (x) => (x === undefined || x === null || x === "" ? [] : Array.isArray(x) ? x : [x]);

/** Lower-case with a trailing dot, as Route53 stores names. @param {string} name */
function fqdn(name) {
  const n = String(name).toLowerCase().replace(/\\052/g, "*");
  return n.endsWith(".") ? n : `${n}.`;
}

/** Route53 orders names by their labels reversed (com.example.www). @param {string} name */
const sortKey = (name) => name.split(".").reverse().join(".");

/** @param {string} body */
function parseBody(body) {
  try {
    return parser.parse(body);
  } catch {
    throw new AwsError("InvalidInput", "The XML document is malformed");
  }
}

/** @param {World} world @param {string} id */
function getZone(world, id) {
  const z = world.store.get("zone", id.replace(/^\/?hostedzone\//, ""));
  if (!z) throw new AwsError("NoSuchHostedZone", `No hosted zone found with ID: ${id}`, { status: 404 });
  return z;
}

/** @param {World} world */
function newChange(world) {
  const id = upperId("C", 20);
  const change = world.store.put("change", id, { id, status: "PENDING", submittedAt: new Date() });
  world.after("route53Insync", () => {
    change.status = "INSYNC";
  });
  return change;
}

/** @param {any} c */
const changeInfo = (c) => ({ Id: `/change/${c.id}`, Status: c.status, SubmittedAt: c.submittedAt });

/** @param {any} z */
function renderZone(z) {
  return {
    Id: `/hostedzone/${z.id}`,
    Name: z.name,
    CallerReference: z.callerReference,
    Config: { Comment: z.comment, PrivateZone: z.private },
    ResourceRecordSetCount: z.records.length,
  };
}

/** @param {any} r */
function renderRecord(r) {
  return {
    Name: r.name,
    Type: r.type,
    SetIdentifier: r.setIdentifier,
    TTL: r.alias ? undefined : r.ttl,
    ResourceRecords: r.alias ? undefined : xlist("ResourceRecord", r.values.map((/** @type {string} */ Value) => ({ Value }))),
    AliasTarget: r.alias,
  };
}

const nameServers = ["ns-101.awsdns-12.com.", "ns-702.awsdns-23.net.", "ns-1203.awsdns-22.org.", "ns-1804.awsdns-33.co.uk."];

/** @param {any} set the decoded <ResourceRecordSet> */
function decodeRecord(set) {
  if (!set?.Name || !set?.Type) throw new AwsError("InvalidInput", "Invalid XML ; cvc-complex-type.2.4.b: The content of element 'ResourceRecordSet' is not complete.");
  const alias = set.AliasTarget
    ? { HostedZoneId: String(set.AliasTarget.HostedZoneId), DNSName: fqdn(set.AliasTarget.DNSName), EvaluateTargetHealth: String(set.AliasTarget.EvaluateTargetHealth) === "true" }
    : undefined;
  const values = arr(set.ResourceRecords?.ResourceRecord).map((r) => String(r.Value));
  if (!alias && set.TTL === undefined) throw new AwsError("InvalidInput", "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=" + set.Name + ", Type=" + set.Type + "]");
  if (!alias && !values.length) throw new AwsError("InvalidInput", `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none`);
  const type = String(set.Type);
  if (type === "A") {
    for (const v of values) if (!/^\d+\.\d+\.\d+\.\d+$/.test(v)) throw new AwsError("InvalidChangeBatch", `[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${v}'']`);
  }
  return { name: fqdn(set.Name), type, ttl: set.TTL === undefined ? undefined : Number(set.TTL), values, alias, setIdentifier: set.SetIdentifier };
}

/** @param {any} a @param {any} b */
const sameRecord = (a, b) => JSON.stringify([a.ttl, [...a.values].sort(), a.alias]) === JSON.stringify([b.ttl, [...b.values].sort(), b.alias]);

/** Apply a change batch all-or-nothing. @param {any} zone @param {any[]} changes */
function applyChanges(zone, changes) {
  const errors = [];
  const records = zone.records.map((/** @type {any} */ r) => ({ ...r }));
  for (const c of changes) {
    const action = String(c.Action);
    const r = decodeRecord(c.ResourceRecordSet);
    const label = `[name='${r.name}', type='${r.type}'${r.setIdentifier ? `, set-identifier='${r.setIdentifier}'` : ""}]`;
    if (r.name !== zone.name && !r.name.endsWith(`.${zone.name}`)) {
      errors.push(`RRSet with DNS name ${r.name} is not permitted in zone ${zone.name}`);
      continue;
    }
    const i = records.findIndex((/** @type {any} */ x) => x.name === r.name && x.type === r.type && x.setIdentifier === r.setIdentifier);
    const cnameClash = records.some((/** @type {any} */ x) => x.name === r.name && (x.type === "CNAME") !== (r.type === "CNAME"));
    if (action === "CREATE") {
      if (i >= 0) errors.push(`Tried to create resource record set ${label} but it already exists`);
      else if (cnameClash) errors.push(`RRSet of type ${r.type} with DNS name ${r.name} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}`);
      else records.push(r);
    } else if (action === "UPSERT") {
      if (i >= 0) records[i] = r;
      else if (cnameClash) errors.push(`RRSet of type ${r.type} with DNS name ${r.name} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}`);
      else records.push(r);
    } else if (action === "DELETE") {
      if (i < 0) errors.push(`Tried to delete resource record set ${label} but it was not found`);
      else if (!sameRecord(records[i], r)) errors.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`);
      else if (r.type === "SOA" || (r.type === "NS" && r.name === zone.name)) errors.push(`A HostedZone must contain at least one NS record for the zone itself.`);
      else records.splice(i, 1);
    } else {
      throw new AwsError("InvalidInput", `Invalid XML ; Value '${action}' is not facet-valid with respect to enumeration '[CREATE, DELETE, UPSERT]'.`);
    }
  }
  if (errors.length) throw new AwsError("InvalidChangeBatch", `[${errors.join(", ")}]`);
  zone.records = records;
}

/** @param {World} world @param {string} type @param {string} id */
function tagKey(world, type, id) {
  if (type === "hostedzone") return getZone(world, id).arn;
  if (type === "healthcheck") throw new AwsError("NoSuchHealthCheck", `No health check found with ID: ${id}`, { status: 404 });
  throw new AwsError("InvalidInput", `Invalid resource type ${type}`);
}

/** @type {[string, RegExp, string][]} method, path, action */
const ROUTES = [
  ["POST", /^\/hostedzone$/, "CreateHostedZone"],
  ["GET", /^\/hostedzone$/, "ListHostedZones"],
  ["GET", /^\/hostedzonesbyname$/, "ListHostedZonesByName"],
  ["GET", /^\/hostedzone\/(?<id>[^/]+)$/, "GetHostedZone"],
  ["DELETE", /^\/hostedzone\/(?<id>[^/]+)$/, "DeleteHostedZone"],
  ["POST", /^\/hostedzone\/(?<id>[^/]+)\/rrset\/?$/, "ChangeResourceRecordSets"],
  ["GET", /^\/hostedzone\/(?<id>[^/]+)\/rrset\/?$/, "ListResourceRecordSets"],
  ["GET", /^\/change\/(?<id>[^/]+)$/, "GetChange"],
  ["POST", /^\/tags\/(?<type>[^/]+)\/(?<id>[^/]+)$/, "ChangeTagsForResource"],
  ["GET", /^\/tags\/(?<type>[^/]+)\/(?<id>[^/]+)$/, "ListTagsForResource"],
];

/** @type {import("../core/server.js").ServiceModule} */
export const service = {
  name: "route53",
  signingName: "route53",
  protocol: "rest-xml",
  xmlns: "https://route53.amazonaws.com/doc/2013-04-01/",
  route(method, path) {
    if (!path.startsWith(PREFIX)) return undefined;
    const rest = decodeURIComponent(path.slice(PREFIX.length));
    for (const [m, re, action] of ROUTES) {
      const match = m === method ? re.exec(rest) : null;
      if (match) return { action, params: { ...match.groups } };
    }
    return undefined;
  },
  actions: {
    CreateHostedZone(_p, { world, body }) {
      const req = parseBody(body).CreateHostedZoneRequest ?? {};
      const name = fqdn(req.Name ?? "");
      if (!/^([a-z0-9_*]([a-z0-9-_]*[a-z0-9])?\.)+$/.test(name)) throw new AwsError("InvalidDomainName", `${req.Name} is not a valid domain name`);
      const ref = String(req.CallerReference ?? "");
      if (!ref) throw new AwsError("InvalidInput", "CallerReference is required");
      if (world.store.list("zone").some((z) => z.callerReference === ref)) {
        throw new AwsError("HostedZoneAlreadyExists", `A hosted zone has already been created with the specified caller reference.`, { status: 409 });
      }
      const vpc = req.VPC?.VPCId ? { VPCRegion: String(req.VPC.VPCRegion ?? world.region), VPCId: String(req.VPC.VPCId) } : undefined;
      const isPrivate = Boolean(vpc) || String(req.HostedZoneConfig?.PrivateZone) === "true";
      if (isPrivate && !vpc) throw new AwsError("InvalidInput", "When you're creating a private hosted zone (when you specify true for PrivateZone), you must also specify values for VPCId and VPCRegion.");
      if (vpc) {
        if (!world.store.get("vpc", vpc.VPCId)) throw new AwsError("InvalidVPCId", `The VPC ID '${vpc.VPCId}' is not valid.`);
        if (world.store.list("zone").some((z) => z.name === name && z.vpcs.some((/** @type {any} */ v) => v.VPCId === vpc.VPCId))) {
          throw new AwsError("ConflictingDomainExists", `The VPC ${vpc.VPCId} in ${vpc.VPCRegion} region has already been associated with the hosted zone ${name} with the same domain name.`);
        }
      }
      const id = upperId("Z", 19);
      const zone = world.store.put("zone", id, {
        id,
        arn: `arn:aws:route53:::hostedzone/${id}`,
        name,
        callerReference: ref,
        comment: req.HostedZoneConfig?.Comment === undefined ? undefined : String(req.HostedZoneConfig.Comment),
        private: isPrivate,
        vpcs: vpc ? [vpc] : [],
        records: [
          { name, type: "NS", ttl: 172800, values: nameServers, alias: undefined, setIdentifier: undefined },
          { name, type: "SOA", ttl: 900, values: [`${nameServers[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`], alias: undefined, setIdentifier: undefined },
        ],
      });
      const change = newChange(world);
      return {
        status: 201,
        headers: { location: `https://route53.amazonaws.com/2013-04-01/hostedzone/${id}` },
        root: "CreateHostedZoneResponse",
        value: {
          HostedZone: renderZone(zone),
          ChangeInfo: changeInfo(change),
          DelegationSet: isPrivate ? undefined : { NameServers: xlist("NameServer", nameServers) },
          VPC: vpc,
        },
      };
    },

    GetHostedZone(_p, { world, pathParams }) {
      const z = getZone(world, pathParams.id);
      return {
        root: "GetHostedZoneResponse",
        value: {
          HostedZone: renderZone(z),
          DelegationSet: z.private ? undefined : { NameServers: xlist("NameServer", nameServers) },
          VPCs: z.private ? xlist("VPC", z.vpcs) : undefined,
        },
      };
    },

    ListHostedZones(_p, { world, query }) {
      const max = Number(query.get("maxitems") ?? 100);
      const zones = world.store.list("zone");
      const start = query.get("marker") ? zones.findIndex((z) => z.id === query.get("marker")) : 0;
      if (start < 0) throw new AwsError("InvalidInput", "Invalid marker");
      const page = zones.slice(start, start + max);
      const next = zones[start + max];
      return {
        root: "ListHostedZonesResponse",
        value: { HostedZones: xlist("HostedZone", page.map(renderZone)), Marker: query.get("marker") ?? undefined, IsTruncated: Boolean(next), NextMarker: next?.id, MaxItems: String(max) },
      };
    },

    ListHostedZonesByName(_p, { world, query }) {
      const max = Number(query.get("maxitems") ?? 100);
      const dnsName = query.get("dnsname") ? fqdn(String(query.get("dnsname"))) : undefined;
      const zoneId = query.get("hostedzoneid") ?? undefined;
      if (zoneId && !dnsName) throw new AwsError("InvalidInput", "The DNS name is required when a hosted zone ID is specified");
      const sorted = world.store.list("zone").sort((a, b) => (sortKey(a.name) < sortKey(b.name) ? -1 : sortKey(a.name) > sortKey(b.name) ? 1 : a.id < b.id ? -1 : 1));
      const from = sorted.filter((z) => !dnsName || sortKey(z.name) > sortKey(dnsName) || (z.name === dnsName && (!zoneId || z.id >= zoneId)));
      const page = from.slice(0, max);
      const next = from[max];
      return {
        root: "ListHostedZonesByNameResponse",
        value: {
          HostedZones: xlist("HostedZone", page.map(renderZone)),
          DNSName: dnsName,
          HostedZoneId: zoneId,
          IsTruncated: Boolean(next),
          NextDNSName: next?.name,
          NextHostedZoneId: next?.id,
          MaxItems: String(max),
        },
      };
    },

    DeleteHostedZone(_p, { world, pathParams }) {
      const z = getZone(world, pathParams.id);
      if (z.records.some((/** @type {any} */ r) => !(r.name === z.name && (r.type === "SOA" || r.type === "NS")))) {
        throw new AwsError("HostedZoneNotEmpty", "The specified hosted zone contains non-required resource record sets and so cannot be deleted.");
      }
      world.store.remove("zone", z.id);
      return { root: "DeleteHostedZoneResponse", value: { ChangeInfo: changeInfo(newChange(world)) } };
    },

    ChangeResourceRecordSets(_p, { world, body, pathParams }) {
      const z = getZone(world, pathParams.id);
      const req = parseBody(body).ChangeResourceRecordSetsRequest ?? {};
      const changes = arr(req.ChangeBatch?.Changes?.Change);
      if (!changes.length) throw new AwsError("InvalidInput", "Invalid XML ; cvc-complex-type.2.4.b: The content of element 'Changes' is not complete.");
      applyChanges(z, changes);
      return { root: "ChangeResourceRecordSetsResponse", value: { ChangeInfo: { ...changeInfo(newChange(world)), Comment: req.ChangeBatch?.Comment } } };
    },

    ListResourceRecordSets(_p, { world, pathParams, query }) {
      const z = getZone(world, pathParams.id);
      const max = Number(query.get("maxitems") ?? 300);
      const name = query.get("name") ? fqdn(String(query.get("name"))) : undefined;
      const type = query.get("type") ?? undefined;
      if (type && !name) throw new AwsError("InvalidInput", "The type parameter requires a name parameter");
      const sorted = [...z.records].sort((a, b) => (sortKey(a.name) < sortKey(b.name) ? -1 : sortKey(a.name) > sortKey(b.name) ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
      const from = sorted.filter((r) => !name || sortKey(r.name) > sortKey(name) || (r.name === name && (!type || r.type >= type)));
      const page = from.slice(0, max);
      const next = from[max];
      return {
        root: "ListResourceRecordSetsResponse",
        value: {
          ResourceRecordSets: xlist("ResourceRecordSet", page.map(renderRecord)),
          IsTruncated: Boolean(next),
          NextRecordName: next?.name,
          NextRecordType: next?.type,
          MaxItems: String(max),
        },
      };
    },

    GetChange(_p, { world, pathParams }) {
      const c = world.store.get("change", pathParams.id.replace(/^\/?change\//, ""));
      if (!c) throw new AwsError("NoSuchChange", `A change with the specified change ID does not exist.`, { status: 404 });
      return { root: "GetChangeResponse", value: { ChangeInfo: changeInfo(c) } };
    },

    ChangeTagsForResource(_p, { world, body, pathParams }) {
      const key = tagKey(world, pathParams.type, pathParams.id);
      const req = parseBody(body).ChangeTagsForResourceRequest ?? {};
      const add = arr(req.AddTags?.Tag).map((t) => ({ Key: String(t.Key), Value: t.Value === undefined ? "" : String(t.Value) }));
      world.store.addTags(key, add);
      for (const k of arr(req.RemoveTagKeys?.Key)) world.store.tags(key).delete(String(k));
      if (world.store.tags(key).size > 50) throw new AwsError("InvalidInput", "A resource can have at most 50 tags");
      return { root: "ChangeTagsForResourceResponse", value: {} };
    },

    ListTagsForResource(_p, { world, pathParams }) {
      const key = tagKey(world, pathParams.type, pathParams.id);
      return {
        root: "ListTagsForResourceResponse",
        value: { ResourceTagSet: { ResourceType: pathParams.type, ResourceId: pathParams.id, Tags: xlist("Tag", world.store.tagList(key)) } },
      };
    },
  },
};
