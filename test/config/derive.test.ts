import { describe, expect, test } from "vitest";
import { contains, overlaps, parseCidr } from "../../src/config/cidr.js";
import { deriveSubnets } from "../../src/config/derive.js";
import { parseConfig } from "../../src/config/load.js";
import { isHostsCluster, type ClusterConfig } from "../../src/config/schema.js";
import { aws, hosts } from "./fixtures.js";

const parse = (text: string): ClusterConfig => parseConfig(text).config;

describe("defaults", () => {
  test("a minimal AWS config gets every default", () => {
    const c = parse(aws());
    expect(c.zones).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(c.network).toEqual({
      vpcCidr: "10.0.0.0/16",
      publicSubnets: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"],
      privateSubnets: ["10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"],
      podCidr: "10.244.0.0/16",
      serviceCidr: "10.96.0.0/12",
    });
    expect(c.kubernetes.version).toBe("1.36.1");
    expect([c.etcd.count, c.controlPlane.count]).toEqual([3, 3]);
    expect(c.workers).toMatchObject({ min: 3, desired: 3, max: 6, instanceType: "t3.large" });
    expect(c.ssh.bastion).toEqual({ enabled: true, allowedCidrs: ["203.0.113.0/24"], instanceType: "t3.micro" });
    expect(c.images.build).toBe(true);
    expect(c.dns).toEqual({ zone: "lab.example.com", apiName: "api" });
    const enabled = Object.fromEntries(Object.entries(c.addons).map(([name, a]) => [name, a.enabled]));
    expect(enabled).toEqual({ cloudController: true, cilium: true, ebsCsi: true, istio: true, efk: true, metricbeat: true });
    expect(c.addons.istio.observability).toEqual({ prometheus: true, grafana: true, kiali: true, jaeger: true });
    expect(c.rds.enabled).toBe(false);
    expect(c.ecr.repositories).toEqual([]);
    expect(isHostsCluster(c)).toBe(false);
  });

  test("given zones and subnets are kept as written", () => {
    const c = parse(
      aws(
        "zones: [eu-west-1c, eu-west-1a, eu-west-1b]\nnetwork:\n" +
          "  publicSubnets: [10.0.200.0/24, 10.0.201.0/24, 10.0.202.0/24]\n" +
          "  privateSubnets: [10.0.0.0/18, 10.0.64.0/18, 10.0.128.0/18]\n",
      ),
    );
    expect(c.zones).toEqual(["eu-west-1c", "eu-west-1a", "eu-west-1b"]);
    expect(c.network.publicSubnets).toEqual(["10.0.200.0/24", "10.0.201.0/24", "10.0.202.0/24"]);
    expect(c.network.privateSubnets[2]).toBe("10.0.128.0/18");
  });

  test("a leading v on the Kubernetes version is dropped", () => {
    expect(parse(aws("kubernetes: { version: v1.37.0 }\n")).kubernetes.version).toBe("1.37.0");
  });

  test("switches follow what they depend on unless set", () => {
    const offIstio = parse(aws("addons:\n  istio: { enabled: false }\n  efk: { enabled: false }\n"));
    expect(offIstio.addons.istio.observability).toEqual({ prometheus: false, grafana: false, kiali: false, jaeger: false });
    expect(offIstio.addons.metricbeat.enabled).toBe(false);
    const someTools = parse(aws("addons:\n  istio: { observability: { kiali: false } }\n  metricbeat: { enabled: false }\n"));
    expect(someTools.addons.istio.observability).toEqual({ prometheus: true, grafana: true, kiali: false, jaeger: true });
    expect(someTools.addons.metricbeat.enabled).toBe(false);
    expect(someTools.addons.efk.enabled).toBe(true);
  });

  test("bastion can be switched off, and then needs no CIDRs", () => {
    const c = parse(aws().replace("ssh: { bastion: { allowedCidrs: [203.0.113.0/24] } }", "ssh: { bastion: { enabled: false } }"));
    expect(c.ssh.bastion).toMatchObject({ enabled: false, allowedCidrs: [] });
  });
});

describe("a hosts: cluster", () => {
  test("needs no region, zones or DNS; AWS-only parts are off and counts come from roles", () => {
    const c = parse(hosts());
    expect(isHostsCluster(c)).toBe(true);
    expect(c.region).toBeUndefined();
    expect(c.dns).toBeUndefined();
    expect(c.zones).toEqual([]);
    expect(c.ssh.bastion.enabled).toBe(false);
    expect(c.addons.cloudController.enabled).toBe(false);
    expect(c.addons.ebsCsi.enabled).toBe(false);
    expect(c.addons.cilium.enabled).toBe(true);
    expect([c.etcd.count, c.controlPlane.count]).toEqual([1, 1]);
    if (isHostsCluster(c)) expect(c.hosts.map((h) => [h.name, h.port])).toEqual([["node-1", 22], ["node-2", 22]]);
  });

  test("with a region it also gets zones", () => {
    expect(parse(hosts().replace("hosts:", "region: us-east-2\nhosts:")).zones).toEqual(["us-east-2a", "us-east-2b", "us-east-2c"]);
  });
});

describe("deriveSubnets", () => {
  test.each([16, 17, 18, 19, 20, 21, 22, 23, 24])("cuts 3 public and 3 larger private subnets from a /%i, inside and apart", (prefix) => {
    const vpc = `10.8.0.0/${prefix}`;
    const subnets = deriveSubnets(vpc)!;
    const all = [...subnets.publicSubnets, ...subnets.privateSubnets].map((s) => parseCidr(s)!);
    expect(all).toHaveLength(6);
    for (const [i, a] of all.entries()) {
      expect(contains(parseCidr(vpc)!, a)).toBe(true);
      for (const b of all.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
    }
    expect(all.slice(0, 3).every((s) => s.prefix === prefix + 4)).toBe(true);
    expect(all.slice(3).every((s) => s.prefix === prefix + 2)).toBe(true);
  });

  test("gives up outside /16../24", () => {
    expect(deriveSubnets("10.0.0.0/25")).toBeUndefined();
    expect(deriveSubnets("10.0.0.0/8")).toBeUndefined();
    expect(deriveSubnets("nope")).toBeUndefined();
  });

  test("the documented split of a /20", () => {
    expect(deriveSubnets("172.20.16.0/20")).toEqual({
      publicSubnets: ["172.20.16.0/24", "172.20.17.0/24", "172.20.18.0/24"],
      privateSubnets: ["172.20.20.0/22", "172.20.24.0/22", "172.20.28.0/22"],
    });
  });
});
