/** The EFK and Metricbeat steps: order and toggles, the ECK objects (valid against ECK 3.5's CRD schemas), and planning the manifests. */
import { createHash } from "node:crypto";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { deriveConfig } from "../../../src/config/derive.js";
import type { ClusterConfig } from "../../../src/config/schema.js";
import type { SecretStore } from "../../../src/secrets/store.js";
import type { SshPool, SshSession } from "../../../src/ssh/types.js";
import { elasticsearch, filebeat, kibana, metricbeat } from "../../../src/steps/addons/eck-resources.js";
import { efkManifests, efkSteps, metricbeatManifests } from "../../../src/steps/addons/efk.js";
import { addonSteps } from "../../../src/steps/addons/index.js";
import type { NodeHost } from "../../../src/steps/inventory.js";
import { eckCrd } from "../../harness/standins/lib/eck-crds.js";
import { checkCustomResource } from "../../harness/standins/lib/eck-schema.js";
import { fakeContext, parseConfig } from "../pki/fake-context.js";

const AWS = { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], dns: { zone: "lab.example.com" } };
const HOSTS = { hosts: [{ name: "m", address: "10.0.0.1", roles: ["control-plane", "etcd"] }] };
const master: NodeHost = { name: "master-a", role: "control-plane", privateIp: "10.0.64.5", nodeName: "ip-10-0-64-5", ssh: { host: "10.0.64.5", port: 22, user: "ubuntu" } as NodeHost["ssh"] };

const config = (base: object, addons: object = {}): ClusterConfig => deriveConfig(parseConfig({ ...base, addons }) as never);
const ids = (c: ClusterConfig) => addonSteps(c).map((s) => [s.id, s.needs]).filter(([id]) => ["addons/eck-operator", "addons/efk", "addons/metricbeat"].includes(id as string));

/** The objects of every manifest file, parsed back from the YAML kx writes. */
const objectsOf = (files: Record<string, string>) => Object.values(files).flatMap((text) => parseAllDocuments(text).map((d) => d.toJS()));

describe("EFK and Metricbeat steps", () => {
  it("on AWS: the operator after the EBS CSI driver (Elasticsearch's volumes), then EFK, then Metricbeat", () => {
    expect(ids(config(AWS))).toEqual([
      ["addons/eck-operator", ["addons/ebs-csi"]],
      ["addons/efk", ["addons/eck-operator"]],
      ["addons/metricbeat", ["addons/efk"]],
    ]);
  });

  it("without the EBS CSI driver (a hosts: cluster) the operator follows Cilium", () => {
    expect(ids(config(HOSTS))[0]).toEqual(["addons/eck-operator", ["addons/cilium"]]);
  });

  it("Metricbeat off: no metricbeat step; EFK off: none of them", () => {
    expect(ids(config(AWS, { metricbeat: { enabled: false } })).map(([id]) => id)).toEqual(["addons/eck-operator", "addons/efk"]);
    expect(ids(config(AWS, { efk: { enabled: false } }))).toEqual([]);
  });

  it("the operator's chart at efk.version and kube-state-metrics' pinned chart; Elasticsearch, Kibana and the Beats at stackVersion", () => {
    const c = config(AWS, { efk: { version: "3.4.1", stackVersion: "9.1.5" } });
    const ctx = fakeContext({ config: AWS, secrets: {} as SecretStore });
    const [operator, efk, mb] = efkSteps(c, ["addons/ebs-csi"]);
    expect((operator!.inputs!(ctx) as { release: object }).release).toEqual({ release: "eck-operator", namespace: "elastic-system", chart: "eck-operator", repo: "https://helm.elastic.co", version: "3.4.1" });
    expect((mb!.inputs!(ctx) as { release: object }).release).toEqual({ release: "kube-state-metrics", namespace: "kube-system", chart: "kube-state-metrics", repo: "https://prometheus-community.github.io/helm-charts", version: "9.0.1" });
    expect(efk!.inputs!(ctx)).toMatchObject({ settings: { efk: { stackVersion: "9.1.5" }, storageClass: "gp3" } });
    const versions = objectsOf({ ...efkManifests(c), ...metricbeatManifests(c) }).filter((o) => o.spec?.version).map((o) => [o.kind, o.metadata.name, o.spec.version]);
    expect(versions).toEqual([
      ["Elasticsearch", "elasticsearch", "9.1.5"],
      ["Kibana", "kibana", "9.1.5"],
      ["Beat", "filebeat", "9.1.5"],
      ["Beat", "metricbeat", "9.1.5"],
    ]);
  });
});

describe("ECK objects", () => {
  it("Elasticsearch: elasticsearchNodes nodes, each with a storageGiB claim on gp3 on AWS (the default class elsewhere)", () => {
    const es = elasticsearch(config(AWS, { efk: { elasticsearchNodes: 5, storageGiB: 200 } }));
    expect(es.metadata).toEqual({ name: "elasticsearch", namespace: "elastic-system" });
    const [set] = es.spec.nodeSets;
    expect(set!.count).toBe(5);
    expect(set!.volumeClaimTemplates).toEqual([{ metadata: { name: "elasticsearch-data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "200Gi" } }, storageClassName: "gp3" } }]);
    expect(elasticsearch(config(HOSTS)).spec.nodeSets[0]!.volumeClaimTemplates[0]!.spec).not.toHaveProperty("storageClassName");
    expect(elasticsearch(config(HOSTS)).spec.nodeSets[0]!.count).toBe(3);
  });

  it("Kibana is named kibana (its Service kibana-kb-http is what the create's summary port-forwards to) and points at Elasticsearch", () => {
    expect(kibana(config(AWS))).toMatchObject({ metadata: { name: "kibana", namespace: "elastic-system" }, spec: { count: 1, elasticsearchRef: { name: "elasticsearch" } } });
  });

  it("Filebeat: a DaemonSet reading /var/log/containers with filestream and the container parser, found by kubernetes autodiscover; both log dirs mounted", () => {
    const fb = filebeat(config(AWS));
    expect(fb.spec).toMatchObject({ type: "filebeat", elasticsearchRef: { name: "elasticsearch" }, kibanaRef: { name: "kibana" } });
    const [provider] = (fb.spec.config["filebeat.autodiscover"] as { providers: Record<string, any>[] }).providers;
    expect(provider).toMatchObject({ type: "kubernetes", node: "${NODE_NAME}" });
    expect(provider!["hints.default_config"]).toMatchObject({ type: "filestream", paths: ["/var/log/containers/*-${data.kubernetes.container.id}.log"], parsers: [{ container: null }] });
    const pod = fb.spec.daemonSet.podTemplate.spec as Record<string, any>;
    expect(pod.serviceAccountName).toBe("filebeat");
    expect(pod.volumes.map((v: any) => v.hostPath.path)).toEqual(["/var/log/containers", "/var/log/pods"]);
    expect(pod.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(["/var/log/containers", "/var/log/pods"]);
  });

  it("Metricbeat: the kubelet over HTTPS with the service-account token, the system module, state_* from kube-state-metrics by one leader, Kibana dashboards", () => {
    const mb = metricbeat(config(AWS));
    const modules = mb.spec.config["metricbeat.modules"] as Record<string, any>[];
    expect(modules[0]).toMatchObject({ module: "kubernetes", hosts: ["https://${NODE_NAME}:10250"], bearer_token_file: "/var/run/secrets/kubernetes.io/serviceaccount/token" });
    expect(modules.filter((m) => m.module === "system").flatMap((m) => m.metricsets)).toContain("cpu");
    const [provider] = (mb.spec.config["metricbeat.autodiscover"] as { providers: Record<string, any>[] }).providers;
    expect(provider).toMatchObject({ type: "kubernetes", scope: "cluster", unique: true });
    expect(provider!.templates[0].config[0]).toMatchObject({ module: "kubernetes", hosts: ["kube-state-metrics.kube-system.svc:8080"] });
    expect(provider!.templates[0].config[0].metricsets).toContain("state_pod");
    expect(mb.spec.config["setup.dashboards.enabled"]).toBe(true);
  });

  it("Metricbeat's RBAC: a ServiceAccount bound to a ClusterRole that reads nodes/stats and holds the leader Lease", () => {
    const objs = objectsOf(metricbeatManifests(config(AWS)));
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["ServiceAccount/metricbeat", "ClusterRole/metricbeat", "ClusterRoleBinding/metricbeat", "Beat/metricbeat"]);
    const role = objs[1];
    expect(role.rules).toContainEqual({ apiGroups: [""], resources: ["nodes/stats"], verbs: ["get"] });
    expect(role.rules).toContainEqual(expect.objectContaining({ apiGroups: ["coordination.k8s.io"], resources: ["leases"] }));
    expect(objs[2]).toMatchObject({ subjects: [{ kind: "ServiceAccount", name: "metricbeat", namespace: "elastic-system" }], roleRef: { kind: "ClusterRole", name: "metricbeat" } });
  });

  it("every ECK object is valid against its CRD's schema (ajv) with no field a structural schema would prune", () => {
    for (const c of [config(AWS), config(HOSTS, { efk: { elasticsearchNodes: 1 } })]) {
      const custom = objectsOf({ ...efkManifests(c), ...metricbeatManifests(c) }).filter((o) => o.apiVersion.includes("k8s.elastic.co"));
      expect(custom.map((o) => o.kind)).toEqual(["Elasticsearch", "Kibana", "Beat", "Beat"]);
      for (const obj of custom) {
        const checked = checkCustomResource(eckCrd(obj.kind), obj, "Strict");
        expect(checked, `${obj.kind}/${obj.metadata.name}`).toMatchObject({ status: 200, warnings: [] });
        expect(checked.body).toEqual(obj);
      }
    }
  });

  it("the schema check refuses what the API server would: an unknown field, a wrong type, a missing required field", () => {
    const es = JSON.parse(JSON.stringify(elasticsearch(config(AWS))));
    es.spec.nodeSets[0].replicas = 3;
    expect(checkCustomResource(eckCrd("Elasticsearch"), es, "Strict")).toMatchObject({
      status: 400,
      body: { message: 'Elasticsearch in version "v1" cannot be handled as a Elasticsearch: strict decoding error: unknown field "spec.nodeSets[0].replicas"' },
    });
    expect(checkCustomResource(eckCrd("Elasticsearch"), es, "Warn")).toMatchObject({ status: 200, warnings: ['unknown field "spec.nodeSets[0].replicas"'] });
    delete es.spec.nodeSets[0].replicas;
    es.spec.nodeSets[0].count = "three";
    delete es.spec.version;
    const invalid = checkCustomResource(eckCrd("Elasticsearch"), es, "Strict");
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.causes.map((c: { message: string }) => c.message).sort()).toEqual([
      'spec.nodeSets[0].count: Invalid value: "string": spec.nodeSets[0].count in body must be of type integer: "string"',
      "spec.version: Required value",
    ]);
  });
});

/** A master whose placed manifests hash to `placed` (file name -> content). */
function placedManifests(placed: Record<string, string>): SshPool {
  const session = {
    target: { ...master.ssh, name: master.name },
    exec: async (command: string) => {
      if (!command.startsWith("sha256sum ")) throw new Error(`unexpected command ${command}`);
      const lines = Object.entries(placed).map(([name, text]) => `${createHash("sha256").update(text).digest("hex")}  /etc/kubernetes/kx/addons/${name}`);
      return { code: lines.length ? 0 : 1, stdout: lines.map((l) => `${l}\n`).join(""), stderr: "" };
    },
  } as unknown as SshSession;
  return { session: async () => session, close: async () => {} };
}

describe("planning addons/efk", () => {
  const c = config(AWS);
  const step = efkSteps(c, ["addons/ebs-csi"])[1]!;
  const plan = (placed: Record<string, string>) => step.plan(fakeContext({ config: AWS, secrets: {} as SecretStore, hosts: [master], ssh: placedManifests(placed) }));

  it("nothing placed yet: creates every manifest (shown as files)", async () => {
    const [change] = await plan({});
    expect(change).toMatchObject({ action: "create", host: "master-a", detail: "kubectl apply -f elasticsearch.yaml, kibana.yaml, filebeat.yaml" });
    expect(change!.files!.map((f) => [f.path, f.mode])).toEqual([
      ["/etc/kubernetes/kx/addons/elasticsearch.yaml", 0o600],
      ["/etc/kubernetes/kx/addons/kibana.yaml", 0o600],
      ["/etc/kubernetes/kx/addons/filebeat.yaml", 0o600],
    ]);
  });

  it("as applied: nothing to do; one manifest changed (more nodes): an update of that one", async () => {
    expect(await plan(efkManifests(c))).toEqual([]);
    const [change] = await plan({ ...efkManifests(c), "elasticsearch.yaml": efkManifests(config(AWS, { efk: { elasticsearchNodes: 1 } }))["elasticsearch.yaml"]! });
    expect(change).toMatchObject({ action: "update", detail: "kubectl apply -f elasticsearch.yaml" });
  });

  it("offline (no machines yet): an install, touching nothing", async () => {
    expect(await step.plan(fakeContext({ config: AWS, secrets: {} as SecretStore }))).toEqual([{ action: "create", target: step.title, detail: "kubectl apply -f elasticsearch.yaml, kibana.yaml, filebeat.yaml" }]);
  });
});
