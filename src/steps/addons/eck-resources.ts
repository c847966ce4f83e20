/**
 * The objects the ECK operator runs the EFK stack and Metricbeat from, in elastic-system:
 * Elasticsearch, Kibana (named `kibana`, so its Service is kibana-kb-http), and Beats
 * (Filebeat and Metricbeat DaemonSets) with the RBAC their Kubernetes providers need.
 * ECK wires the Beats to Elasticsearch and Kibana through elasticsearchRef / kibanaRef.
 */
import type { ClusterConfig } from "../../config/schema.js";

export const ELASTIC_NAMESPACE = "elastic-system";
export const ELASTICSEARCH_NAME = "elasticsearch";
export const KIBANA_NAME = "kibana";

interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

interface Ref {
  name: string;
}

export interface Elasticsearch extends K8sObject {
  apiVersion: "elasticsearch.k8s.elastic.co/v1";
  kind: "Elasticsearch";
  spec: {
    version: string;
    nodeSets: {
      name: string;
      count: number;
      config: Record<string, unknown>;
      podTemplate: Record<string, unknown>;
      volumeClaimTemplates: { metadata: { name: string }; spec: { accessModes: string[]; resources: { requests: { storage: string } }; storageClassName?: string } }[];
    }[];
  };
}

export interface Kibana extends K8sObject {
  apiVersion: "kibana.k8s.elastic.co/v1";
  kind: "Kibana";
  spec: { version: string; count: number; elasticsearchRef: Ref };
}

export interface Beat extends K8sObject {
  apiVersion: "beat.k8s.elastic.co/v1beta1";
  kind: "Beat";
  spec: { type: "filebeat" | "metricbeat"; version: string; elasticsearchRef: Ref; kibanaRef: Ref; config: Record<string, unknown>; daemonSet: { podTemplate: Record<string, unknown> } };
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

const meta = (name: string): ObjectMeta => ({ name, namespace: ELASTIC_NAMESPACE });
const READ = ["get", "list", "watch"];

/** The data volume's claim; without a class name it gets the cluster's default StorageClass. */
export const DATA_CLAIM = "elasticsearch-data";

/**
 * One node set of `elasticsearchNodes` nodes holding every role (a small cluster's shape),
 * spread over the zones; the heap is sized by Elasticsearch from the container's memory
 * limit. vm.max_map_count is set on the node image, so mmap stays on.
 */
export function elasticsearch(config: ClusterConfig): Elasticsearch {
  const { efk, ebsCsi } = config.addons;
  const labels = { "elasticsearch.k8s.elastic.co/cluster-name": ELASTICSEARCH_NAME };
  return {
    apiVersion: "elasticsearch.k8s.elastic.co/v1",
    kind: "Elasticsearch",
    metadata: meta(ELASTICSEARCH_NAME),
    spec: {
      version: efk.stackVersion,
      nodeSets: [
        {
          name: "default",
          count: efk.elasticsearchNodes,
          config: { "node.roles": ["master", "data", "ingest"], "node.store.allow_mmap": true },
          podTemplate: {
            spec: {
              containers: [{ name: "elasticsearch", resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "4Gi" } } }],
              topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } }],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: DATA_CLAIM },
              spec: {
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: `${efk.storageGiB}Gi` } },
                // On AWS the EBS CSI driver's class (gp3, the default one) by name.
                ...(ebsCsi.enabled ? { storageClassName: ebsCsi.storageClass } : {}),
              },
            },
          ],
        },
      ],
    },
  };
}

export function kibana(config: ClusterConfig): Kibana {
  return {
    apiVersion: "kibana.k8s.elastic.co/v1",
    kind: "Kibana",
    metadata: meta(KIBANA_NAME),
    spec: { version: config.addons.efk.stackVersion, count: 1, elasticsearchRef: { name: ELASTICSEARCH_NAME } },
  };
}

const nodeNameEnv = { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } };
const onEveryNode = { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] };
const hostPath = (name: string, path: string) => ({ name, hostPath: { path } });

/** A Beat DaemonSet running as root on the host network with its own service account. */
function beat(type: Beat["spec"]["type"], version: string, config: Record<string, unknown>, container: Record<string, unknown>, volumes: object[]): Beat {
  return {
    apiVersion: "beat.k8s.elastic.co/v1beta1",
    kind: "Beat",
    metadata: meta(type),
    spec: {
      type,
      version,
      elasticsearchRef: { name: ELASTICSEARCH_NAME },
      kibanaRef: { name: KIBANA_NAME },
      config,
      daemonSet: {
        podTemplate: {
          spec: {
            serviceAccountName: type,
            automountServiceAccountToken: true,
            hostNetwork: true,
            dnsPolicy: "ClusterFirstWithHostNet",
            securityContext: { runAsUser: 0 },
            ...onEveryNode,
            containers: [{ name: type, env: [nodeNameEnv], ...container }],
            volumes,
          },
        },
      },
    },
  };
}

/**
 * Filebeat 9: containerd's logs under /var/log/containers (symlinks into /var/log/pods, so
 * both are mounted), read by a filestream input per container that kubernetes autodiscover
 * starts on this node, with the container parser (CRI format).
 */
export function filebeat(config: ClusterConfig): Beat {
  const input = {
    type: "filestream",
    id: "kubernetes-container-logs-${data.kubernetes.pod.name}-${data.kubernetes.container.id}",
    paths: ["/var/log/containers/*-${data.kubernetes.container.id}.log"],
    parsers: [{ container: null }],
    "prospector.scanner.symlinks": true,
  };
  return beat(
    "filebeat",
    config.addons.efk.stackVersion,
    {
      "filebeat.autodiscover": { providers: [{ type: "kubernetes", node: "${NODE_NAME}", "hints.enabled": true, "hints.default_config": input }] },
      processors: [{ add_cloud_metadata: {} }, { add_host_metadata: {} }],
    },
    {
      volumeMounts: [
        { name: "varlogcontainers", mountPath: "/var/log/containers", readOnly: true },
        { name: "varlogpods", mountPath: "/var/log/pods", readOnly: true },
      ],
    },
    [hostPath("varlogcontainers", "/var/log/containers"), hostPath("varlogpods", "/var/log/pods")],
  );
}

/** kube-state-metrics' Service, where the cluster-wide state_* metricsets read. */
export const KUBE_STATE_METRICS = { release: "kube-state-metrics", namespace: "kube-system", port: 8080 };
const STATE_METRICSETS = ["node", "pod", "container", "deployment", "daemonset", "replicaset", "statefulset", "job", "cronjob", "namespace", "service", "persistentvolume", "persistentvolumeclaim", "storageclass", "resourcequota"].map((m) => `state_${m}`);

/**
 * Metricbeat: on every node the kubelet's stats (its serving certificate is self-signed:
 * kx does not turn on serverTLSBootstrap, so there is no CA to check it against; the
 * service-account token authenticates) and the host's system metrics; cluster-wide
 * state_* from kube-state-metrics by one leader (autodiscover's `unique`, a Lease).
 * Setup loads the Kibana dashboards through kibanaRef.
 */
export function metricbeat(config: ClusterConfig): Beat {
  const ksm = `${KUBE_STATE_METRICS.release}.${KUBE_STATE_METRICS.namespace}.svc:${KUBE_STATE_METRICS.port}`;
  const token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  return beat(
    "metricbeat",
    config.addons.efk.stackVersion,
    {
      "metricbeat.autodiscover": {
        providers: [
          {
            type: "kubernetes",
            scope: "cluster",
            node: "${NODE_NAME}",
            unique: true,
            templates: [{ config: [{ module: "kubernetes", hosts: [ksm], period: "10s", add_metadata: true, metricsets: STATE_METRICSETS }] }],
          },
        ],
      },
      "metricbeat.modules": [
        {
          module: "kubernetes",
          period: "10s",
          node: "${NODE_NAME}",
          hosts: ["https://${NODE_NAME}:10250"],
          bearer_token_file: token,
          "ssl.verification_mode": "none",
          metricsets: ["node", "system", "pod", "container", "volume"],
          add_metadata: true,
        },
        { module: "system", period: "10s", metricsets: ["cpu", "load", "memory", "network", "process", "process_summary"], processes: [".*"], "process.include_top_n": { by_cpu: 5, by_memory: 5 } },
        {
          module: "system",
          period: "1m",
          metricsets: ["filesystem", "fsstat"],
          processors: [{ drop_event: { when: { regexp: { "system.filesystem.mount_point": "^/(sys|cgroup|proc|dev|etc|host|lib)($|/)" } } } }],
        },
      ],
      "setup.dashboards.enabled": true,
      processors: [{ add_cloud_metadata: {} }, { add_host_metadata: {} }],
    },
    {
      args: ["-e", "-c", "/etc/beat.yml", "-system.hostfs=/hostfs"],
      volumeMounts: [
        { name: "cgroup", mountPath: "/hostfs/sys/fs/cgroup", readOnly: true },
        { name: "proc", mountPath: "/hostfs/proc", readOnly: true },
        { name: "hostfs", mountPath: "/hostfs", readOnly: true },
      ],
    },
    [hostPath("cgroup", "/sys/fs/cgroup"), hostPath("proc", "/proc"), hostPath("hostfs", "/")],
  );
}

/** A Beat's ServiceAccount, its ClusterRole and the binding between them. */
export function beatRbac(name: string, rules: PolicyRule[]): K8sObject[] {
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name) },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules } as K8sObject,
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name },
      subjects: [{ kind: "ServiceAccount", name, namespace: ELASTIC_NAMESPACE }],
      roleRef: { kind: "ClusterRole", name, apiGroup: "rbac.authorization.k8s.io" },
    } as K8sObject,
  ];
}

/** What kubernetes autodiscover reads to attach pod metadata. */
export const FILEBEAT_RULES: PolicyRule[] = [
  { apiGroups: [""], resources: ["namespaces", "pods", "nodes"], verbs: READ },
  { apiGroups: ["apps"], resources: ["replicasets"], verbs: READ },
  { apiGroups: ["batch"], resources: ["jobs"], verbs: READ },
];

/** The kubelet's stats, the objects the state_* metricsets enrich, and the leader's Lease. */
export const METRICBEAT_RULES: PolicyRule[] = [
  { apiGroups: [""], resources: ["nodes", "namespaces", "events", "pods", "services", "configmaps", "persistentvolumes", "persistentvolumeclaims", "resourcequotas"], verbs: READ },
  { apiGroups: ["apps"], resources: ["replicasets", "deployments", "daemonsets", "statefulsets"], verbs: READ },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: READ },
  { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: READ },
  { apiGroups: [""], resources: ["nodes/stats"], verbs: ["get"] },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "get", "list", "watch", "update"] },
  { nonResourceURLs: ["/metrics"], verbs: ["get"] },
];
