/**
 * The cluster config: the one definition of its shape and its defaults. Cross-field
 * rules live in rules.ts and run as a superRefine of this schema, so `kx schema`, the
 * loader and the wizard all validate the same way.
 */
import { z } from "zod";
import { cidrProblem } from "./cidr.js";
import { deriveConfig } from "./derive.js";
import { clusterRules } from "./rules.js";
import { API_VERSION, DEFAULT_K8S_VERSION, HOST_ROLES, KIND, REGION_PATTERN, VERSION_PATTERN } from "./constants.js";

export { API_VERSION, KIND, SUPPORTED_K8S_MINORS, DEFAULT_K8S_VERSION, REGION_PATTERN, VERSION_PATTERN, HOST_ROLES } from "./constants.js";

const dns1123 = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit");

const cidr = z
  .string()
  .superRefine((value, ctx) => {
    const problem = cidrProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .describe("an IPv4 CIDR block, e.g. 10.0.0.0/16");
const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.large");
const semver = z.string().regex(VERSION_PATTERN, "must be a version such as 1.36.1");
const amiId = z.string().regex(/^ami-[0-9a-f]{8,17}$/, "must be an AMI id such as ami-0123456789abcdef0");

const network = z
  .object({
    vpcCidr: cidr.default("10.0.0.0/16"),
    publicSubnets: z
      .array(cidr)
      .length(3, "must list 3 subnets, one per zone")
      .optional()
      .describe("one per zone, in zone order; with privateSubnets left out too, both are cut from vpcCidr (/16 to /24)"),
    privateSubnets: z.array(cidr).length(3, "must list 3 subnets, one per zone").optional().describe("one per zone, in zone order; every node lives here"),
    podCidr: cidr.default("10.244.0.0/16"),
    serviceCidr: cidr.default("10.96.0.0/12"),
  })
  .strict();

const kubernetes = z
  .object({
    version: semver.default(DEFAULT_K8S_VERSION),
    certSANs: z.array(z.string()).default([]).describe("extra names and addresses for the API server certificate"),
  })
  .strict();

const etcd = z
  .object({
    count: z.number().int().default(3).describe("1, 3 or 5: an odd number keeps a quorum; a hosts: cluster counts its hosts with the etcd role instead"),
    instanceType: instanceType.default("t3.medium"),
    version: semver.default("3.6.5"),
    volumeSizeGiB: z.number().int().min(8).default(20),
    loopbackClients: z
      .boolean()
      .default(true)
      .describe("also serve clients and metrics on each member's 127.0.0.1; turn off where members share one network namespace"),
  })
  .strict();

const controlPlane = z
  .object({
    count: z.number().int().default(3).describe("1 to 9 API servers (etcd holds the quorum, so an even count works too); a hosts: cluster counts its hosts with the control-plane role instead"),
    instanceType: instanceType.default("t3.large"),
    volumeSizeGiB: z.number().int().min(8).default(50),
  })
  .strict();

const workers = z
  .object({
    instanceType: instanceType.default("t3.large"),
    min: z.number().int().min(0).default(3),
    desired: z.number().int().min(0).default(3),
    max: z.number().int().min(1).default(6),
    volumeSizeGiB: z.number().int().min(8).default(50),
  })
  .strict();

const images = z
  .object({
    build: z.boolean().default(true).describe("build the AMIs with Packer (reused when their content hash matches)"),
    node: amiId.optional().describe("AMI id of the node image; required when build is false, skips building it otherwise"),
    etcd: amiId.optional().describe("AMI id of the etcd image; required when build is false, skips building it otherwise"),
    buildInstanceType: instanceType.default("t3.large"),
    /** Name filter of the base image (Ubuntu 24.04 LTS by Canonical). */
    baseImageFilter: z.string().default("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"),
    baseImageOwner: z.string().default("099720109477"),
  })
  .strict();

const ssh = z
  .object({
    user: z.string().min(1).default("ubuntu"),
    privateKeyFile: z.string().default("~/.ssh/id_ed25519").describe("private key kx uses; its public half is installed on the machines"),
    publicKeyFile: z.string().optional().describe("default: privateKeyFile + .pub"),
    bastion: z
      .object({
        enabled: z.boolean().optional().describe("default: true for AWS clusters, false for a hosts: cluster (give a host the bastion role)"),
        allowedCidrs: z
          .array(cidr)
          .default([])
          .describe("who may reach the bastion over SSH; at least one when it is enabled (0.0.0.0/0 is allowed but warned about)"),
        instanceType: instanceType.default("t3.micro"),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const dns = z
  .object({
    zone: z
      .string()
      .min(1)
      .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "must be a domain name such as lab.example.com")
      .describe("the cluster's domain; a private hosted zone of this name is created in the VPC"),
    apiName: dns1123.default("api").describe("the API server record in that zone: <apiName>.<zone>"),
    publicZoneId: z.string().optional().describe("also publish the API name in this public hosted zone (id), pointing at the load balancer"),
  })
  .strict();

const toggle = <T extends z.ZodRawShape>(version: string, shape: T) =>
  z
    .object({ enabled: z.boolean().default(true), version: z.string().min(1).default(version), ...shape })
    .strict()
    // Every field of an add-on has a default, so an absent add-on is the default one.
    .prefault({} as never);

/** An add-on whose default on/off follows another setting (see derive.ts `effectiveToggles`). */
const dependentToggle = <T extends z.ZodRawShape>(version: string, defaultText: string, shape: T) =>
  z
    .object({ enabled: z.boolean().optional().describe(`default: ${defaultText}`), version: z.string().min(1).default(version), ...shape })
    .strict()
    .prefault({} as never);

const followsIstio = z.boolean().optional().describe("default: on when Istio is enabled");

const addons = z
  .object({
    cloudController: dependentToggle("0.0.9", "true for AWS clusters, false for a hosts: cluster", {}),
    cilium: toggle("1.19.4", {
      ipam: z.enum(["cluster-pool", "eni"]).default("cluster-pool"),
      hubble: z.boolean().default(true),
    }),
    ebsCsi: dependentToggle("2.50.0", "true for AWS clusters, false for a hosts: cluster", {
      /** Name of the default StorageClass. */
      storageClass: z.string().default("gp3"),
    }),
    istio: toggle("1.30.3", {
      mode: z.enum(["ambient", "sidecar"]).default("ambient"),
      gatewayApiVersion: semver
        .default("1.5.1")
        .describe("the Gateway API standard CRDs installed before istiod (Istio 1.30 reads their v1.5 APIs)"),
      observability: z
        .object({
          prometheus: followsIstio,
          grafana: followsIstio,
          kiali: followsIstio,
          jaeger: followsIstio,
        })
        .strict()
        .prefault({}),
      /** Chart versions of the observability tools (each its own release; the toggles above switch them). */
      observabilityCharts: z
        .object({
          kubePrometheusStack: semver.default("79.7.1").describe("kube-prometheus-stack: Prometheus, and Grafana when grafana is on"),
          kiali: semver.default("2.31.0").describe("kiali-server"),
          jaeger: semver.default("4.14.1").describe("jaeger (Jaeger v2, all in one)"),
        })
        .strict()
        .prefault({}),
    }),
    efk: toggle("3.5.0", {
      stackVersion: z.string().default("9.2.0"),
      elasticsearchNodes: z.number().int().min(1).default(3),
      storageGiB: z.number().int().min(1).default(100),
    }),
    metricbeat: dependentToggle("9.2.0", "on when efk is enabled", {}),
  })
  .strict();

const rds = z
  .object({
    enabled: z.boolean().default(false),
    /** PostgreSQL major ("17") or major.minor ("17.2"). */
    engineVersion: z.string().regex(/^\d+(\.\d+)?$/, "must be a PostgreSQL version such as 17 or 17.2").default("17"),
    instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS class such as db.t4g.medium").default("db.t4g.medium"),
    allocatedStorageGiB: z.number().int().min(20).max(65536).default(20),
    databaseName: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/, "must start with a letter and hold only letters, digits and '_' (at most 63)").default("app"),
    username: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/, "must start with a letter and hold only letters, digits and '_' (at most 16)").default("kx"),
    multiAz: z.boolean().default(true),
  })
  .strict();

const host = z
  .object({
    name: dns1123,
    /** Address kx connects to. */
    address: z.string().min(1),
    /** Address the cluster uses between nodes (defaults to address). */
    privateAddress: z.string().optional(),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1).optional(),
    keyFile: z.string().optional(),
    roles: z.array(z.enum(HOST_ROLES)).min(1),
    /** Pinned host key, "ssh-ed25519 AAAA..." or "SHA256:..."; pinned on first contact otherwise. */
    hostKey: z.string().optional(),
  })
  .strict();

export const clusterSchemaShape = z
  .object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(KIND),
    name: dns1123.describe("cluster name, a DNS-1123 label"),
    region: z.string().regex(REGION_PATTERN, "must be an AWS region such as eu-west-1").optional().describe("required unless hosts: is given"),
    zones: z.array(z.string()).optional().describe("the 3 availability zones; default <region>a, <region>b, <region>c"),
    network: network.prefault({}),
    kubernetes: kubernetes.prefault({}),
    etcd: etcd.prefault({}),
    controlPlane: controlPlane.prefault({}),
    workers: workers.prefault({}),
    images: images.prefault({}),
    ssh: ssh.prefault({}),
    dns: dns.optional(),
    addons: addons.prefault({}),
    ecr: z
      .object({
        repositories: z
          .array(z.string().min(2).max(256).regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, "must be an ECR repository name: lower-case letters and digits, separated by '.', '_', '-' or '/'"))
          .default([]),
      })
      .strict()
      .prefault({}),
    rds: rds.prefault({}),
    /** Existing machines instead of AWS instances (as k0sctl does). */
    hosts: z.array(host).optional(),
  })
  .strict();

/**
 * The schema every consumer parses with: shape and defaults, then the cross-field rules
 * (run even when a field is malformed, so a file gets every problem at once), then the
 * derived values (zones, subnets, add-on defaults that follow other settings).
 */
export const clusterSchema = clusterSchemaShape
  .superRefine(clusterRules, { when: () => true })
  .transform(deriveConfig);

/** A parsed, validated config with every derived value filled in. */
export type ClusterConfig = z.output<typeof clusterSchema>;
/** What the shape alone yields: defaults applied, nothing derived yet (rules.ts and derive.ts read this). */
export type ClusterConfigShape = z.output<typeof clusterSchemaShape>;
export type ClusterConfigInput = z.input<typeof clusterSchemaShape>;
export type HostConfig = z.output<typeof host>;
export type HostRole = (typeof HOST_ROLES)[number];

/** True for a config that lists existing machines instead of AWS instances. */
export function isHostsCluster(config: ClusterConfig): config is ClusterConfig & { hosts: HostConfig[] } {
  return Array.isArray(config.hosts);
}
