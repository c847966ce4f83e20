/**
 * EFK logging and Metricbeat, run by Elastic's ECK operator in elastic-system:
 *   addons/eck-operator  the operator (its chart also installs ECK's CRDs);
 *   addons/efk           Elasticsearch, Kibana and Filebeat as ECK objects, with Filebeat's RBAC;
 *   addons/metricbeat    kube-state-metrics (a chart), then Metricbeat as an ECK Beat with its RBAC.
 * Elasticsearch, Kibana and the Beats all run the configured stack version.
 */
import { stringify } from "yaml";
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { CHARTS } from "./charts.js";
import { ELASTIC_NAMESPACE, FILEBEAT_RULES, KUBE_STATE_METRICS, METRICBEAT_RULES, beatRbac, elasticsearch, filebeat, kibana, metricbeat, type K8sObject } from "./eck-resources.js";
import { manifestsStep } from "./manifest-step.js";
import { addonStep } from "./release-step.js";

export const ECK_OPERATOR_STEP = "addons/eck-operator";
export const EFK_STEP = "addons/efk";
export const METRICBEAT_STEP = "addons/metricbeat";

/** kube-state-metrics has no setting of its own in the config: its chart is pinned here. */
export const KUBE_STATE_METRICS_CHART_VERSION = "9.0.1";

const yamlDocuments = (objects: K8sObject[]) => objects.map((o) => stringify(o)).join("---\n");

export function efkManifests(config: ClusterConfig): Record<string, string> {
  return {
    "elasticsearch.yaml": yamlDocuments([elasticsearch(config)]),
    "kibana.yaml": yamlDocuments([kibana(config)]),
    "filebeat.yaml": yamlDocuments([...beatRbac("filebeat", FILEBEAT_RULES), filebeat(config)]),
  };
}

export function metricbeatManifests(config: ClusterConfig): Record<string, string> {
  return { "metricbeat.yaml": yamlDocuments([...beatRbac("metricbeat", METRICBEAT_RULES), metricbeat(config)]) };
}

/**
 * The steps for what the config turns on; `needs` are what the operator waits for: the
 * storage (the EBS CSI driver on AWS, Elasticsearch's volumes) or else the pod network.
 */
export function efkSteps(config: ClusterConfig, needs: string[]): Step<KxContext>[] {
  const { efk, metricbeat: mb } = config.addons;
  if (!efk.enabled) return [];
  const steps = [
    addonStep({
      id: ECK_OPERATOR_STEP,
      title: `ECK operator ${efk.version} (${ELASTIC_NAMESPACE})`,
      needs,
      release: { release: "eck-operator", namespace: ELASTIC_NAMESPACE, ...CHARTS.eckOperator, version: efk.version },
      settings: { version: efk.version },
      values: async () => ({}),
    }),
    manifestsStep({
      id: EFK_STEP,
      title: `Elasticsearch (${efk.elasticsearchNodes} × ${efk.storageGiB} GiB), Kibana and Filebeat ${efk.stackVersion}`,
      needs: [ECK_OPERATOR_STEP],
      settings: { efk, storageClass: config.addons.ebsCsi.enabled ? config.addons.ebsCsi.storageClass : undefined },
      manifests: () => efkManifests(config),
    }),
  ];
  if (mb.enabled) {
    steps.push(
      addonStep({
        id: METRICBEAT_STEP,
        title: `Metricbeat ${efk.stackVersion} and kube-state-metrics`,
        needs: [EFK_STEP],
        release: { release: KUBE_STATE_METRICS.release, namespace: KUBE_STATE_METRICS.namespace, ...CHARTS.kubeStateMetrics, version: KUBE_STATE_METRICS_CHART_VERSION },
        settings: { metricbeat: mb, stackVersion: efk.stackVersion },
        values: async () => ({}),
        manifests: () => metricbeatManifests(config),
      }),
    );
  }
  return steps;
}
