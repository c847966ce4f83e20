/**
 * The EFK and Metricbeat steps on a one-master cluster of test hosts (cluster fixture:
 * real etcd, kubeadm init on master-a, the kubectl and helm stand-ins over real SSH):
 * Cilium, then the ECK operator (its chart installs ECK's CRDs), the Elasticsearch,
 * Kibana and Filebeat objects, kube-state-metrics and Metricbeat, as kx's steps run them;
 * the API server checks the custom objects against the CRDs' schemas.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../../src/config/schema.js";
import { elasticsearch } from "../../../src/steps/addons/eck-resources.js";
import { efkSteps } from "../../../src/steps/addons/efk.js";
import { failingExec, type ClusterFixture, type TestHost } from "../kubernetes/cluster-fixture.js";
import { startAddonCluster } from "./addon-cluster.js";

const ADMIN = "--kubeconfig /etc/kubernetes/admin.conf";
const NS = "-n elastic-system";

let c: ClusterFixture;
let master: TestHost;
let config: ClusterConfig;

const json = (command: string) => JSON.parse(master.exec(command));
const fails = (command: string) => failingExec(master, command);

/** Writes a manifest on the master; returns its path there. */
function manifest(name: string, obj: object): string {
  const path = `/root/${name}`;
  mkdirSync(dirname(master.pathOnHost(path)), { recursive: true });
  writeFileSync(master.pathOnHost(path), stringify(obj));
  return path;
}

beforeAll(async () => {
  ({ c, master, config } = await startAddonCluster({ cilium: true }));
}, 240_000);

afterAll(async () => {
  await c?.stop();
});

describe("EFK and Metricbeat on a one-master cluster", () => {
  it("before the operator kubectl cannot map an Elasticsearch: its CRD is not installed", () => {
    const path = manifest("es-early.yaml", elasticsearch(config));
    expect(fails(`kubectl ${ADMIN} apply -f ${path}`)).toBe(
      `error: resource mapping not found for name: "elasticsearch" namespace: "elastic-system" from "${path}": no matches for kind "Elasticsearch" in version "elasticsearch.k8s.elastic.co/v1"\nensure CRDs are installed first\n`,
    );
  });

  it("the operator with ECK's CRDs, then Elasticsearch, Kibana and Filebeat, then kube-state-metrics and Metricbeat", async () => {
    const outputs = await c.run(efkSteps(config, ["addons/cilium"]));
    expect(Object.keys(outputs)).toEqual(["addons/eck-operator", "addons/efk", "addons/metricbeat"]);
    expect(json(`helm status eck-operator ${NS} -o json ${ADMIN}`)).toMatchObject({ info: { status: "deployed" }, chart: { metadata: { name: "eck-operator", version: "3.5.0" } } });
    expect(json(`helm status kube-state-metrics -n kube-system -o json ${ADMIN}`)).toMatchObject({ info: { status: "deployed" }, chart: { metadata: { name: "kube-state-metrics" } } });
    const crds = json(`kubectl ${ADMIN} get crd -o json`).items.map((d: { metadata: { name: string } }) => d.metadata.name);
    expect(crds).toEqual(expect.arrayContaining(["elasticsearches.elasticsearch.k8s.elastic.co", "kibanas.kibana.k8s.elastic.co", "beats.beat.k8s.elastic.co"]));

    const es = json(`kubectl ${ADMIN} get elasticsearch elasticsearch ${NS} -o json`);
    expect(es.spec).toMatchObject({ version: "9.2.0", nodeSets: [{ name: "default", count: config.addons.efk.elasticsearchNodes }] });
    expect(es.spec.nodeSets[0].volumeClaimTemplates[0].spec.resources.requests.storage).toBe(`${config.addons.efk.storageGiB}Gi`);
    expect(json(`kubectl ${ADMIN} get kibana kibana ${NS} -o json`).spec).toEqual({ version: "9.2.0", count: 1, elasticsearchRef: { name: "elasticsearch" } });
    const beats = json(`kubectl ${ADMIN} get beats ${NS} -o json`).items.map((b: { metadata: { name: string }; spec: { type: string; kibanaRef: object } }) => [b.metadata.name, b.spec.type, b.spec.kibanaRef]);
    expect(beats.sort()).toEqual([
      ["filebeat", "filebeat", { name: "kibana" }],
      ["metricbeat", "metricbeat", { name: "kibana" }],
    ]);
    expect(json(`kubectl ${ADMIN} get clusterrolebinding metricbeat -o json`).subjects).toEqual([{ kind: "ServiceAccount", name: "metricbeat", namespace: "elastic-system" }]);
    expect(json(`kubectl ${ADMIN} get serviceaccount filebeat ${NS} -o json`).metadata.name).toBe("filebeat");
    expect(json(`kubectl ${ADMIN} get service kube-state-metrics -n kube-system -o json`).spec.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP", targetPort: 8080 }]);
  }, 150_000);

  it("a second run plans nothing", async () => {
    const plans = await Promise.all(efkSteps(config, ["addons/cilium"]).map((s) => s.plan(c.ctx)));
    expect(plans).toEqual([[], [], []]);
  });

  it("the API server refuses an Elasticsearch the CRD's schema does not allow: an unknown field (kubectl's default strict validation), a wrong type", () => {
    const es = elasticsearch(config) as unknown as { spec: { nodeSets: Record<string, unknown>[] } };
    const unknown = manifest("es-unknown.yaml", { ...es, spec: { ...es.spec, nodeSets: [{ ...es.spec.nodeSets[0], replicas: 3 }] } });
    expect(fails(`kubectl ${ADMIN} apply -f ${unknown}`)).toBe(
      `Error from server (BadRequest): error when patching "${unknown}": Elasticsearch in version "v1" cannot be handled as a Elasticsearch: strict decoding error: unknown field "spec.nodeSets[0].replicas"\n`,
    );
    // --validate=warn: the field is pruned with a warning, as a structural schema does.
    expect(master.exec(`kubectl ${ADMIN} apply --validate=warn -f ${unknown} 2>&1`)).toBe('Warning: unknown field "spec.nodeSets[0].replicas"\nelasticsearch.elasticsearch.k8s.elastic.co/elasticsearch configured\n');
    expect(json(`kubectl ${ADMIN} get es elasticsearch ${NS} -o json`).spec.nodeSets[0]).not.toHaveProperty("replicas");

    const wrongType = manifest("es-type.yaml", { ...es, spec: { ...es.spec, nodeSets: [{ ...es.spec.nodeSets[0], count: "three" }] } });
    expect(fails(`kubectl ${ADMIN} apply -f ${wrongType}`)).toBe(
      'The Elasticsearch "elasticsearch" is invalid: spec.nodeSets[0].count: Invalid value: "string": spec.nodeSets[0].count in body must be of type integer: "string"\n',
    );
    expect(json(`kubectl ${ADMIN} get es elasticsearch ${NS} -o json`).spec.nodeSets[0].count).toBe(config.addons.efk.elasticsearchNodes);
  });
});
